"""The year column (計 / 合計 / 平均) of an indicator, computed by its kind's ``year`` rule
(app.core.indicator_kinds): sum of the months, recomputed from a ratio's parts (never averaged),
weighted by an average's count where one exists, the latest month, the mean, or the number of
events.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.core.fiscal import FISCAL_MONTHS
from app.core.indicator_kinds import kind_of

Months = Mapping[int, float]          # calendar month → value (missing month: no value)


def _present(months: Months, only: Iterable[int] | None) -> list[tuple[int, float]]:
    wanted = FISCAL_MONTHS if only is None else [m for m in FISCAL_MONTHS if m in set(only)]
    return [(m, months[m]) for m in wanted if months.get(m) is not None]


def year_figure(indicator, months: Months, parts: Mapping[str, Months] | None = None,
                until: Iterable[int] | None = None) -> float | None:
    """The year (or year-to-date, with ``until`` months) figure; None when there is nothing.

    ``parts`` holds the months of the indicators a ratio or a weighted average needs.
    """
    parts = parts or {}
    values = _present(months, until)
    rule = kind_of(indicator.kind, indicator.unit).year
    if rule == "events":
        return float(sum(v for _, v in values))
    if rule == "ratio" and indicator.numerator and indicator.denominator:
        ratio = _ratio(indicator, parts, until)
        if ratio is not None:
            return ratio
    if not values:
        return None
    if rule == "sum":
        return float(sum(v for _, v in values))
    if rule == "latest":
        return values[-1][1]
    if rule == "weighted" and indicator.weight and indicator.weight in parts:
        weights = parts[indicator.weight]
        pairs = [(v, weights[m]) for m, v in values if weights.get(m)]
        total = sum(w for _, w in pairs)
        if pairs and len(pairs) == len(values) and total:
            return sum(v * w for v, w in pairs) / total
    # average without weights, duration, and a ratio whose parts are not stored: the mean
    return sum(v for _, v in values) / len(values)


def _ratio(indicator, parts: Mapping[str, Months], until) -> float | None:
    """Σ numerator ÷ Σ denominator × scale, over the months where every part is known."""
    codes = [indicator.numerator, *indicator.denominator]
    if any(c not in parts for c in codes):
        return None
    months = [m for m in (FISCAL_MONTHS if until is None else until)
              if all(parts[c].get(m) is not None for c in codes)]
    if not months:
        return None
    num = sum(parts[indicator.numerator][m] for m in months)
    den = sum(parts[c][m] for c in indicator.denominator for m in months)
    return num / den * indicator.scale if den else None


def parts_needed(indicator) -> list[str]:
    """The other indicators whose months the year figure uses."""
    rule = kind_of(indicator.kind, indicator.unit).year
    codes = [indicator.numerator, *indicator.denominator] if rule == "ratio" else []
    if rule == "weighted" and indicator.weight:
        codes.append(indicator.weight)
    return [c for c in codes if c]


def agrees(printed: float, computed: float | None, decimals: int | None, kind: str, unit: str = "") -> bool:
    """Does a printed year figure agree with the months, at the printed precision?

    Durations are printed truncated to the minute (2:27.6 → 2:27); other figures rounded.
    """
    if computed is None:
        return True
    if kind_of(kind, unit).clock:
        return abs(computed - printed) < 1
    step = 10.0 ** -(decimals or 0)
    return abs(computed - printed) <= step / 2 + 1e-9
