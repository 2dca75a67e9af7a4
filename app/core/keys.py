"""The keys that are stored as text: of the change log (`change_log.key`) and of work packages
(a change's key, the base values' key). Each key is a frozen dataclass with one text form
(``str(key)``) and is read back by ``parse_log_key`` / ``parse_package_key`` alone; no other module
joins or splits these texts. The text forms are stored in databases and packages in the field:
they never change.

change log (entity → text):
    monthly_value     CellKey       `01/2024/4/A01`   branch/fiscal year/month/indicator
    year_value        YearKey       `01/2024/A01`     branch/fiscal year/indicator
    plan_item         PlanItemKey   `01/2024/2/15`    branch/fiscal year/pillar no/item no
    import_batch, a batch's rows    BatchKey      `batch/7`
    quarterly_status  QuarterKey    `12/Q3`           item id/Q quarter
    kpi_status        QuarterKey    `5/Q3`            KPI id/Q quarter
    row_status        QuarterKey    `40/Q3`           rated row id/Q quarter
    kpi               KpiKey        `5`               KPI id
work package:
    ValueChangeKey    `value/01/2024/4/A01`
    RowChangeKey      `row/40/3/rating`               rated row id/quarter/field
    KpiChangeKey      `kpi/5/manual_result`
    YearTextChangeKey `year/12/results_text`         item id/field (第4四半期's year texts)
    BaseValueKey      `A01/4`                         indicator/month (the package's base values)
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CellKey:
    """Which month value: branch, fiscal year, calendar month, indicator."""
    branch: str
    fiscal_year: int
    month: int
    indicator: str

    def __str__(self) -> str:
        return f"{self.branch}/{self.fiscal_year}/{self.month}/{self.indicator}"


@dataclass(frozen=True)
class YearKey:
    """Which year value (a figure only known for the whole year)."""
    branch: str
    fiscal_year: int
    indicator: str

    def __str__(self) -> str:
        return f"{self.branch}/{self.fiscal_year}/{self.indicator}"


@dataclass(frozen=True)
class PlanItemKey:
    branch: str
    fiscal_year: int
    pillar_no: int
    item_no: int

    def __str__(self) -> str:
        return f"{self.branch}/{self.fiscal_year}/{self.pillar_no}/{self.item_no}"


@dataclass(frozen=True)
class BatchKey:
    batch_id: int

    def __str__(self) -> str:
        return f"batch/{self.batch_id}"


@dataclass(frozen=True)
class QuarterKey:
    """A plan item's (a KPI's, a rated row's) status in one quarter."""
    owner_id: int
    quarter: int

    def __str__(self) -> str:
        return f"{self.owner_id}/Q{self.quarter}"


@dataclass(frozen=True)
class KpiKey:
    kpi_id: int

    def __str__(self) -> str:
        return str(self.kpi_id)


LogKey = CellKey | YearKey | PlanItemKey | BatchKey | QuarterKey | KpiKey


def parse_log_key(entity: str, text: str) -> LogKey:
    """A change log row's key, read back by the row's entity."""
    parts = text.split("/")
    if parts[0] == "batch":
        return BatchKey(int(parts[1]))
    if entity == "monthly_value":
        branch, fy, month, code = parts
        return CellKey(branch, int(fy), int(month), code)
    if entity == "year_value":
        branch, fy, code = parts
        return YearKey(branch, int(fy), code)
    if entity == "plan_item":
        branch, fy, pillar_no, item_no = parts
        return PlanItemKey(branch, int(fy), int(pillar_no), int(item_no))
    if entity in ("quarterly_status", "kpi_status", "row_status"):
        owner, quarter = parts
        return QuarterKey(int(owner), int(quarter.removeprefix("Q")))
    if entity == "kpi":
        return KpiKey(int(text))
    raise ValueError(f"unknown change log entity {entity!r}")


# --- work packages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueChangeKey:
    branch: str
    fiscal_year: int
    month: int
    indicator: str

    def __str__(self) -> str:
        return f"value/{self.branch}/{self.fiscal_year}/{self.month}/{self.indicator}"


@dataclass(frozen=True)
class RowChangeKey:
    row_id: int
    quarter: int
    field: str           # progress_text, rating or national_rank

    def __str__(self) -> str:
        return f"row/{self.row_id}/{self.quarter}/{self.field}"


@dataclass(frozen=True)
class KpiChangeKey:
    kpi_id: int

    def __str__(self) -> str:
        return f"kpi/{self.kpi_id}/manual_result"


@dataclass(frozen=True)
class YearTextChangeKey:
    """An item's year text (目標達成状況), written on 第4四半期."""
    item_id: int
    field: str           # results_text or next_year_text

    def __str__(self) -> str:
        return f"year/{self.item_id}/{self.field}"


PackageKey = ValueChangeKey | RowChangeKey | KpiChangeKey | YearTextChangeKey


def parse_package_key(text: str) -> PackageKey:
    """A work package change's key."""
    kind, *rest = text.split("/")
    if kind == "value":
        branch, fy, month, code = rest
        return ValueChangeKey(branch, int(fy), int(month), code)
    if kind == "row":
        row_id, quarter, field = rest
        return RowChangeKey(int(row_id), int(quarter), field)
    if kind == "kpi":
        return KpiChangeKey(int(rest[0]))
    if kind == "year":
        item_id, field = rest
        return YearTextChangeKey(int(item_id), field)
    raise ValueError(f"unknown package key {text!r}")


@dataclass(frozen=True)
class BaseValueKey:
    """A value in the package's base (what the database held when the package was made)."""
    indicator: str
    month: int

    def __str__(self) -> str:
        return f"{self.indicator}/{self.month}"
