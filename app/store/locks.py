"""Submitted quarters (提出) lock their figures: the months of a branch's quarter and its rated rows'
statuses. The database refuses such a change itself (migration 0012: triggers on SQLite and on the
server); the writers ask here first, so that the refusal names the quarter, who submitted it and
when, and who can unlock it — one line, nothing stored."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.core.errors import BranchReportError
from app.core.fiscal import format_fy, quarter_of
from db.models import PlanItem, PlanPillar, RatedRow, Submission

MARK = re.compile(r"branch_report_locked(?::(\d+)/(\d+)/(\d))?")


class QuarterLocked(BranchReportError):
    """A change to a submitted (locked) quarter."""


def _said(sub: Submission) -> str:
    from app.core.branches import branch_names

    return (f"{sub.branch_code} {branch_names().get(sub.branch_code, '')} {format_fy(sub.fiscal_year)}"
            f"第{sub.quarter}四半期は {sub.submitted_by} が {sub.submitted_at:%Y-%m-%d %H:%M} に提出済みのため変更できません"
            "（何も保存していません。変更するには管理者が branch-report unlock で鎖錠を解除します）")


def active(s) -> dict[tuple[str, int, int], Submission]:
    """The quarters locked now: (branch, fiscal year, quarter) → its submission (asked once per
    operation: an import checks every value)."""
    if "branch_report_locks" not in s.info:
        s.info["branch_report_locks"] = {(x.branch_code, x.fiscal_year, x.quarter): x for x in s.scalars(
            select(Submission).where(Submission.unlocked_at.is_(None)))}
    return s.info["branch_report_locks"]


def refuse_months(s, cells) -> None:
    """``cells``: (branch, fiscal year, calendar month) about to change; one in a locked quarter
    raises QuarterLocked."""
    locked = active(s)
    if not locked:
        return
    for branch, fy, month in cells:
        if (sub := locked.get((branch, fy, quarter_of(month)))) is not None:
            raise QuarterLocked(_said(sub))


def refuse_row(s, row_id: int, quarter: int) -> None:
    """A rated row's quarter about to change: refused while that quarter of its plan is locked."""
    locked = active(s)
    if not locked:
        return
    branch, fy = s.execute(select(PlanPillar.branch_code, PlanPillar.fiscal_year).join(PlanItem)
                           .join(RatedRow, RatedRow.item_id == PlanItem.id).where(RatedRow.id == row_id)).one()
    if (sub := locked.get((branch, fy, quarter))) is not None:
        raise QuarterLocked(_said(sub))


def refusal(session_factory, exc: BaseException) -> QuarterLocked | None:
    """The database's own refusal (a trigger of 0012) said as a line; None for any other failure.
    The server names the quarter; SQLite cannot, so every quarter locked now is named."""
    found = MARK.search(str(getattr(exc, "orig", None) or exc))
    if found is None:
        return None
    with session_factory() as s:
        locked = active(s)
    if found.group(1):
        key = (found.group(1), int(found.group(2)), int(found.group(3)))
        locked = {key: locked[key]} if key in locked else locked
    if len(locked) == 1:
        return QuarterLocked(_said(next(iter(locked.values()))))
    quarters = "、".join(f"{b} {format_fy(y)}第{q}四半期" for b, y, q in sorted(locked))
    return QuarterLocked(f"提出済みの四半期（{quarters}）は変更できません（何も保存していません。"
                         "変更するには管理者が branch-report unlock で鎖錠を解除します）")
