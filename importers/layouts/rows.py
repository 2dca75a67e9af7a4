"""An item's rated rows (評価行, domain.md) read from its plan text (計画内容) and KPIs.

The plan text is cut into sub-points at the lines that start with a marker — ``（１）`` ``(1)``
``1）`` ``①`` ``・``, full- or half-width. The first marker kind met is the item's sub-point kind;
lines with another marker (``・`` bullets under ``（１）``) and lines without one continue the
sub-point above. A ``【KPI】`` line belongs to the sub-point above it (which becomes a KPI row; a
``【KPI】【業績評価】`` line makes it a 【業績評価】 row too); a ``【業績評価】`` line on its own is a row of
its own. Each of the item's KPIs is put on the row whose text holds its sentence, else on the
row of the same marker number (``（２）【KPI】…`` in a KPI column), else on the first row.
"""
from __future__ import annotations

import re

from importers.base import KpiRecord, RowRecord

_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_MARKER = re.compile(r"^\s*(?:(?P<paren>\(\s*(?P<pn>\d{1,2})\s*\))|(?P<num>(?P<nn>\d{1,2})\))"
                     r"|(?P<circ>[①-⑳])|(?P<bullet>・))")
KPI, PERFORMANCE, INCENTIVE = "【KPI】", "【業績評価】", "インセンティブ"


def marker(line: str) -> tuple[str, int] | None:
    """The sub-point marker a line starts with: (kind, number) — ('paren', 2) for （２）."""
    m = _MARKER.match(line.translate(_FOLD))
    if not m:
        return None
    if m["bullet"]:
        return "bullet", 0
    if m["circ"]:
        return "circ", _CIRCLED.index(m["circ"]) + 1
    return ("paren", int(m["pn"])) if m["paren"] else ("num", int(m["nn"]))


def tags_of(text: str) -> tuple[bool, bool, bool]:
    """(KPI, 業績評価, インセンティブ) as a row's own text says them."""
    folded = re.sub(r"\s", "", text.translate(_FOLD))
    return "【KPI】" in folded, PERFORMANCE in folded, f"【{INCENTIVE}" in folded


def split_rows(plan_text: str, kpis: tuple[KpiRecord, ...] = ()) -> tuple[RowRecord, ...]:
    rows: list[list] = []          # [lines, is_kpi, is_performance, marker]
    kind = None
    for raw in str(plan_text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        folded = re.sub(r"\s", "", line.translate(_FOLD))
        mark = marker(line)
        if folded.startswith(PERFORMANCE):
            rows.append([[line], False, True, None])
            continue
        if folded.startswith("【KPI】") and rows:
            rows[-1][0].append(line)
            rows[-1][1] = True
            rows[-1][2] = rows[-1][2] or PERFORMANCE in folded
            continue
        if mark and (kind is None or mark[0] == kind):
            kind = mark[0]
            rows.append([[line], False, False, mark])
        elif rows:
            rows[-1][0].append(line)
        else:                       # text before the first marker
            is_kpi, is_perf, _ = tags_of(line)
            rows.append([[line], is_kpi, is_perf, None])
    if not rows:
        rows.append([[str(plan_text or "").strip()], False, False, None])
    on: dict[int, list[int]] = {}
    squash = lambda t: re.sub(r"\s|【[^】]*】", "", t.translate(_FOLD))  # noqa: E731
    for position, kpi in enumerate(kpis, start=1):
        sentence = squash(kpi.text.splitlines()[0]) if kpi.text else ""
        found = next((i for i, r in enumerate(rows) if sentence and sentence in squash("".join(r[0]))), None)
        if found is None and (m := marker(re.sub(r"【[^】]*】", "", kpi.text))):
            found = next((i for i, r in enumerate(rows) if r[3] == m), None)
        found = found or 0
        on.setdefault(found, []).append(position)
        rows[found][1] = True
        rows[found][2] = rows[found][2] or PERFORMANCE in kpi.text
    return tuple(RowRecord("\n".join(lines), is_kpi, is_perf, f"【{INCENTIVE}" in "".join(lines),
                           tuple(on.get(i, ())))
                 for i, (lines, is_kpi, is_perf, _) in enumerate(rows))
