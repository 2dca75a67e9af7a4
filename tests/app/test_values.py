"""セルの値の読み書き（app.core.values）のテスト。例は主に seed 004（群馬支部）から。"""

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.values import Reading, format_number, format_value, number_scale, read_value

KINDS = ["count", "amount", "ratio", "average", "cumulative", "stock", "duration", "event"]
UNITS = ["", "%", "件", "円", "千円", "日", "人", "事業所", "回", "h:mm"]


def to_full_width(text: str) -> str:
    """ASCII を全角に（空白は全角空白）。"""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


def value_of(raw, **kw) -> float | None:
    reading = read_value(raw, **kw)
    assert reading.ok, reading.problem
    return reading.value


# --- numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, kw, expected",
    [
        (2481, {"number_format": "#,##0"}, 2481),
        ("2481", {}, 2481),
        ("2,481", {}, 2481),
        ("２，４８１", {}, 2481),
        ("２,４８１件", {"unit": "件"}, 2481),
        ("2481.0", {}, 2481),
        (2481.0, {}, 2481),
        ("896,014,077", {"unit": "円", "kind": "amount"}, 896014077),
        ("4,369円", {"unit": "円"}, 4369),
        ("1,234千円", {"unit": "千円"}, 1234),
        ("1,580事業所", {"unit": "事業所"}, 1580),
        ("6.21 日", {"unit": "日", "kind": "average"}, 6.21),
        ("6.36", {"kind": "average"}, 6.36),
        ("5件", {}, 5),  # 単位が決まっていない指標では単位を問わない
        (0, {}, 0),
        ("0", {}, 0),
    ],
)
def test_numbers(raw, kw, expected):
    reading = read_value(raw, **kw)
    assert reading == Reading(expected)


@pytest.mark.parametrize(
    "raw, kw",
    [
        ("5件", {"unit": "%"}),
        ("4,369円", {"unit": "千円"}),
        ("1,234千円", {"unit": "円"}),
        ("94.6%", {"unit": "件"}),
        ("94.6%", {}),
        ("2 481", {}),
        ("2,48", {}),
        ("1,2345", {}),
        ("1.234.567", {}),
        ("5件目", {"unit": "件"}),
        ("7日以内", {"unit": "日"}),
        ("第3四半期", {}),
    ],
)
def test_number_problems(raw, kw):
    reading = read_value(raw, **kw)
    assert reading.value is None
    assert not reading.ok
    assert f"'{raw}'" in reading.problem


def test_unit_mismatch_message():
    assert "単位「件」" in read_value("5件", unit="%").problem


# --- percentages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, number_format, expected",
    [
        ("94.6%", None, 94.6),
        ("94.6％", None, 94.6),
        ("９４．６％", None, 94.6),
        ("94.6", None, 94.6),
        ("100%", None, 100),
        (94.6, None, 94.6),
        (94.6, "General", 94.6),
        (0.946, "0.0%", 94.6),
        (0.00052, "0.00%", 0.052),
        (0.0005899999999999999, "0.00%", 0.059),
        (0.9490000000000001, "0.0%", 94.9),
        (1, "0%", 100),
        (0.946, '0.0%;[Red]-0.0%', 94.6),
        (94.6, '0.0"%"', 94.6),  # 文字としての % は割合の書式ではない
    ],
)
def test_percentages(raw, number_format, expected):
    assert read_value(raw, unit="%", kind="ratio", number_format=number_format) == Reading(expected)


def test_percent_format_in_non_percent_row_is_a_problem():
    reading = read_value(0.5, unit="件", number_format="0%")
    assert reading.value is None and "パーセント" in reading.problem


# --- negatives and empty -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["△ 1", "△1", "▲1", "▲ 1", "-1", "－1", "−1", "－１", "△　1", -1, -1.0])
def test_negatives(raw):
    assert read_value(raw, unit="件") == Reading(-1)


def test_negative_row_from_seed_004():
    row = "9 6 △ 1 12 4 1 4 57 29 107 14 △ 16".replace("△ ", "△").split()
    assert [value_of(c) for c in row] == [9, 6, -1, 12, 4, 1, 4, 57, 29, 107, 14, -16]


