"""Plain records with provenance, problems, and the workbook as the importers see it.

Importers never write to the database: they turn a workbook into these records and a list of
problems, each naming its file, sheet and cell. ``app.operations.imports`` decides and stores.
"""
from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from app.core.quoting import visible


class Where(NamedTuple):
    """File, sheet and cell a record or problem comes from."""
    file: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        if not self.sheet:
            return visible(self.file)
        place = f"{self.file}:{self.sheet}!{self.cell}" if self.cell else f"{self.file}:{self.sheet}"
        return visible(place)


@dataclass(frozen=True)
class Problem:
    """An error (nothing is stored) or a warning (stored, but look) at a place."""
    message: str
    where: Where
    severity: str = "error"          # 'error' | 'warning'
    proposal: float | None = None    # a reading the user may accept (ambiguous cells)
    label: str | None = None         # an unknown or ambiguous label, for mapping it once
    key: tuple | None = None         # (branch, fiscal_year, month, indicator) of an ambiguous value;
                                     # branch None: the workbook's branch (Extraction.branch)

    def __post_init__(self):
        object.__setattr__(self, "message", visible(self.message))

    def line(self) -> str:
        return f"{self.where}: {self.message}"


class ValueRecord(NamedTuple):
    """月次実績 (month 1..12) or 年度計 (month None) of one indicator, branch and year."""
    branch: str | None
    fiscal_year: int
    month: int | None
    indicator: str
    value: float
    where: Where
    note: str | None = None
    decimals: int | None = None      # printed precision of a year figure


@dataclass(frozen=True)
class KpiRecord:
    indicator: str | None
    op: str
    target: float | None
    rule: str                        # 'value' | 'prev_fy' | 'qualitative'
    unit: str
    text: str


@dataclass(frozen=True)
class RowRecord:
    """評価行 of an item as the plan writes it: a sub-point's text, a 【KPI】 or 【業績評価】 line;
    ``kpis``: the positions (1, 2, …) of the item's KPIs that belong to it."""
    plan_text: str
    is_kpi: bool = False
    is_performance: bool = False
    is_incentive: bool = False
    kpis: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlanItemRecord:
    pillar_no: int
    pillar_title: str
    item_no: int
    title: str
    owner_group: str
    plan_text: str
    important: bool
    difficult: bool
    kpis: tuple[KpiRecord, ...]
    where: Where
    rows: tuple[RowRecord, ...] = ()     # none read: the item is one row, its plan text, with every KPI
    indicators: tuple[str, ...] = ()     # the month tables a progress sheet prints under the item


class RowStatusRecord(NamedTuple):
    """A rated row's quarter as a progress sheet holds it: the item's 項番, the row's place in
    the item (1, 2, …), its progress text, rating and rank."""
    item_no: int
    position: int
    text: str
    rating: str | None
    rank: int | None
    where: Where


@dataclass
class Extraction:
    """What one importer read from one workbook."""
    layout: str
    file: str
    path: Path | None = None
    branch: str | None = None
    fiscal_year: int | None = None
    values: list[ValueRecord] = field(default_factory=list)
    plan: list[PlanItemRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    book: Book | None = None         # the cells read, for a preview
    statuses: list[RowStatusRecord] = field(default_factory=list)   # a progress sheet's quarter
    quarter: int | None = None       # the quarter those are of (the as-of month, or --quarter)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class Cell(NamedTuple):
    value: Any
    number_format: str | None


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^]]*\]')


def month_shown(cell: Cell) -> str | None:
    """``4月`` for a date whose number format shows its month but no day or time (Excel's habit
    of typing 2025/4/1 in a month header formatted m"月"); None for any other cell."""
    import datetime as dt

    if not isinstance(cell.value, dt.date) or not cell.number_format:
        return None
    code = _QUOTED.sub("", cell.number_format.split(";")[0]).lower()
    return f"{cell.value.month}月" if "m" in code and not set(code) & set("dhs") else None


@dataclass
class Sheet:
    """A sheet as rows of cells (row 0 is Excel row 1), trailing empty cells dropped."""
    name: str
    rows: list[list[Cell]]

    def value(self, r: int, c: int) -> Any:
        row = self.rows[r] if 0 <= r < len(self.rows) else []
        return row[c].value if 0 <= c < len(row) else None

    def cell(self, r: int, c: int) -> Cell:
        row = self.rows[r] if 0 <= r < len(self.rows) else []
        return row[c] if 0 <= c < len(row) else Cell(None, None)

    def texts(self, r: int) -> list[str]:
        row = self.rows[r] if 0 <= r < len(self.rows) else []
        return [str(c.value).strip() for c in row if c.value is not None and str(c.value).strip()]


def cell_name(r: int, c: int) -> str:
    """0-based row/column → 'B6'."""
    return f"{column_letter(c)}{r + 1}"


@lru_cache(maxsize=None)
def column_letter(c: int) -> str:
    """0-based column → 'B' (as openpyxl's get_column_letter, without loading openpyxl, numpy and PIL)."""
    letters = ""
    c += 1
    while c:
        c, rest = divmod(c - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Book:
    path: Path
    sheets: list[Sheet]
    uncached: dict[str, set[str]] = field(default_factory=dict)  # sheet → formula cells with no result

    @cached_property
    def name(self) -> str:
        return self.path.name

    def where(self, sheet: Sheet, r: int | None = None, c: int | None = None) -> Where:
        return Where(self.name, sheet.name, cell_name(r, c) if r is not None and c is not None else "")


class Importer(Protocol):
    layout: str

    def identify(self, book: Book) -> bool: ...

    def extract(self, book: Book, catalogue, default_branch: str | None = None) -> Extraction: ...


_pause = threading.Lock()
_paused = 0                 # pauses under way (threads, nesting)
_collecting = False         # was the collector on when the first of them began


@contextmanager
def collector_paused():
    """No cyclic garbage collection while a workbook's cells and records are built or stored: a
    large import makes hundreds of thousands of small objects that hold no cycles (reference
    counting frees them), and every full collection would walk them all again. Pauses nest and
    may overlap across threads; the collector runs again when the last one ends, if it ran
    before the first began. What was made meanwhile then joins the oldest generation without
    being walked at once (gc.freeze, then unfreeze: unless someone else keeps objects frozen);
    the next full collection walks what is still alive by then, as it would anyway."""
    global _paused, _collecting
    with _pause:
        if not _paused:
            _collecting = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _pause:
            _paused -= 1
            if not _paused and _collecting:
                if not gc.get_freeze_count():
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
