"""The command line of working together (docs/cli.md): ``users`` registers the users of a
shared database, ``package write|read [--apply]`` does what the work-package dialogs do."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from app.core.log import os_reason
from app.core.quoting import visible
from app.cli.common import Parser, UsageError, parse_branch, parse_fy, write_rows
from app.core.catalogue import GROUP_NAMES


def add_parsers(sub) -> None:

    us = sub.add_parser("users", help="共有モードの利用者（一覧、または --add で登録）")
    us.add_argument("--add", metavar="LOGIN", help="登録するログイン名（サーバーではログインを作ります）")
    us.add_argument("--branch", metavar="CODE", help="登録する利用者の支部（--add と）")
    us.add_argument("--group", choices=GROUP_NAMES, help="登録する利用者のグループ（--add と）")
    us.add_argument("--admin", action="store_true", help="管理者として登録する（利用者の登録、事業計画の取り込みなど）")
    us.add_argument("--password-file", metavar="F", help="新しいログインのパスワードを 1 行目から読むファイル")

    pk = sub.add_parser("package", help="作業用ブック（書き出し・取り込み）",
                        description="グループの作業用ブック: write で書き出し、read で変更を確かめて取り込む")
    actions = pk.add_subparsers(dest="action", required=True, parser_class=Parser, title="操作", metavar="write|read")
    w = actions.add_parser("write", help="グループの作業用ブックを書き出す")
    w.add_argument("--group", choices=GROUP_NAMES, required=True, help="書き出すグループ")
    w.add_argument("--fy", required=True, metavar="YEAR", help="年度: 2024、R6、令和6年度 のどれでも")
    w.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True, help="四半期: 1〜4")
    w.add_argument("--out", required=True, metavar="FILE.xlsx", help="書き出すブック")
    r = actions.add_parser("read", help="作業用ブックの変更を表示する（--apply で保存）")
    r.add_argument("file", metavar="FILE.xlsx", help="戻ってきた作業用ブック")
    r.add_argument("--apply", action="store_true", help="変更を保存する（省略すると表示だけ）")
    side = r.add_mutually_exclusive_group()
    side.add_argument("--prefer-package", action="store_true", help="競合はブックの値にする")
    side.add_argument("--prefer-database", action="store_true", help="競合はデータベースの値を残す")


def _password(args, on_server: bool) -> str | None:

    if args.password_file:
        try:
            lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"--password-file: 読めません ({os_reason(exc)})") from None
        return lines[0] if lines else ""
    if not on_server:
        return None
    if not sys.stdin.isatty():
        raise UsageError("パスワードを --password-file で指定してください")
    import getpass

    first = getpass.getpass(f"{args.add} のパスワード（サーバーに既にあるログインは空のまま Enter）: ")
    if not first:
        return None
    if getpass.getpass("もう一度: ") != first:
        raise UsageError("パスワードが一致しません")
    return first


def cmd_users(db, args) -> int:
    from sqlalchemy import select

    from app.operations.ops import add_user
    from db.models import AppUser

    if args.add:
        branch = parse_branch(args.branch)
        if branch is None or args.group is None:
            raise UsageError("--add には --branch と --group が要ります")
        from app.store.users import may_register

        with db.session() as s:
            may_register(s, db.user)                 # before asking for a password
        said = add_user(db, args.add, branch, args.group, admin=args.admin, password=_password(args, not db.is_sqlite))
        print(said, file=sys.stderr)
    elif args.admin or args.password_file or args.branch or args.group:
        raise UsageError("--branch・--group・--admin・--password-file は --add と使います")
    with db.session() as s:
        rows = [{"login": u.login, "branch": u.branch_code, "group": u.group_name, "admin": "yes" if u.admin else "no"}
                for u in s.scalars(select(AppUser).order_by(AppUser.login))]
    write_rows(rows, ["login", "branch", "group", "admin"], "csv")
    return 0


def shown(value) -> str:
    """A value in machine output: numbers as numbers, texts quoted with line breaks visible."""
    from app.core.values import format_number

    if value is None or value == "":
        return "－"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return visible(json.dumps(str(value), ensure_ascii=False))      # C0 by JSON, C1 and the rest by visible


def cmd_package(db, args) -> int:

    if args.action == "write":
        from app.workpackage.package import export_package

        if not db.home_branch:
            raise UsageError("このデータベースには既定の支部がありません（事業計画を取り込んでください）")
        out = export_package(db, db.home_branch, parse_fy(args.fy), args.group, args.quarter, args.out, db.user)
        print(visible(f"作業用ブックを書き出しました: {out}"), file=sys.stderr)
        return 0
    from app.workpackage.package import bring_back_package, read_package

    if not Path(args.file).is_file():
        print(f"{visible(args.file)}: ファイルがありません", file=sys.stderr)
        return 2
    diff = read_package(db, args.file)
    for c in diff.changes:
        line = f"{visible(str(c.cell))}: {shown(c.base)} -> {shown(c.theirs)}"
        print(line + (f" (競合: データベースでは {shown(c.ours)} に変更済み)" if c.conflict else ""))
    for w in diff.warnings:
        print(f"{w} (警告)", file=sys.stderr)
    print(f"{visible(Path(args.file).name)}: {visible(str(diff.sender))} の作業用ブック: 変更 {len(diff.changes)} 件"
          f"（うち競合 {len(diff.conflicts)} 件）", file=sys.stderr)
    if not args.apply:
        return 0
    prefer = "theirs" if args.prefer_package else "ours" if args.prefer_database else None
    if diff.conflicts and prefer is None:
        print("競合があります: --prefer-package か --prefer-database を指定してください。何も保存していません",
              file=sys.stderr)
        return 1
    bring_back_package(db, diff, {c.key: prefer for c in diff.conflicts})
    stored = len(diff.changes) - (len(diff.conflicts) if prefer == "ours" else 0)
    print(f"保存しました: {stored} 件（作業用ブックは取り込み済みになりました）", file=sys.stderr)
    return 0
