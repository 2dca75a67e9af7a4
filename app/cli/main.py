"""The command line: the same program without a window (docs/cli.md)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from app.documents.kinds import KINDS
from app.cli.common import Parser, UsageError, parse_branch, parse_fy, write_rows

VIEWS = ("grid", "chart", "status", "import", "report", "dashboard")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="branch-report", description="支部 事業計画 月次実績・実施状況")
    p.add_argument("--db", help="データベース: SQLite のファイル、または SQLAlchemy の URL")
    p.add_argument("--demo", action="store_true", help="サンプルデータの新しいコピーで開く")
    p.add_argument("--screenshot", metavar="PNG", help="画面を PNG に保存して終了する")
    p.add_argument("--view", choices=VIEWS, default=None, help="--screenshot で表示する画面")
    sub = p.add_subparsers(dest="verb", parser_class=Parser)

    v = sub.add_parser("values", help="保存されている月次の値")
    v.add_argument("--branch")
    v.add_argument("--fy")
    v.add_argument("--indicator", action="append")
    v.add_argument("--format", choices=("csv", "json"), default="csv")

    pl = sub.add_parser("plan", help="事業計画の項目と KPI")
    pl.add_argument("--branch")
    pl.add_argument("--fy")
    pl.add_argument("--format", choices=("csv", "json"), default="csv")

    im = sub.add_parser("import", help="Excel ブックを取り込む")
    im.add_argument("files", nargs="+", metavar="FILE")
    im.add_argument("--branch")
    im.add_argument("--map", action="append", default=[], metavar="'LABEL=CODE'",
                    help="ブックの見出し・行の名前がどの指標かを指定する（覚えて次回からも使います）")
    im.add_argument("--dry-run", action="store_true")
    im.add_argument("--json", action="store_true")
    side = im.add_mutually_exclusive_group()
    side.add_argument("--prefer-file", action="store_true")
    side.add_argument("--prefer-edits", action="store_true")

    r = sub.add_parser("ranks", help="支部別の表から全国順位")
    r.add_argument("--indicator", required=True)
    r.add_argument("--fy", required=True)
    r.add_argument("--branch")
    r.add_argument("--format", choices=("csv", "json"), default="csv")

    c = sub.add_parser("chart", help="指標の推移グラフを PNG に保存")
    c.add_argument("--indicator", required=True)
    c.add_argument("--fy", required=True)
    c.add_argument("--branch")
    c.add_argument("--out", required=True)

    e = sub.add_parser("export", help="四半期の資料を Excel / PDF に出力")
    e.add_argument("--branch")
    e.add_argument("--fy", required=True)
    e.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--kind", choices=tuple(KINDS), default="status")
    e.add_argument("--label", default="機密性2", help="機密性の表示 (ヘッダーに印字)")

    from app.cli.shared import add_parsers

    add_parsers(sub)                       # users, package

    rs = sub.add_parser("restore", help="バックアップから復元 (今の内容も先にバックアップします)")
    rs.add_argument("--from", dest="source", required=True)

    sub.add_parser("check", help="データベースの整合性を確かめる（壊れていれば最新の正常なバックアップを示す）")

    b = sub.add_parser("backup", help="データベースのバックアップ")
    b.add_argument("--out", required=True)
    return p


def run(args: argparse.Namespace, target, extra_verbs: dict | None = None) -> int:
    """Run a verb. ``extra_verbs`` ('chart' …: verb → function(db, args)) come from main.py: verbs
    that draw with Qt live in ui/, which app/ does not import."""
    from app.store.database import open_database

    from app.cli.shared import cmd_package, cmd_users

    verbs = {"values": cmd_values, "plan": cmd_plan, "import": cmd_import, "ranks": cmd_ranks,
             "backup": cmd_backup, "users": cmd_users, "package": cmd_package}
    if args.verb == "restore":                       # works on the file, not on an opened database
        return cmd_restore(target, args)
    if args.verb == "check":
        return cmd_check(target)
    verbs.update(extra_verbs or {})
    if args.verb not in verbs:
        raise UsageError(f"'{args.verb}' はこの版では使えません")
    db = open_database(target)
    try:
        return verbs[args.verb](db, args)
    finally:
        db.close()                     # the .sqlite3 file alone holds every change


def cmd_values(db, args) -> int:
    """Streamed in the database's order: the first line out at once, memory flat however many values."""
    from app.core.values import format_number
    from app.reads.queries import iter_monthly_values

    rows = iter_monthly_values(db, parse_branch(args.branch), parse_fy(args.fy), args.indicator)
    header = ["branch", "fiscal_year", "month", "indicator", "value"]
    if args.format == "json":
        write_rows((dict(zip(header, r)) for r in rows), header, "json")
    else:
        write_rows(((b, y, m, i, format_number(v)) for b, y, m, i, v in rows), header, "csv")
    return 0


