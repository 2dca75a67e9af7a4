"""Who may change what (shared mode): every write path of the services calls these checks.

Each user belongs to a branch and a group: a group leader changes only the group's indicators and
items (their month values, statuses, ratings, KPI results), the 企画総務 group all of its branch's,
nobody another branch's data. Admins — a login registered with ``--admin``, and on a server a
superuser or the login that set the database up (the owner of its tables) — do what the branch
needs besides: register users, import the plan and headquarters' by-branch tables, map labels,
undo anyone's import, restore a backup.

Who is acting: on PostgreSQL the server login (ops passes ``Database.user``), and the server
enforces the same rules itself (grants and row-level security, migration 0006) whatever client
writes — these checks give the clear message first. On SQLite the operating-system user, and
a database with no registered users belongs to one person: everything is allowed.
"""
from __future__ import annotations

from sqlalchemy import select, text

from app.core.errors import PermissionDenied
from db.models import AppUser, Indicator

ALL_BRANCH = "企画総務"


def on_server(s) -> bool:
    return s.get_bind().dialect.name != "sqlite"


def shared(s) -> bool:
    """Does who is acting matter? Always on a server; on SQLite once users are registered. Asked
    once per operation (session), as is_admin is: an edit checks every cell."""
    if "branch_report_shared" not in s.info:
        s.info["branch_report_shared"] = on_server(s) or s.scalar(select(AppUser.login).limit(1)) is not None
    return s.info["branch_report_shared"]


def user_of(s, login: str) -> AppUser | None:
    return s.get(AppUser, login)


def is_admin(s, who: str) -> bool:
    """On a server the server's own answer for the login (superuser, owner of the tables, or
    registered as admin); on SQLite a registered admin, or anyone while nobody is registered."""
    key = ("branch_report_admin", who)
    if key not in s.info:
        if on_server(s):
            s.info[key] = bool(s.scalar(text("SELECT branch_report_is_admin()")))
        else:
            user = user_of(s, who)
            s.info[key] = not shared(s) or bool(user and user.admin)
    return s.info[key]


def allowed(user: AppUser, branch: str, group: str) -> bool:
    if user.branch_code != branch:
        return False
    return user.group_name == ALL_BRANCH or user.group_name in group or "全グループ" in group


def _check(s, who: str, branch: str, group: str, what: str) -> None:
    if not shared(s) or is_admin(s, who):
        return
    user = user_of(s, who)
    if user is None:
        raise PermissionDenied(f"{who} はこのデータベースの利用者として登録されていません")
    if not allowed(user, branch, group):
        raise PermissionDenied(f"{who}（{user.branch_code} {user.group_name}グループ）は{what}を変更できません")


def check_indicator(s, catalogue, who: str, branch: str, indicator: str) -> None:
    ind = catalogue.get(indicator) if catalogue is not None else None
    group = ind.group if ind else (s.scalar(select(Indicator.group_name).where(Indicator.code == indicator)) or "")
    _check(s, who, branch, group, f"{branch} 支部の「{ind.name if ind else indicator}」（{group}）")


def check_item(s, who: str, item) -> None:
    branch = item.pillar.branch_code
    _check(s, who, branch, item.owner_group or "", f"{branch} 支部の項目「{item.title}」（{item.owner_group}）")


def check_group(s, who: str, branch: str, group: str) -> None:
    """A group's work package: its leader, 企画総務 of the branch, or an admin brings it back."""
    _check(s, who, branch, group, f"{branch} 支部の{group}グループの作業用ブック")


def check_import(s, catalogue, who: str, ext) -> None:
    """A plan or headquarters' tables (every branch's figures): an admin; monthly sheets: each
    indicator."""
    if ext.layout in ("plan", "national", "progress"):
        check_admin(s, who, "事業計画・本部の支部別表・進捗状況の取り込み")
        return
    for code in {v.indicator for v in ext.values}:
        check_indicator(s, catalogue, who, ext.branch or "", code)


def check_plan(s, who: str, branch: str) -> None:
    """The plan (its items and KPIs, how a KPI is read) is the whole branch's: an admin, as the
    server enforces it too."""
    check_admin(s, who, f"{branch} 支部の事業計画の変更")


def check_admin(s, who: str, what: str) -> None:
    """What the whole branch shares (users, label mappings, the plan, restoring): an admin."""
    if not is_admin(s, who):
        raise PermissionDenied(f"{who} には{what}はできません（管理者の作業です）")


def check_undo_import(s, who: str, batch) -> None:
    """Undoing an import: an admin, or whoever imported it (monthly sheets of her own group)."""
    if is_admin(s, who):
        return
    if batch.layout in ("plan", "national", "progress") or batch.imported_by != who:
        check_admin(s, who, f"取込「{batch.file_name}」（{batch.imported_by}）の取り消し")


def check_undo_edit(s, who: str, op) -> None:
    """Undoing (or redoing) an edit: an admin, or whoever made it."""
    if op.who != who and not is_admin(s, who):
        raise PermissionDenied(f"{who} は {op.who} の変更を元に戻せません（自分の変更だけです）")
