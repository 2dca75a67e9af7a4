"""点検: the plausibility rules of a row of monthly figures (domain.md, Plausibility).

The rules of an indicator come from its kind and unit (:func:`rules_for`) and can be
overridden per indicator as data — the catalogue entry's ``"plausibility"`` object, keys of
:data:`OVERRIDES` (``{"max": 200}`` for a rate that may pass 100 %, ``{"jump": null}`` to
switch the jump check off). A rule never blocks a figure: it gives a :class:`Flag` with the
reason in Japanese, shown where the figure is and acknowledged by a person.

| rule      | when                                                                        |
|-----------|-----------------------------------------------------------------------------|
| range     | below ``min`` (0 for every kind) or above ``max`` (100 for a ``%`` unit)       |
| integer   | a count (件 人 回 事業所) with decimals                                      |
| fraction  | a ``%`` figure below 1 where the rest of the row reads ≥ 10 (0.935 for 93.5) |
| jump      | more than ``jump``× (3) or less than 1/``jump`` of each of its neighbours and |
|           | of the same month last year (at least two of them known, none zero; a count |
|           | only when one of them reaches 10: 0 beside 2 and 2 is no news)               |
| falls     | a cumulative count (件 人 回 事業所) lower than the month before               |
| parts     | a total ≠ the sum of its parts; a ratio ≠ numerator ÷ denominator           |
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from statistics import median

from app.core import yearcol
from app.core.fiscal import FISCAL_MONTHS, month_label
from app.core.indicator_kinds import kind_of
from app.core.values import format_value

Months = Mapping[int, float | None]
RANKS = range(1, 48)                  # national ranks: 47 branches
_WHOLE_UNITS = frozenset({"件", "人", "回", "事業所"})
#: override key → the type its value must have (None allowed for min, max and jump)
OVERRIDES = {"min": float, "max": float, "integer": bool, "fraction": bool, "jump": float,
             "rises": bool, "parts": bool}
_FIELD = {"min": "minimum", "max": "maximum"}


@dataclass(frozen=True)
class Rules:
    minimum: float | None = 0
    maximum: float | None = None
    integer: bool = False
    fraction: bool = False
    jump: float | None = 3
    rises: bool = False
    parts: bool = True


@dataclass(frozen=True)
class Flag:
    """One warning: the month, the figure it is about, the rule and the reason (Japanese)."""
    month: int
    value: float
    rule: str
    reason: str


def check_overrides(raw: object) -> str | None:
    """Why a catalogue entry's ``plausibility`` object cannot be used (None when it can)."""
    if not isinstance(raw, Mapping):
        return "キーと値のオブジェクトにしてください (must be an object)"
    for key, value in raw.items():
        kind = OVERRIDES.get(key)
        if kind is None:
            return f"未知の規則 '{key}' (unknown rule; one of {sorted(OVERRIDES)})"
        if kind is bool and not isinstance(value, bool):
            return f"'{key}' は true/false にしてください (must be a boolean)"
        if kind is float and value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return f"'{key}' は数値か null にしてください (must be a number or null)"
    if raw.get("jump") is not None and raw["jump"] <= 1:
        return "'jump' は 1 より大きい倍率にしてください (must be above 1)"
    return None


def rules_for(ind) -> Rules:
    """The indicator's rules: from its kind and unit, then its catalogue overrides."""
    percent = ind.unit == "%"
    kind = kind_of(ind.kind, ind.unit)
    rules = Rules(
        maximum=100 if percent else None,
        integer=ind.unit in _WHOLE_UNITS and kind.year != "weighted",
        fraction=percent,
        jump=3 if kind.jumps else None,
        rises=kind.rises and ind.unit in _WHOLE_UNITS,
    )
    overrides = dict(ind.plausibility or ())
    return replace(rules, **{_FIELD.get(k, k): v for k, v in overrides.items()}) if overrides else rules


def is_whole(ind) -> bool:
    """Is the indicator counted in whole numbers (its figures shown without decimals)?"""
    return rules_for(ind).integer


