"""Golden files: everything the importers read from the sample workbooks, as text.

The golden files in ``golden/`` were checked by eye against the workbooks. When a change in
the importers changes what is read on purpose, rewrite them and read the diff:

    .venv/bin/python -m pytest tests/importers/test_golden.py --update-golden
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl.utils import column_index_from_string

from app.operations.imports import format_number, read_workbook
from importers.base import Extraction, Where

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = "--update-golden"


@pytest.fixture(scope="module")
def catalogue():
    from app.core.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="module")
def monthly(catalogue) -> Extraction:
    return read_workbook(SAMPLE / "gunma_fy2024_monthly.xlsx", catalogue)


@pytest.fixture(scope="module")
def plan(catalogue) -> Extraction:
    return read_workbook(SAMPLE / "gunma_fy2024_plan.xlsx", catalogue)


# --- rendering ---------------------------------------------------------------------------------

def _place(where: Where) -> str:
    if where.cell:
        return f"{where.sheet}!{where.cell}"
    return where.sheet or where.file


def _cell_key(where: Where, sheets: dict[str, int]) -> tuple:
    """Sheet order, then row, then column (B5 before B29, Z5 before AA5)."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", where.cell or "")
    row, col = (int(m.group(2)), column_index_from_string(m.group(1))) if m else (0, 0)
    return sheets.setdefault(where.sheet, len(sheets)), row, col


def _text(value) -> str:
    return "" if value is None else str(value).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _problems(ext: Extraction, sheets: dict[str, int]) -> list[str]:
    ordered = sorted(ext.problems, key=lambda p: (_cell_key(p.where, sheets), p.severity, p.message))
    return [f"{p.severity}\t{_place(p.where)}\t{_text(p.message)}" for p in ordered]


def render_monthly(ext: Extraction) -> list[str]:
    sheets: dict[str, int] = {}
    lines = [f"# layout={ext.layout} branch={ext.branch} fiscal_year={ext.fiscal_year} values={len(ext.values)}"]
    for v in sorted(ext.values, key=lambda v: _cell_key(v.where, sheets)):
        lines.append("\t".join((_place(v.where), _text(v.branch), str(v.fiscal_year),
                                "year" if v.month is None else str(v.month), v.indicator,
                                format_number(v.value), _text(v.note))))
    return lines + ["# problems"] + _problems(ext, sheets)


def render_plan(ext: Extraction) -> list[str]:
    sheets: dict[str, int] = {}
    lines = [f"# layout={ext.layout} branch={ext.branch} fiscal_year={ext.fiscal_year} items={len(ext.plan)}"]
    for item in sorted(ext.plan, key=lambda i: i.item_no):
        flags = ",".join(f for f, on in (("重要度:高", item.important), ("困難度:高", item.difficult)) if on) or "-"
        lines.append("\t".join(("item", str(item.item_no), _place(item.where), f"{item.pillar_no}.{item.pillar_title}",
                                item.title, item.owner_group, flags, _text(item.plan_text))))
        for n, k in enumerate(item.kpis, start=1):
            target = "" if k.target is None else format_number(k.target)
            lines.append("\t".join(("kpi", f"{item.item_no}-{n}", _text(k.indicator), k.op, target, k.rule,
                                    _text(k.unit), _text(k.text))))
    return lines + ["# problems"] + _problems(ext, sheets)


# --- the golden comparison ----------------------------------------------------------------------

def check_golden(request, name: str, lines: list[str]) -> None:
    path = GOLDEN / f"{name}.txt"
    text = "\n".join(lines) + "\n"
    if request.config.getoption(UPDATE):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {path.relative_to(GOLDEN.parents[2])}: read the diff before committing it")
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; create it with\n"
                    f"    .venv/bin/python -m pytest tests/importers/test_golden.py {UPDATE}\n"
                    "and check it by eye against the workbook", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), lines, f"golden/{name}.txt", "extracted",
                                              lineterm="", n=1))
        pytest.fail(f"what the importer reads differs from golden/{name}.txt "
                    f"(if that is intended, rerun with {UPDATE} and read the diff):\n{diff}", pytrace=False)


def test_monthly_golden(request, monthly):
    check_golden(request, "gunma_fy2024_monthly", render_monthly(monthly))


@pytest.fixture(scope="module")
def national(catalogue) -> Extraction:
    return read_workbook(SAMPLE / "hq_national_fy2024.xlsx", catalogue)


def test_national_golden(request, national):
    check_golden(request, "hq_national_fy2024", render_monthly(national))


def test_plan_golden(request, plan):
    check_golden(request, "gunma_fy2024_plan", render_plan(plan))


# --- facts checked by hand against the workbooks (they hold even if the golden is rewritten) ---

