"""What was submitted (提出): each submission with who, when, its note, its unlock (who, when, why)
and its kept documents."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.store.database import Database


@dataclass(frozen=True)
class KeptDocument:
    kind: str
    format: str
    file_name: str
    content: bytes


@dataclass(frozen=True)
class SubmissionView:
    id: int
    branch: str
    fiscal_year: int
    quarter: int
    submitted_by: str
    submitted_at: datetime
    note: str
    unlocked_by: str | None
    unlocked_at: datetime | None
    unlock_reason: str | None
    documents: tuple[KeptDocument, ...]

    @property
    def locked(self) -> bool:
        return self.unlocked_at is None


def submissions(db: Database, fiscal_year: int | None = None) -> list[SubmissionView]:
    """Every submission (of a fiscal year), oldest first, with its kept documents."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from db.models import Submission

    q = select(Submission).options(selectinload(Submission.documents)).order_by(Submission.id)
    if fiscal_year is not None:
        q = q.where(Submission.fiscal_year == fiscal_year)
    with db.session() as s:
        return [SubmissionView(x.id, x.branch_code, x.fiscal_year, x.quarter, x.submitted_by, x.submitted_at, x.note,
                               x.unlocked_by, x.unlocked_at, x.unlock_reason,
                               tuple(KeptDocument(d.kind, d.format, d.file_name, d.content) for d in x.documents))
                for x in s.scalars(q)]


def locked_quarters(db: Database, branch: str) -> dict[tuple[int, int], SubmissionView]:
    """The branch's quarters locked now: (fiscal year, quarter) → its submission (without the
    documents' bytes: the window asks this whenever it shows a year)."""
    from app.reads.queries import when

    return {(fy, q): SubmissionView(i, b, fy, q, who, when(at), note, None, None, None, ()) for i, b, fy, q, who, at, note in db.rows(
        "SELECT id, branch_code, fiscal_year, quarter, submitted_by, submitted_at, note FROM submission "
        "WHERE branch_code = :b AND unlocked_at IS NULL", b=branch)}


def admin_refusal(db: Database, what: str) -> str | None:
    """Why who is acting cannot do an admin's ``what`` (提出, 解除), or None when she can."""
    from app.core.errors import PermissionDenied
    from app.store.access import check_admin

    with db.session() as s:
        try:
            check_admin(s, db.user, what)
        except PermissionDenied as exc:
            return str(exc)
    return None
