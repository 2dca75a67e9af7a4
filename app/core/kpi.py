"""KPI rules: a KPI's target as users write it, and the rating its result proposes.

(A KPI sentence is read by importers/layouts/kpi_text.py: ``…郵送化率を95.0％以上とする。`` → mail_rate >= 95.0;
``…査定率について前年度以上とする`` → >= last year's year-end figure (prev_fy); ``…を100％とする``
→ == 100, met at 100 or more in the indicator's direction; 未満 and 超 are strict: '<' and '>'.)
"""
from __future__ import annotations



RATINGS = ("◎", "○", "△", "×", "□")
RATING_MEANING = {"◎": "目標を上回る", "○": "目標達成（計画通り）", "△": "目標未達",
                  "×": "未実施", "□": "未実施（これから実施）"}
ABOVE_MARGIN = 0.05     # ◎ when the result beats the target by 5 % of it or more

OP_WORDS = {">=": "以上", "<=": "以下", "<": "未満", ">": "超", "==": ""}


def target_text(rule: str, op: str, target: float | None, unit: str = "", kind: str = "count",
                decimals: int | None = None) -> str:
    """A KPI's target as users write it: '95%以上', '前年度 85.15%以上' (last year's figure once
    known, written like the indicator's figures (``decimals``), else '前年度以上'), '15%以下',
    '定性' for a target without a number."""
    from app.core.values import format_value

    word = OP_WORDS.get(op, "")
    if rule == "prev_fy":
        return "前年度" + (f" {format_value(target, unit=unit, kind=kind, decimals=decimals)}"
                          if target is not None else "") + word
    if target is None:
        return "定性"
    return format_value(target, unit=unit, kind=kind) + word


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
    if op in (">=", ">"):
        if result < target - 1e-9 or (op == ">" and result <= target + 1e-9):
            return "△"
        return "◎" if result >= target + abs(target) * ABOVE_MARGIN and target else "○"
    if result > target + 1e-9 or (op == "<" and result >= target - 1e-9):
        return "△"
    return "◎" if result <= target - abs(target) * ABOVE_MARGIN and target else "○"


def rows_rating(marks) -> str | None:
    """An item's rating from its rows' (when the user sets none): the worst of the rows that are
    under way — × if any row is ×, else △ if any is △, else ◎ if all are ◎, else ○; □ when every
    rated row is □ (still to come); None when no row is rated. Rows with no rating are left out."""
    rated = [m for m in marks if m]
    if not rated:
        return None
    done = [m for m in rated if m != "□"]
    if not done:
        return "□"
    for worst in ("×", "△"):
        if worst in done:
            return worst
    return "◎" if all(m == "◎" for m in done) else "○"


def normalize_rating(mark: str | None) -> str | None:
    """〇 (U+3007) and ○ are the same mark."""
    if mark is None:
        return None
    mark = mark.strip().replace("〇", "○")
    return mark if mark in RATINGS else None