def test_monthly_counts(monthly):
    assert monthly.layout == "monthly"
    assert (monthly.branch, monthly.fiscal_year) == ("10", 2024)
    assert {v.branch for v in monthly.values} == {"10"}
    assert {v.fiscal_year for v in monthly.values} == {2022, 2023, 2024}
    month_keys = {(v.branch, v.fiscal_year, v.month, v.indicator) for v in monthly.values if v.month is not None}
    assert len(month_keys) == 854
    assert not monthly.errors


@pytest.mark.parametrize("cell, fy, month, indicator, value", [
    ("業務!B29", 2023, 4, "mail_rate", 94.6),            # 0.946 formatted 0.0%
    ("業務!N29", 2023, None, "mail_rate", 95),           # 0.95 in the 計 column
    ("業務!B5", 2023, 4, "ss_rate", 100),                # shape 2: the caption's indicator in the year row
    ("業務!B6", 2023, 4, "ss_sickness", 2481),            # shape 2: the rows after it
    ("業務!N25", 2024, None, "ss_avg_days", 6.3),        # printed year figure kept (months give 6.25)
    ("業務!J79", 2024, 12, "pt_meetings", 1),            # '12/11': one meeting
    ("業務!N80", 2023, None, "pt_meetings", 0),
    ("業務!B89", 2022, 4, "limit_cert_applications", 1969),   # shape 3, caption 申請件数 + title
    ("レセプト!M6", 2024, 3, "receipt_assessment_rate", 0.069),
    ("保健!B12", 2024, 4, "decl_standardized", 1247),    # '標準化' row: the latest year above it
    ("企画総務!D11", 2023, 6, "mailmag_new", -1),         # '△ 1'
    ("企画総務!L21", 2024, 2, "iin_new", -61),            # '△ 61'
    ("企画総務!D30", 2023, 6, "iin_coverage", 53.07),
    ("企画総務!B35", 2023, 4, "overtime", 185),           # '3:05' in minutes
    ("企画総務!H36", 2024, 10, "overtime", 213),          # '3：33' (full-width colon)
    ("企画総務!N36", 2024, None, "overtime", 147),        # '2:27'
    ("企画総務!B40", 2024, 4, "tender_general", 3),       # shape 4: '4月まで', year from the title
    ("企画総務!N42", 2024, None, "tender_single_bid_rate", 8.3),
])
def test_monthly_cells(monthly, cell, fy, month, indicator, value):
    found = [v for v in monthly.values if _place(v.where) == cell]
    assert len(found) == 1, found
    v = found[0]
    assert (v.fiscal_year, v.month, v.indicator, v.branch) == (fy, month, indicator, "10")
    assert v.value == pytest.approx(value)


def test_nothing_read_from_placeholders_and_bare_decimals(monthly):
    read = {_place(v.where) for v in monthly.values}
    assert not read & {"業務!B79", "業務!B84", "企画総務!B30", "企画総務!B42", "企画総務!G35", "企画総務!H35"}
    assert "企画総務!M7" not in read                       # empty cell: no value, not zero


def test_bare_decimals_in_a_duration_row_are_only_warnings(monthly):
    ambiguous = {_place(p.where): p for p in monthly.problems if p.proposal is not None}
    assert set(ambiguous) == {"企画総務!G35", "企画総務!H35"}
    assert all(p.severity == "warning" for p in ambiguous.values())
    assert (ambiguous["企画総務!G35"].proposal, ambiguous["企画総務!H35"].proposal) == (226, 288)   # 3:46, 4:48


def test_an_indicator_in_two_blocks_is_read_twice_with_equal_values(monthly):
    by_key = defaultdict(list)
    for v in monthly.values:
        if v.indicator == "judo_multi_freq":
            by_key[(v.fiscal_year, v.month)].append(v)
    assert len(by_key) == 26                              # 2 years × (12 months + year)
    for records in by_key.values():
        assert len({_place(v.where) for v in records}) == 2
        assert len({v.value for v in records}) == 1
    cells = {_place(v.where) for v in by_key[(2023, 4)]}
    assert cells == {"業務!B42", "業務!B69"}


def test_plan_facts(plan):
    assert (plan.layout, plan.branch, plan.fiscal_year) == ("plan", "10", 2024)
    assert [i.item_no for i in plan.plan] == list(range(1, 22))
    assert not plan.problems
    kpis = {(i.item_no, k.indicator, k.op, k.target, k.rule) for i in plan.plan for k in i.kpis}
    assert (2, "mail_rate", ">=", 95.0, "value") in kpis
    assert (1, "ss_rate", "==", 100.0, "value") in kpis
    assert (21, "tender_single_bid_rate", "<=", 15.0, "value") in kpis
    assert (13, "decl_total", ">=", 1580.0, "value") in kpis
    assert (5, "receipt_assessment_rate", ">=", None, "prev_fy") in kpis
    assert (10, None, ">=", 61.2, "value") in kpis        # no monthly indicator: kept with its target
    assert sum(len(i.kpis) for i in plan.plan) == 17
