"""年度の暦（app.core.fiscal）のテスト。"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.fiscal import (
    FISCAL_MONTHS,
    AsOf,
    calendar_year,
    find_fiscal_year,
    fiscal_index,
    fiscal_months_until,
    fiscal_year_of,
    format_fy,
    format_fy_both,
    month_label,
    parse_as_of,
    parse_fiscal_year,
    parse_month,
    quarter_months,
    quarter_of,
)

months = st.integers(min_value=1, max_value=12)
years = st.integers(min_value=1989, max_value=2100)


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- months and quarters ---------------------------------------------------


def test_fiscal_months_order():
    assert FISCAL_MONTHS == (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@pytest.mark.parametrize("month, index", [(4, 0), (12, 8), (1, 9), (3, 11)])
def test_fiscal_index(month, index):
    assert fiscal_index(month) == index


@pytest.mark.parametrize("bad", [0, 13, -1])
def test_fiscal_index_rejects(bad):
    with pytest.raises(ValueError):
        fiscal_index(bad)


def test_calendar_year():
    assert calendar_year(2024, 4) == 2024
    assert calendar_year(2024, 12) == 2024
    assert calendar_year(2024, 1) == 2025
    assert calendar_year(2024, 3) == 2025
    assert fiscal_year_of(2025, 2) == 2024
    assert fiscal_year_of(2024, 4) == 2024


@pytest.mark.parametrize("month, q", [(4, 1), (6, 1), (7, 2), (9, 2), (10, 3), (12, 3), (1, 4), (3, 4)])
def test_quarter_of(month, q):
    assert quarter_of(month) == q


def test_quarter_months():
    assert quarter_months(1) == (4, 5, 6)
    assert quarter_months(4) == (1, 2, 3)
    with pytest.raises(ValueError):
        quarter_months(5)


def test_fiscal_months_until():
    assert fiscal_months_until(4) == (4,)
    assert fiscal_months_until(11) == (4, 5, 6, 7, 8, 9, 10, 11)
    assert fiscal_months_until(3) == FISCAL_MONTHS


@given(months)
def test_month_properties(month):
    assert FISCAL_MONTHS[fiscal_index(month)] == month
    assert month in quarter_months(quarter_of(month))
    assert quarter_of(month) == fiscal_index(month) // 3 + 1
    assert fiscal_months_until(month)[-1] == month
    assert len(fiscal_months_until(month)) == fiscal_index(month) + 1
    assert fiscal_year_of(calendar_year(2024, month), month) == 2024


def test_quarters_partition_the_year():
    assert sum((quarter_months(q) for q in range(1, 5)), ()) == FISCAL_MONTHS


# --- fiscal years --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fy",
    [
        ("令和6年度", 2024),
        ("令和６年度", 2024),
        ("令和元年度", 2019),
        ("R6", 2024),
        ("R6年度", 2024),
        ("r6", 2024),
        ("Ｒ６", 2024),
        ("2024年度", 2024),
        ("２０２４年度", 2024),
        ("2024", 2024),
        ("平成31年度", 2019),
        ("H31", 2019),
        ("平成30年度", 2018),
        ("FY2024", 2024),
        ("令和6年", 2024),
        (" 令和 6 年度 ", 2024),
        ("2024（令和6）年度", 2024),
        ("2019（令和元）年度", 2019),
    ],
)
def test_parse_fiscal_year(text, fy):
    assert parse_fiscal_year(text) == fy


@pytest.mark.parametrize(
    "text",
    ["", "abc", "令和", "R7.2", "R7.2実績分", "令和6年度 群馬支部", "H32", "R0", "2024（令和5）年度", "12", "前年度"],
)
def test_parse_fiscal_year_rejects(text):
    with pytest.raises(ValueError, match="は年度として読めません"):
        parse_fiscal_year(text)


@pytest.mark.parametrize(
    "text, fy",
    [
        ("令和6年度 群馬支部 事業計画 月次実績（業務）", 2024),
        ("2025（令和7）年度 埼玉支部事業計画実施状況", 2025),
        ("令和6年度　群馬支部事業計画", 2024),
        ("令和 7 年度 (9 月まで)", 2025),
        ("新（令和７年度） 旧（令和６年度）", 2025),
        ("R6年度 実績", 2024),
        ("2024年度中の導入", 2024),
        ("実績 R6 群馬", 2024),
        ("○郵送化率", None),
        ("R7.2実績分", None),
        ("令和7年3月末現在", None),
        ("R6/9　医療機関（0機関）", None),
        ("R5年9月-R6年9月支部ホームページ", None),
        ("前年度以上", None),
        ("単年度の計画", None),
        ("", None),
    ],
)
def test_find_fiscal_year(text, fy):
    assert find_fiscal_year(text) == fy


def test_format_fy():
    assert format_fy(2024) == "令和6年度"
    assert format_fy(2024, short=True) == "R6"
    assert format_fy(2019) == "令和元年度"
    assert format_fy(2019, short=True) == "R1"
    assert format_fy(2018) == "平成30年度"
    assert format_fy(2018, short=True) == "H30"
    assert format_fy(1989) == "平成元年度"
    assert format_fy_both(2024) == "2024（令和6）年度"
    assert format_fy_both(2019) == "2019（令和元）年度"


@given(years)
def test_fiscal_year_round_trip(fy):
    assert parse_fiscal_year(format_fy(fy)) == fy
    assert parse_fiscal_year(format_fy(fy, short=True)) == fy
    assert parse_fiscal_year(format_fy_both(fy)) == fy
    assert parse_fiscal_year(to_full_width(format_fy(fy, short=True))) == fy
    assert parse_fiscal_year(to_full_width(str(fy)) + "年度") == fy
    assert find_fiscal_year(f"{format_fy(fy)} 群馬支部") == fy
    assert find_fiscal_year(f"{format_fy_both(fy)} 群馬支部") == fy
    assert format_fy(fy).startswith("令和" if fy >= 2019 else "平成")


@given(years)
def test_full_width_era_digits(fy):
    text = format_fy(fy).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_fiscal_year(text) == fy


# --- month headers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, month",
    [("4月", 4), ("４月", 4), ("4月まで", 4), (" 10 月 ", 10), ("１２月", 12), ("3月", 3),
     ("13月", None), ("0月", None), ("計", None), ("合計", None), ("4", None), ("", None), (4, None)],
)
def test_parse_month(text, month):
    assert parse_month(text) == month


@given(months)
def test_month_label_round_trip(month):
    assert month_label(month) == f"{month}月"
    assert parse_month(month_label(month)) == month
    assert parse_month(to_full_width(str(month)) + "月") == month


# --- as of ----------------------------------------------------------------------------


def test_as_of_label_and_short():
    assert AsOf(2024, 11).label() == "令和6年11月末現在"
    assert AsOf(2024, 11).short() == "R6.11"
    assert AsOf(2024, 2).label() == "令和7年2月末現在"
    assert AsOf(2024, 2).short() == "R7.2"
    assert AsOf(2018, 3).label() == "平成31年3月末現在"
    assert AsOf(2019, 4).label() == "平成31年4月末現在"
    assert AsOf(2019, 5).label() == "令和元年5月末現在"
    assert AsOf(2019, 5).short() == "R1.5"


def test_as_of_ordering_is_fiscal():
    assert AsOf(2024, 12) < AsOf(2024, 1) < AsOf(2024, 3) < AsOf(2025, 4)
    assert max(AsOf(2024, m) for m in FISCAL_MONTHS) == AsOf(2024, 3)
    with pytest.raises(ValueError):
        AsOf(2024, 13)


@pytest.mark.parametrize(
    "text, default_fy, expected",
    [
        ("11月末現在", 2024, AsOf(2024, 11)),
        ("11月末現在", None, None),
        ("R7.2実績分", None, AsOf(2024, 2)),
        ("89.1％ R7.2実績分", None, AsOf(2024, 2)),
        ("令和7年2月末現在", None, AsOf(2024, 2)),
        ("令和７年３月末現在", 2030, AsOf(2024, 3)),
        ("令和6年10月", None, AsOf(2024, 10)),
        ("令和６年度実績 11月現在では83.62%", None, AsOf(2024, 11)),
        ("2025年2月末", None, AsOf(2024, 2)),
        ("郵送化率", 2024, None),
        ("", 2024, None),
    ],
)
def test_parse_as_of(text, default_fy, expected):
    assert parse_as_of(text, default_fy) == expected


@given(years, months)
def test_as_of_round_trip(fy, month):
    as_of = AsOf(fy, month)
    assert parse_as_of(as_of.label()) == as_of
    assert parse_as_of(as_of.short() + "実績分") == as_of
    assert as_of.year == calendar_year(fy, month)


# --- the edges a mutation pass found untested (benchmarks/mutate.py) -----------------------------

from app.core.fiscal import months_to_quarter_end  # noqa: E402


def test_months_to_quarter_end_reach_the_quarters_last_month():
    assert months_to_quarter_end(1) == (4, 5, 6)
    assert months_to_quarter_end(2) == (4, 5, 6, 7, 8, 9)
    assert months_to_quarter_end(3)[-1] == 12
    assert months_to_quarter_end(4) == FISCAL_MONTHS


@pytest.mark.parametrize("bad", [0, 5, -1, "1", 1.0])
def test_quarter_months_refuses(bad):
    with pytest.raises(ValueError, match="四半期は1〜4です"):
        quarter_months(bad)


@pytest.mark.parametrize("text, fy", [("昭和元年度", 1926), ("S1", 1926), ("S64", 1989), ("昭和64年度", 1989),
                                      ("R99", 2117), ("令和99年度", 2117), ("1926", 1926), ("2199年度", 2199)])
def test_era_and_year_bounds_are_inside(text, fy):
    assert parse_fiscal_year(text) == fy


@pytest.mark.parametrize("text", ["S65", "昭和65年度", "H32", "R0", "1925", "2200年度"])
def test_era_and_year_bounds_outside(text):
    with pytest.raises(ValueError):
        parse_fiscal_year(text)


def test_find_fiscal_year_bounds():
    assert find_fiscal_year("資料 1926年度 分") == 1926
    assert find_fiscal_year("資料 2199年度 分") == 2199
    assert find_fiscal_year("資料 2200年度 分") is None
    assert find_fiscal_year("資料 1925年度 分") is None


def test_format_fy_at_the_era_starts():
    assert format_fy(1926) == "昭和元年度"
    assert format_fy(1989) == "平成元年度"
    assert format_fy(2019, short=True) == "R1"


def test_as_of_is_not_less_than_itself():
    a = AsOf(2024, 4)
    assert not a < AsOf(2024, 4)
    assert a <= AsOf(2024, 4)


@pytest.mark.parametrize("text, expected", [
    ("2025年1月末", AsOf(2024, 1)), ("2024年12月末", AsOf(2024, 12)),
    ("令和7年1月末現在", AsOf(2024, 1)), ("令和6年12月末現在", AsOf(2024, 12)),
    ("2025年13月", None), ("2025年0月", None), ("令和7年13月", None), ("令和7年0月", None), ("R0.2実績分", None)])
def test_parse_as_of_month_bounds(text, expected):
    assert parse_as_of(text) == expected


@pytest.mark.parametrize("text, expected", [("12月末", AsOf(2024, 12)), ("1月末", AsOf(2024, 1)),
                                            ("資料 1月実績", AsOf(2024, 1)), ("資料 12月実績", AsOf(2024, 12)),
                                            ("13月末", None), ("0月末", None)])
def test_parse_as_of_month_only_bounds(text, expected):
    assert parse_as_of(text, 2024) == expected
