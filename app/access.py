"""Who may change what (shared mode): every write path of the services calls these checks.

A database with no registered users (app_user empty) belongs to one person: everything is
allowed. Once users are registered, each one belongs to a branch and a group: a group leader
changes only the group's indicators and items, the 企画総務 group all of its branch, and nobody
another branch's data. Enforced here, in the one service layer every write goes through, so
SQLite and PostgreSQL behave the same; a bypass means writing SQL by hand, not calling the app.
"""
from __future__ import annotations

from sqlalchemy import select

from app.errors import PermissionDenied
from db.models import AppUser

ALL_BRANCH = "企画総務"


def shared(s) -> bool:
    """Are users registered (in the operation's session ``s``)?"""
    return s.scalar(select(AppUser.login).limit(1)) is not None


def user_of(s, login: str) -> AppUser | None:
    return s.get(AppUser, login)


def allowed(user: AppUser, branch: str, group: str) -> bool:
    if user.branch_code != branch:
        return False
    return user.group_name == ALL_BRANCH or user.group_name in group or "全グループ" in group


def _check(s, who: str, branch: str, group: str, what: str) -> None:
    if not shared(s):
        return
    user = user_of(s, who)
    if user is None:
        raise PermissionDenied(f"{who} はこのデータベースの利用者として登録されていません")
    if not allowed(user, branch, group):
        raise PermissionDenied(f"{who}（{user.branch_code} {user.group_name}グループ）は{what}を変更できません")


def check_indicator(s, catalogue, who: str, branch: str, indicator: str) -> None:
    ind = catalogue.get(indicator)
    group = ind.group if ind else ""
    _check(s, who, branch, group, f"{branch} 支部の「{ind.name if ind else indicator}」（{group}）")


def check_item(s, who: str, item) -> None:
    branch = item.pillar.branch_code
    _check(s, who, branch, item.owner_group or "", f"{branch} 支部の項目「{item.title}」（{item.owner_group}）")


def check_import(s, catalogue, who: str, ext) -> None:
    """A plan or headquarters' tables: 企画総務 of the branch; monthly sheets: each indicator."""
    if not shared(s):
        return
    if ext.layout in ("plan", "national"):
        _check(s, who, ext.branch or "", ALL_BRANCH if ext.layout == "plan" else "", "事業計画・本部の支部別表")
        if ext.layout == "national":
            user = user_of(s, who)
            if user.group_name != ALL_BRANCH:
                raise PermissionDenied(f"{who} は本部の支部別表を取り込めません（企画総務グループの作業です）")
        return
    for code in {v.indicator for v in ext.values}:
        check_indicator(s, catalogue, who, ext.branch or "", code)


def check_plan(s, who: str, branch: str) -> None:
    """The plan (its items and KPIs) is the branch's: the 企画総務 group of that branch."""
    _check(s, who, branch, ALL_BRANCH, f"{branch} 支部の事業計画")


def check_admin(s, who: str, what: str) -> None:
    """What the whole branch shares (label mappings, users): the 企画総務 group."""
    if not shared(s):
        return
    user = user_of(s, who)
    if user is None or user.group_name != ALL_BRANCH:
        raise PermissionDenied(f"{who} は{what}を変更できません（企画総務グループの作業です）")


def check_undo_import(s, who: str, batch) -> None:
    """Undoing an import: whoever may import it (a plan or headquarters' tables: 企画総務)."""
    if not shared(s):
        return
    if batch.layout in ("plan", "national") or batch.imported_by != who:
        check_admin(s, who, f"取込「{batch.file_name}」")


def add_user(s, login: str, branch: str, group: str, name: str = "") -> None:
    from app.errors import ValidationError

    if group not in ("業務", "レセプト", "保健", ALL_BRANCH):
        raise ValidationError(f"グループは 業務・レセプト・保健・企画総務 のいずれかです ({group})")
    s.merge(AppUser(login=login, branch_code=branch, group_name=group, name=name))