@pytest.mark.parametrize("raw", ["△", "▲", "△ ", "-△1"])
def test_sign_alone_is_a_problem(raw):
    assert not read_value(raw).ok


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "-", "－", "―", "—", "‐", "ー", " - "])
@pytest.mark.parametrize("kind", KINDS)
def test_no_value(raw, kind):
    assert read_value(raw, kind=kind) == Reading(None)


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, number_format, minutes",
    [
        ("3:05", None, 185),
        ("3：05", None, 185),
        ("３：０５", None, 185),
        ("12:30", None, 750),
        ("0:00", None, 0),
        ("3:05:30", None, 185.5),
        (dt.time(3, 5), None, 185),
        (dt.timedelta(hours=3, minutes=5), None, 185),
        (dt.timedelta(hours=27, minutes=5), None, 1625),
        (dt.datetime(1900, 1, 1, 1, 30), "h:mm", 1530),  # openpyxl: 25:30 in h:mm
        (185 / 1440, "h:mm", 185),
        (0.12847222222222222, "[h]:mm", 185),
        (185 / 1440, "h:mm:ss", 185),
        (0, None, 0),
        ("0", None, 0),
    ],
)
def test_durations(raw, number_format, minutes):
    assert read_value(raw, unit="h:mm", kind="duration", number_format=number_format) == Reading(minutes)


def test_duration_row_from_seed_004():
    row = "3:12 1:24 1:05 1:47 1:31 2:16 3：33 2:35 2:26 2:54 3:00 3:48".split()
    minutes = [value_of(c, kind="duration") for c in row]
    assert minutes[6] == 213
    assert sum(minutes) / 12 == pytest.approx(147.58, abs=0.01)
    assert format_value(sum(minutes) / 12, kind="duration") == "2:27"  # printed 2:27


@pytest.mark.parametrize(
    "raw, proposal",
    [(3.46, 226), ("3.46", 226), (4.48, 288), ("3.5", 230), (3, 180), ("3", 180), (3.75, None), (3.123, None)],
)
def test_ambiguous_durations(raw, proposal):
    reading = read_value(raw, unit="h:mm", kind="duration")
    assert reading.value is None
    assert "あいまいな値" in reading.problem
    assert f"'{raw}'" in reading.problem
    assert reading.proposal == proposal


def test_seed_004_r5_overtime_proposals_give_printed_mean():
    row = ["3:05", "2:13", "2:15", "2:57", "2:13", "3.46", "4.48", "3:10", "3:44", "3:50", "3:59", "3:49"]
    readings = [read_value(c, kind="duration") for c in row]
    minutes = [r.value if r.ok else r.proposal for r in readings]
    assert [r.ok for r in readings].count(False) == 2
    assert format_value(sum(minutes) / 12, kind="duration") == "3:19"


@pytest.mark.parametrize("raw", ["3:60", "3:5", "3時間", "3.46日", dt.datetime(2024, 12, 11)])
def test_duration_problems(raw):
    assert not read_value(raw, kind="duration").ok


def test_time_in_non_duration_row_is_a_problem():
    assert not read_value(dt.time(3, 5)).ok
    assert not read_value(0.128, number_format="h:mm").ok


# --- events -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, count",
    [
        ("12/11", 1),
        ("５/１６", 1),
        ("5/16、5/30", 2),
        ("5/16,5/30", 2),
        ("5/16 5/30", 2),
        ("12/11（水）", 1),
        ("2/29", 1),
        (dt.datetime(2024, 12, 11), 1),
        (dt.date(2024, 12, 11), 1),
        (4, 4),
        ("4", 4),
        ("0", 0),
    ],
)
def test_events(raw, count):
    assert read_value(raw, unit="回", kind="event") == Reading(count)


def test_event_row_from_seed_004():
    row = "- - - - - - - - 12/11 1/15 2/12 3/12".split()
    values = [value_of(c, kind="event") for c in row]
    assert values == [None] * 8 + [1, 1, 1, 1]
    assert value_of("4", kind="event") == sum(v for v in values if v)


@pytest.mark.parametrize("raw", ["13/40", "2/30", "0/1", "12/11/2024", -1, 2.5, "abc"])
def test_event_problems(raw):
    reading = read_value(raw, kind="event")
    assert reading.value is None and f"'{raw}'" in reading.problem


# --- annotations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, unit, value, note",
    [
        ("89.1％ R7.2実績分", "%", 89.1, "R7.2実績分"),
        ("89.1％\nR7.2実績分", "%", 89.1, "R7.2実績分"),
        ("14.1%(実績評価者数:5,173人)", "%", 14.1, "実績評価者数:5,173人"),
        ("4.9%（実績評価者数：75人）", "%", 4.9, "実績評価者数:75人"),
        ("37,145 件 (34,658 件)", "件", 37145, "34,658 件"),
        ("100% (100%)", "%", 100, "100%"),
        ("3:05 (R7.2)", "h:mm", 185, "R7.2"),
    ],
)
def test_annotations(raw, unit, value, note):
    assert read_value(raw, unit=unit) == Reading(value, note=note)


def test_number_must_come_first():
    assert not read_value("R7.2実績分 89.1%", unit="%").ok