def cmd_plan(db, args) -> int:
    from app.reads.queries import plan_items, plan_years

    branch = parse_branch(args.branch) or db.home_branch
    if branch is None:
        raise UsageError("--branch を指定してください (このデータベースには既定の支部がありません)")
    fy = parse_fy(args.fy) or (plan_years(db, branch) or [None])[-1]
    items = plan_items(db, branch, fy) if fy else []
    rows = []
    for it in items:
        for k in it.kpis or [None]:
            rows.append({"item_no": it.item_no, "title": it.title,
                         "kpi_index": k.index if k else "", "indicator": (k.indicator or "") if k else "",
                         "op": k.op if k else "", "target": k.target_text if k else "", "text": k.text if k else ""})
    if args.format == "json":
        for r in rows:
            r["kpi_index"] = r["kpi_index"] or None
            r["indicator"] = r["indicator"] or None
    write_rows(rows, ["item_no", "title", "kpi_index", "indicator", "op", "target", "text"], args.format)
    return 0


def cmd_import(db, args) -> int:
    from app.operations import ops
    prefer = "file" if args.prefer_file else "edits" if args.prefer_edits else None
    branch = parse_branch(args.branch)
    for f in args.files:
        if not Path(f).is_file():
            print(f"{f}: ファイルがありません", file=sys.stderr)
            return 2
    for mapping in args.map:
        label, _, code = mapping.partition("=")
        if not label.strip() or not code.strip():
            raise UsageError(f"--map は 'ラベル=指標コード' の形で指定してください ({mapping})")
        if code.strip() not in db.catalogue:
            raise UsageError(f"--map: 指標 '{code.strip()}' がありません")
        ops.learn_alias(db, label.strip(), code.strip())
    result = ops.import_files(db, args.files, branch=branch, dry_run=args.dry_run, prefer=prefer)
    reports = result.reports
    failed = result.failed
    if args.json:
        json.dump({"stored": result.stored and not failed, "files": [r.as_dict() for r in reports]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for r in reports:
            for p in r.errors + r.conflicts:
                print(p.line())
            for p in r.warnings:
                print(f"{p.line()} (警告)", file=sys.stderr)
        for r in reports:
            if failed:
                verb = "取り込んでいません（" + ("このファイルに問題があります" if r.errors or r.conflicts
                                               else "ほかのファイルに問題があるため") + "）"
            else:
                verb = "確認のみ (保存していません)" if args.dry_run else ("取り込みました" if r.stored else "変更はありません")
            print(f"{r.file}: {verb}: 追加 {r.inserted} / 更新 {r.updated} / 同じ値 {r.unchanged}"
                  + (f" / 計画 {r.plan_items} 項目" if r.plan_items else ""), file=sys.stderr)
        if not failed and not args.dry_run:
            for r in reports:
                if r.plan_of:
                    _print_kpis(db, *r.plan_of)
    return 1 if failed else 0


def _print_kpis(db, branch: str, fiscal_year: int) -> None:
    """After a plan import: how each KPI was read, the unread ones named, to confirm."""
    from app.core.kpi import target_text
    from app.reads.queries import plan_items
    from importers.base import visible
    from importers.layouts.kpi_text import unread as kpi_unread

    kpis = [(i, k) for i in plan_items(db, branch, fiscal_year) for k in i.kpis]
    todo = [(i, k) for i, k in kpis if not k.confirmed]
    unread = [(i, k) for i, k in todo if kpi_unread(k.rule, k.text)]
    print(f"KPI {len(kpis)} 件をこう読みました（未確認 {len(todo)} 件、読めなかったもの {len(unread)} 件。"
          "画面の ファイル → KPI の確認 で直して確定できます）:", file=sys.stderr)
    for item, k in todo:
        ind = db.catalogue[k.indicator].name if k.indicator in db.catalogue else "（手入力の結果）"
        reading = ("読めません（定性として残しました）" if (item, k) in unread
                   else f"{ind} {target_text(k.rule, k.op, k.target, k.unit)}")
        print(f"  項番{item.item_no} KPI{k.index}: {reading} 「{visible(k.text)}」", file=sys.stderr)


def cmd_ranks(db, args) -> int:
    from app.core.values import format_number
    from app.reads.ranks import national_ranks

    if args.indicator not in db.catalogue:
        raise UsageError(f"指標 '{args.indicator}' がありません")
    rows = national_ranks(db, args.indicator, parse_fy(args.fy), parse_branch(args.branch))
    out = [{"branch": r.branch, "fiscal_year": r.fiscal_year, "month": r.month, "indicator": r.indicator,
            "value": r.value if args.format == "json" else format_number(r.value), "rank": r.rank} for r in rows]
    write_rows(out, ["branch", "fiscal_year", "month", "indicator", "value", "rank"], args.format)
    return 0


def cmd_restore(target, args) -> int:
    from app.operations.ops import restore_backup as restore
    from app.store.database import default_database_path

    path = Path(target if target is not None else default_database_path()).expanduser()
    if "://" in str(target or ""):
        raise UsageError("restore は SQLite のデータベースにだけ使えます")
    safety = restore(path, Path(args.source))
    print(f"{args.source} から復元しました: {path}" + (f"（元の内容: {safety}）" if safety else ""), file=sys.stderr)
    return 0


def cmd_check(target) -> int:
    """SQLite's full integrity check of the database file; exit 1 with the damage named and the
    newest good backup proposed."""
    from app.store.backups import damaged
    from app.store.database import default_database_path
    from db.files import check_file

    if "://" in str(target or ""):
        raise UsageError("check は SQLite のデータベースにだけ使えます（共有サーバーはサーバーで確かめます）")
    path = Path(target if target is not None else default_database_path()).expanduser()
    if not path.exists():
        raise UsageError(f"{path} がありません")
    problem = check_file(path, full=True)
    if problem is None:
        print(f"{path}: 問題はありません", file=sys.stderr)
        return 0
    print(f"branch-report: {damaged(path, problem)}", file=sys.stderr)
    return 1


def cmd_backup(db, args) -> int:
    from db.engine import backup_sqlite

    out = backup_sqlite(db.engine, Path(args.out))
    print(f"バックアップしました: {out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None, extra_verbs: dict | None = None, open_window=None) -> int:
    """The command line. Without a verb it opens the window through ``open_window(target,
    screenshot=, view=)``, which main.py hands in (the window lives in ui/, above app/)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    demo = None
    try:
        args = build_parser().parse_args(argv)
        target = args.db
        if args.demo:
            from app.operations.demo import demo_copy

            target = demo = demo_copy()
        if args.verb:
            return run(args, target, extra_verbs)
        if open_window is None:
            print("branch-report: 画面はこの呼び出し方では開けません (branch-report または python main.py で起動してください)",
                  file=sys.stderr)
            return 2
        return open_window(target, screenshot=args.screenshot, view=args.view)
    except UsageError as exc:
        print(f"branch-report: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:          # `… | head`: the reader has gone, nothing more to say
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:        # Ctrl+C: every finished operation is stored; nothing half
        print("branch-report: 中断しました", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one Japanese line, never a traceback
        from app.store.failures import describe_failure
        from importers.base import visible

        print(f"branch-report: {visible(describe_failure(exc))}", file=sys.stderr)
        return 1
    finally:
        if demo is not None:         # --demo: its copy goes when the program ends
            import shutil

            shutil.rmtree(Path(demo).parent, ignore_errors=True)

