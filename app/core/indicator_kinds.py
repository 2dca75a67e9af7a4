"""Indicator kinds (指標の種別): what each kind means for reading, the year column, the checks and
the documents — the one place a kind's behaviour is written. A new kind is one entry here and its
indicators in the catalogue (resources/indicators.json).

| kind       | 種別   | year column (app.core.yearcol)                 | figures        |
|------------|--------|------------------------------------------------|----------------|
| count      | 件数   | sum of the months                              | whole          |
| amount     | 金額   | sum of the months                              | whole          |
| ratio      | 率     | recomputed from its parts' sums, else the mean |                |
| average    | 平均   | weighted by its count where one exists         |                |
| cumulative | 累計   | the latest month's value                       | whole, rising  |
| stock      | 月末現在 | the latest month's value                     | whole          |
| duration   | 時間   | mean of the months                             | h:mm, minutes  |
| event      | 実施日 | number of events                               | dates → count  |
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndicatorKind:
    name: str
    label: str
    year: str                # the year column: sum, ratio, weighted, latest, mean or events
    whole: bool = False      # figures are whole numbers (a percentage aside)
    clock: bool = False      # a time in h:mm, stored in minutes (unit 'h:mm' means this kind too)
    dated: bool = False      # cells hold dates (12/11, 5/16、5/30): the figure is their number
    jumps: bool = True       # a month far above or below its neighbours is worth a look
    rises: bool = False      # never falls within a year (a running total)
    quarters: bool = False   # the quarterly document gives it a table by quarter

    @property
    def summed(self) -> bool:
        """Its months add up: a total of parts (sum_of), bars in a chart, a year-to-date line."""
        return self.year == "sum"


KINDS: dict[str, IndicatorKind] = {k.name: k for k in (
    IndicatorKind("count", "件数", "sum", whole=True, quarters=True),
    IndicatorKind("amount", "金額", "sum", whole=True, quarters=True),
    IndicatorKind("ratio", "率", "ratio", quarters=True),
    IndicatorKind("average", "平均", "weighted"),
    IndicatorKind("cumulative", "累計", "latest", whole=True, jumps=False, rises=True),
    IndicatorKind("stock", "月末現在", "latest", whole=True),
    IndicatorKind("duration", "時間", "mean", clock=True),
    IndicatorKind("event", "実施日", "events", whole=True, dated=True, jumps=False),
)}


def kind_of(kind: str, unit: str = "") -> IndicatorKind:
    """The kind of an indicator of this kind name and unit: a unit of 'h:mm' is a duration
    whatever its kind says; an unknown name reads as a count."""
    if unit == "h:mm":
        return KINDS["duration"]
    return KINDS.get(kind) or KINDS["count"]