# --- everything else is a problem -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [True, False, "abc", "=SUM(C3:C14)", "＝A1", float("nan"), float("inf"), -math.inf, "nan", "inf",
     "1e3", [1], object(), dt.timedelta(hours=1)],
)
def test_unreadable(raw):
    reading = read_value(raw)
    assert reading.value is None
    assert reading.problem


def test_problem_quotes_raw_text():
    assert read_value("abc").problem == "'abc' は数値として読めません"
    assert "数式" in read_value("=SUM(C3:C14)").problem
    assert read_value(True).problem == "'TRUE' は数値として読めません"


# --- format_value ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, kw, text",
    [
        (None, {}, "－"),
        (2481, {}, "2,481"),
        (2481.0, {}, "2,481"),
        (896014077, {"kind": "amount"}, "896,014,077"),
        (-1, {}, "△1"),
        (-1, {"negative": "-"}, "-1"),
        (-1234, {"negative": "▲"}, "▲1,234"),
        (0, {}, "0"),
        (-0.0001, {}, "0"),
        (4463.5, {"unit": "円"}, "4,463.5"),
        (6.36, {"kind": "average"}, "6.36"),
        (6.3, {"kind": "average", "decimals": 2}, "6.30"),
        (2481, {"decimals": 1}, "2,481.0"),
        (94.6, {"unit": "%"}, "94.6%"),
        (3.17, {"unit": "%"}, "3.17%"),
        (100, {"unit": "%"}, "100%"),
        (0.052, {"unit": "%"}, "0.052%"),
        (95.0, {"unit": "%", "decimals": 1}, "95.0%"),
        (-0.5, {"unit": "%"}, "△0.5%"),
        (185, {"kind": "duration"}, "3:05"),
        (185, {"unit": "h:mm"}, "3:05"),
        (750, {"kind": "duration"}, "12:30"),
        (0, {"kind": "duration"}, "0:00"),
        (147.6, {"kind": "duration"}, "2:27"),
        (184.9999999, {"kind": "duration"}, "3:05"),
        (4, {"kind": "event"}, "4"),
    ],
)
def test_format_value(value, kw, text):
    assert format_value(value, **kw) == text


# --- properties ---------------------------------------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["△", "-", "▲"]))
def test_integers_round_trip(n, negative):
    assert read_value(format_value(n, negative=negative)) == Reading(n)
    assert read_value(format_value(n, unit="円", negative=negative), unit="円") == Reading(n)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_percent_text_round_trip(k):
    x = k / 100
    assert read_value(f"{x}%", unit="%") == Reading(x)
    assert read_value(format_value(x, unit="%"), unit="%") == Reading(x)


@given(st.integers(min_value=0, max_value=5999))
def test_duration_round_trip(minutes):
    text = format_value(minutes, kind="duration")
    assert text == f"{minutes // 60}:{minutes % 60:02d}"
    assert read_value(text, unit="h:mm", kind="duration") == Reading(minutes)
    assert read_value(minutes / 1440, kind="duration", number_format="[h]:mm") == Reading(minutes)


readable_texts = st.one_of(
    st.integers(-(10**12), 10**12).map(lambda n: format_value(n, negative="-")),
    st.integers(-(10**12), 10**12).map(format_value),
    st.integers(-(10**6), 10**6).map(lambda k: f"{k / 100}%"),
    st.integers(0, 5999).map(lambda m: format_value(m, kind="duration")),
    st.sampled_from(["89.1% R7.2実績分", "14.1%(実績評価者数:5,173人)", "6.21 日", "-", "abc", "3.46"]),
)


@given(readable_texts, st.sampled_from(["count", "duration"]), st.sampled_from(["", "%", "日"]))
def test_full_width_reads_the_same(text, kind, unit):
    full = read_value(to_full_width(text), kind=kind, unit=unit)
    half = read_value(text, kind=kind, unit=unit)
    assert (full.value, full.note, full.ok, full.proposal) == (half.value, half.note, half.ok, half.proposal)


@given(
    st.one_of(st.text(), st.floats(), st.integers(), st.none(), st.booleans()),
    st.sampled_from(KINDS),
    st.sampled_from(UNITS),
    st.one_of(st.none(), st.sampled_from(["General", "0.0%", "h:mm", "[h]:mm", "#,##0"]), st.text()),
)
def test_never_raises(raw, kind, unit, number_format):
    reading = read_value(raw, kind=kind, unit=unit, number_format=number_format)
    assert isinstance(reading, Reading)
    if reading.problem is not None:
        assert reading.value is None
        assert not reading.ok
    else:
        assert reading.ok
        assert reading.value is None or math.isfinite(reading.value)


@given(st.text())
def test_text_problem_means_no_value(text):
    reading = read_value(text)
    assert reading.ok or reading.value is None


# --- the edges a mutation pass found untested (benchmarks/mutate.py) -----------------------------


