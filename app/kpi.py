"""KPI rules: reading a KPI sentence, resolving its target, proposing a rating.

``【KPI】現金給付等の申請に係る郵送化率を95.0％以上とする。`` → mail_rate >= 95.0;
``…査定率について前年度以上とする`` → >= last year's year-end figure (prev_fy);
``…を100％とする`` → == 100 (met at 100 or more, in the indicator's direction).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


RATINGS = ("◎", "○", "△", "×", "□")
RATING_MEANING = {"◎": "目標を上回る", "○": "目標達成（計画通り）", "△": "目標未達",
                  "×": "未実施", "□": "未実施（これから実施）"}
ABOVE_MARGIN = 0.05     # ◎ when the result beats the target by 5 % of it or more

_START = re.compile(r"^\s*(【KPI】|[①-⑳]|\d+-\d+[)）]|\(\d+\)|（\d+）)")
_PREV = re.compile(r"(?:対)?前年度(?:末)?(?:実績)?(以上|以下)")
_BOUND = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(%|円|日|事業所|件|人|回)?\s*(以上|以下|以内|未満)")
_EXACT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(%|円|日|事業所|件|人|回)?\s*とする")
_OPS = {"以上": ">=", "以下": "<=", "以内": "<=", "未満": "<="}


@dataclass(frozen=True)
class KpiRule:
    indicator: str | None
    op: str                    # '>=', '<=', '=='
    target: float | None       # None for prev_fy and qualitative
    rule: str                  # 'value' | 'prev_fy' | 'qualitative'
    unit: str
    text: str                  # the sentence as written


def split_kpi_sentences(cell: str) -> list[str]:
    """A KPI cell → its sentences; a line not starting a new KPI continues the previous one."""
    out: list[str] = []
    for line in str(cell or "").splitlines():
        if not line.strip():
            continue
        if out and not (_START.match(line) or _START.match(unicodedata.normalize("NFKC", line))):
            out[-1] += line.strip()
        else:
            out.append(line.strip())
    return out


def parse_kpi(sentence: str, catalogue) -> KpiRule:
    text = unicodedata.normalize("NFKC", sentence)
    indicator = find_indicator(text, catalogue)
    unit = catalogue[indicator].unit if indicator else ""
    if m := _PREV.search(text):
        return KpiRule(indicator, _OPS[m.group(1)], None, "prev_fy", unit, sentence)
    bounds = list(_BOUND.finditer(text))
    if bounds:
        m = bounds[-1]
        return KpiRule(indicator, _OPS[m.group(3)], _number(m.group(1)), "value", m.group(2) or unit, sentence)
    if m := _EXACT.search(text):
        return KpiRule(indicator, "==", _number(m.group(1)), "value", m.group(2) or unit, sentence)
    return KpiRule(indicator, "==", None, "qualitative", unit, sentence)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def find_indicator(text: str, catalogue) -> str | None:
    """The indicator whose name or alias the sentence names (the longest such phrase).

    Phrases shorter than three characters, or shared by two indicators, say nothing; nor do
    asides in brackets (``返納金債権（診療報酬返還金（不当請求）を除く。）の回収率``).
    """
    from app.catalogue import normalize_label   # here: the window loads this module at start-up

    norm = normalize_label(text)
    while (bare := re.sub(r"\([^()]*\)", "", norm)) != norm:   # asides in brackets say nothing
        norm = bare
    owners: dict[str, set[str]] = {}
    for ind in catalogue:
        for phrase in {ind.name, *ind.aliases}:
            p = normalize_label(phrase)
            if len(p) >= 3:
                owners.setdefault(p, set()).add(ind.code)
    best = None
    for phrase, codes in owners.items():
        if len(codes) == 1 and phrase in norm and (best is None or len(phrase) > len(best[0])):
            best = (phrase, next(iter(codes)))
    return best[1] if best else None


OP_WORDS = {">=": "以上", "<=": "以下", "==": ""}


def target_text(rule: str, op: str, target: float | None, unit: str = "", kind: str = "count",
                decimals: int | None = None) -> str:
    """A KPI's target as users write it: '95%以上', '前年度 85.15%以上' (last year's figure once
    known, written like the indicator's figures (``decimals``), else '前年度以上'), '15%以下',
    '定性' for a target without a number."""
    from app.values import format_value

    word = OP_WORDS.get(op, "")
    if rule == "prev_fy":
        return "前年度" + (f" {format_value(target, unit=unit, kind=kind, decimals=decimals)}"
                          if target is not None else "") + word
    if target is None:
        return "定性"
    return format_value(target, unit=unit, kind=kind) + word


def resolve_target(rule: KpiRule, previous_year_figure: float | None) -> float | None:
    """The number to compare with: the fixed target, or last year's year-end figure."""
    if rule.rule == "prev_fy":
        return previous_year_figure
    return rule.target


def propose_rating(op: str, target: float | None, result: float | None,
                   higher_is_better: bool = True) -> str | None:
    """◎ above target, ○ met, △ not met; None when there is nothing to judge yet.

    ``==`` targets (``100％とする``) are met at the target or beyond it in the indicator's
    direction, and cannot be beaten.
    """
    if target is None or result is None:
        return None
    if op == "==":
        met = result >= target if higher_is_better else result <= target
        return "○" if met or abs(result - target) < 1e-9 else "△"
    if op == ">=":
        if result < target - 1e-9:
            return "△"
        return "◎" if result >= target + abs(target) * ABOVE_MARGIN and target else "○"
    if result > target + 1e-9:
        return "△"
    return "◎" if result <= target - abs(target) * ABOVE_MARGIN and target else "○"


def normalize_rating(mark: str | None) -> str | None:
    """〇 (U+3007) and ○ are the same mark."""
    if mark is None:
        return None
    mark = mark.strip().replace("〇", "○")
    return mark if mark in RATINGS else None