def check_row(ind, months: Months, *, last_year: Months | None = None,
              parts: Mapping[str, Months] | None = None) -> list[Flag]:
    """The warnings of one fiscal year's months of an indicator, in fiscal order.
    ``last_year``: the same indicator's months a year earlier; ``parts``: the months of the
    indicators it is the total or the ratio of (by code)."""
    rules, last_year, parts = rules_for(ind), last_year or {}, parts or {}
    shown = {m: v for m, v in months.items() if v is not None}
    order = [m for m in FISCAL_MONTHS if m in shown]
    out: list[Flag] = []

    def text(x: float) -> str:
        return format_value(x, unit=ind.unit, kind=ind.kind)

    for i, m in enumerate(order):
        v = shown[m]

        def flag(rule: str, reason: str) -> None:
            out.append(Flag(m, v, rule, f"{month_label(m)} {text(v)}: {reason}"))

        if rules.minimum is not None and v < rules.minimum:
            flag("range", f"{text(rules.minimum)} 未満です")
        if rules.maximum is not None and v > rules.maximum:
            flag("range", f"{text(rules.maximum)} を超えています")
        if rules.integer and not float(v).is_integer():
            flag("integer", f"{ind.unit}数に小数があります")
        if rules.fraction and 0 < v < 1:
            others = [x for x in (*[shown[o] for o in order if o != m], *last_year.values())
                      if x is not None and x > 0]
            if others and median(others) >= 10:
                flag("fraction", f"割合を小数で入力していませんか（{text(v * 100)} の意味？）")
        neighbours = [shown[order[j]] for j in (i - 1, i + 1) if 0 <= j < len(order)
                      and abs(FISCAL_MONTHS.index(order[j]) - FISCAL_MONTHS.index(m)) == 1]
        if rules.jump is not None and not (out and out[-1].month == m and out[-1].rule == "fraction"):
            bases = [*neighbours, *([last_year[m]] if last_year.get(m) is not None else [])]
            small = rules.integer and max(v, *bases, 0) < 10
            if len(bases) >= 2 and all(b > 0 for b in bases) and v >= 0 and not small:
                if all(v > b * rules.jump for b in bases) or all(v * rules.jump < b for b in bases):
                    flag("jump", f"前後の月・前年同月（{'、'.join(text(b) for b in bases)}）と大きく違います")
        before = shown.get(order[i - 1]) if i and FISCAL_MONTHS.index(order[i - 1]) == FISCAL_MONTHS.index(m) - 1 else None
        if rules.rises and before is not None and v < before:
            flag("falls", f"累計が前月の {text(before)} より減っています")
        if rules.parts:
            _check_parts(ind, m, v, parts, text, flag)
    return out


def _check_parts(ind, m: int, v: float, parts: Mapping[str, Months], text, flag) -> None:
    if ind.sum_of and all(parts.get(c, {}).get(m) is not None for c in ind.sum_of):
        total = sum(parts[c][m] for c in ind.sum_of)
        if abs(total - v) > 1e-6 * max(1.0, abs(v)):
            flag("parts", f"内訳の計 {text(total)} と一致しません")
    if ind.is_ratio_with_parts:
        codes = [ind.numerator, *ind.denominator]
        if all(parts.get(c, {}).get(m) is not None for c in codes):
            computed = yearcol.year_figure(ind, {}, {c: {m: parts[c][m]} for c in codes}, until=[m])
            if computed is not None and not same_shown(v, computed):
                flag("parts", f"分子・分母から計算した {format_value(computed, unit=ind.unit, kind=ind.kind, decimals=places(v))}"
                              " と一致しません")


def check_rank(rank: int | float | None) -> str | None:
    """Why a national rank is implausible (None when it is plausible or empty)."""
    if rank is None or (float(rank).is_integer() and int(rank) in RANKS):
        return None
    return f"全国順位 {format_value(rank)} は 1〜47 の整数ではありません"


def places(value: float) -> int:
    """The decimals a stored figure was written with (6.14 → 2, 2481.0 → 0)."""
    text = repr(float(value))
    return 0 if float(value).is_integer() or "e" in text else len(text.split(".")[1])


def same_shown(typed: float, computed: float) -> bool:
    """Does a typed figure agree with a computed one at the typed figure's own precision?"""
    return abs(typed - computed) <= 0.5 * 10 ** -places(typed) + 1e-9
