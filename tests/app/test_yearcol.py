"""The year column by kind, on small made-up figures."""
from types import SimpleNamespace as NS

import pytest

from app.core.yearcol import agrees, year_figure

def ind(kind, **kw):
    base = dict(kind=kind, unit="", numerator=None, denominator=(), scale=1.0, weight=None)
    return NS(**{**base, **kw})


def test_count_sums_months_and_nothing_is_none():
    assert year_figure(ind("count"), {4: 2, 5: -1, 6: 3}) == 4
    assert year_figure(ind("count"), {}) is None


def test_ratio_is_recomputed_from_parts_never_averaged():
    rate = ind("ratio", numerator="a", denominator=("a", "b"), scale=100)
    parts = {"a": {4: 900, 5: 10}, "b": {4: 100, 5: 90}}   # 90% and 10%: the mean would be 50%
    assert year_figure(rate, {4: 90.0, 5: 10.0}, parts) == pytest.approx(910 / 1100 * 100)


def test_ratio_year_to_date():
    rate = ind("ratio", numerator="a", denominator=("b",), scale=100)
    parts = {"a": {4: 1, 5: 3, 6: 100}, "b": {4: 10, 5: 10, 6: 100}}
    assert year_figure(rate, {}, parts, until=[4, 5]) == pytest.approx(20.0)


def test_weighted_average_and_plain_mean():
    avg = ind("average", weight="n")
    assert year_figure(avg, {4: 6.0, 5: 8.0}, {"n": {4: 3, 5: 1}}) == pytest.approx(6.5)
    assert year_figure(avg, {4: 6.0, 5: 8.0}) == pytest.approx(7.0)


def test_cumulative_and_stock_take_the_latest_fiscal_month():
    assert year_figure(ind("cumulative"), {4: 1.0, 12: 5.0, 2: 7.0}) == 7.0   # 2月 comes after 12月
    assert year_figure(ind("stock"), {6: 52.85, 9: 55.38}) == 55.38


def test_duration_mean_and_events_count():
    assert year_figure(ind("duration"), {4: 185, 5: 133}) == 159
    assert year_figure(ind("event"), {12: 1, 1: 1}) == 2
    assert year_figure(ind("event"), {}) == 0


def test_agreement_at_printed_precision():
    assert agrees(95.0, 94.992, 1, "ratio")
    assert not agrees(6.30, 6.2466, 2, "average")
    assert agrees(147, 147.58, 0, "duration")          # h:mm is printed truncated
    assert not agrees(199, 187.5, 0, "duration")


def test_an_ambiguous_cell_explains_only_its_own_rows_year_figure():
    """A by-branch table: branch 01's ambiguous 5月 (3.46 → 3:46 = 226 min) makes 01's year agree;
    it says nothing of branch 02's year, which would agree only with 01's cell in 02's row."""
    from app.core.catalogue import load_catalogue
    from app.operations.imports import check_year_figures
    from importers.base import Extraction, Problem, ValueRecord, Where

    ext = Extraction("national", "hq.xlsx")
    for branch, row in (("01", 5), ("02", 6)):
        ext.values += [ValueRecord(branch, 2024, 4, "mail_count", 100, Where("hq.xlsx", "s", f"B{row}")),
                       ValueRecord(branch, 2024, None, "mail_count", 300, Where("hq.xlsx", "s", f"N{row}"))]
    ext.problems.append(Problem("あいまい", Where("hq.xlsx", "s", "C5"), "warning", 200.0, key=("01", 2024, 5, "mail_count")))
    said = {p.where.cell: p.message for p in check_year_figures(ext, load_catalogue())}
    assert "C5=" in said["N5"]                                   # 01: 100 + 200 = 300, with its own cell
    assert "C5" not in said["N6"] and "一致しません" in said["N6"]  # 02: not explained by 01's cell


def test_a_year_figure_of_counts_that_disagrees_is_said_without_decimals():
    from app.core.catalogue import load_catalogue
    from app.operations.imports import check_year_figures
    from importers.base import Extraction, ValueRecord, Where

    ext = Extraction("monthly", "m.xlsx")
    ext.values += [ValueRecord("10", 2024, 4, "mail_count", 27962, Where("m.xlsx", "s", "B5")),
                   ValueRecord("10", 2024, None, "mail_count", 27963, Where("m.xlsx", "s", "N5"))]
    (said,) = [p.message for p in check_year_figures(ext, load_catalogue())]
    assert said.startswith("年度の値 27,963 が月の値から計算した 27,962 と一致しません")


def test_an_ambiguous_duration_offers_both_readings():
    from app.core.values import read_value

    assert "（3:50 の意味？ それとも 3.5 時間 = 3:30？）" in read_value("3.5", unit="h:mm", kind="duration").problem
    assert "（3:46 の意味？）" in read_value("3.46", unit="h:mm", kind="duration").problem