@pytest.mark.parametrize("raw", ["1/1", "1/31", "12/31", "12/1", "3/31", "4/30", "1月31日", "2/29、3/1"])
def test_event_dates_first_and_last_day(raw):
    assert read_value(raw, kind="event").value == len(raw.split("、"))


@pytest.mark.parametrize("raw", ["1/32", "1/0", "4/31", "12/32", "13/1", "0/31", "3/32", "6/31"])
def test_event_dates_past_the_month(raw):
    assert read_value(raw, kind="event").problem


def test_duration_cut_off_1900_03_01():
    """openpyxl gives an h:mm of 24 hours or more as a datetime before 1900-03-01 (counted from
    1899-12-31); from 1900-03-01 on, a datetime is a date, not a duration."""
    just_before = dt.datetime(1900, 2, 28, 23, 59)
    assert read_value(just_before, unit="h:mm", kind="duration").value == 59 * 1440 + 23 * 60 + 59
    assert read_value(dt.datetime(1900, 3, 1), unit="h:mm", kind="duration").problem
    assert read_value(dt.datetime(1900, 1, 1), unit="h:mm", kind="duration").value == 1440


DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


@pytest.mark.parametrize("month", range(1, 13))
def test_event_dates_every_months_last_day(month):
    assert read_value(f"{month}/{DAYS[month]}", kind="event").value == 1
    assert read_value(f"{month}/{DAYS[month] + 1}", kind="event").problem


# --- where the mutation pass found nothing checked (benchmarks/mutate.py) --------------------------


class _Float(float):
    """A float of another class (a numpy-like cell value): read by the full path, not the fast one."""


def test_a_float_of_another_class_reads_as_the_fast_path_does():
    assert read_value(_Float(0.946), unit="%", kind="ratio", number_format="0.0%") == Reading(94.6)
    assert read_value(_Float(2481), unit="件", number_format="#,##0") == Reading(2481)
    assert "「単位なし」" in read_value(_Float(0.5), unit="", number_format="0%").problem
    assert "「件」" in read_value(_Float(0.5), unit="件", number_format="0%").problem


def test_number_scale_says_how_a_plain_number_is_taken():
    assert number_scale("件", "count", "#,##0") == 1
    assert number_scale("%", "ratio", "0.0%") == 100
    assert number_scale("件", "count", "0.0%") is None
    assert number_scale("回", "event", None) is None and number_scale("", "count", "[h]:mm") is None


def test_time_formats_and_their_sections():
    assert "時刻の書式" in read_value(0.5, number_format="mm:ss").problem
    assert read_value(45000, number_format="mm/dd") == Reading(45000)      # a date format is not a time
    assert read_value(0.5, kind="duration", number_format="[h]:mm;@") == Reading(720)


def test_ambiguous_durations_say_exactly_what_they_could_mean():
    r = read_value("3.5", unit="h:mm", kind="duration")
    assert r.proposal == 230
    assert r.problem == ("'3.5' はあいまいな値です（3:50 の意味？ それとも 3.5 時間 = 3:30？）。"
                         "時間は 3:05 のように h:mm で入力してください")
    r = read_value("-3.5", unit="h:mm", kind="duration")
    assert r.proposal == -230 and "（-3:50 の意味？ それとも -3.5 時間 = -3:30？）" in r.problem
    assert read_value("3.46", kind="duration").proposal == 226
    assert "時間 =" not in read_value("3.46", kind="duration").problem
    assert read_value("3.59", kind="duration").proposal == 239
    assert read_value("3.60", kind="duration").proposal is None
    assert read_value("3.456", kind="duration").proposal is None
    assert read_value(0.5, kind="duration").proposal == 50
    assert read_value(-0.5, kind="duration").proposal == -50


def test_duration_notes_and_times_of_day():
    assert not read_value("3:05x", kind="duration").ok
    assert read_value("0 (注)", kind="duration") == Reading(0.0, "注")
    assert read_value(dt.time(1, 2, 30, 600000), kind="duration").value == pytest.approx(3751 / 60)
    assert format_value(-1, kind="duration") == "△0:01"


def test_notes_after_a_number():
    assert read_value("5 (a) b").note == "(a) b"
    assert not read_value("5 3件目").ok
    assert "はパーセント" not in (read_value("5%", unit="").problem or "")
    assert "「単位なし」" in read_value("5%", unit="").problem


def test_events_and_long_problem_texts():
    assert read_value(0, kind="event") == Reading(0)
    assert read_value("x" * 40).problem.startswith("'" + "x" * 40 + "' ")
    assert read_value("x" * 41).problem.startswith("'" + "x" * 40 + "…' ")


def test_format_number_is_machine_output():
    assert format_number(2.5) == "2.5"
    assert format_number(2481.0) == "2481"
    assert format_number(1e15) == "1e+15"
