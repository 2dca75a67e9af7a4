"""The command line: the same program without a window (docs/cli.md)."""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

from app.documents.kinds import KINDS
from app.cli.common import Parser, UsageError, parse_branch, parse_fy, write_rows
from app.core.visible import visible

VIEWS = ("grid", "chart", "status", "import", "report", "dashboard")


#: The options several verbs share, described once.
BRANCH = "支部コード（10）か支部名（群馬）。省略するとデータベースの既定の支部"
FY = "年度: 2024、R6、令和6年度 のどれでも（年度の初めの西暦）"
FMT = "出力の形式: csv（既定）か json"


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="branch-report", description="支部 事業計画 月次実績・実施状況。動詞なしで起動すると画面を開きます")
    p.add_argument("--db", metavar="PATH|URL", help="データベース: SQLite のファイル、または SQLAlchemy の URL（省略すると既定のデータベース）")
    p.add_argument("--demo", action="store_true", help="サンプルデータの新しいコピーで開く（終わると消えます）")
    p.add_argument("--screenshot", metavar="PNG", help="画面を PNG に保存して終了する")
    p.add_argument("--view", choices=VIEWS, default=None, help="--screenshot で表示する画面")
    sub = p.add_subparsers(dest="verb", parser_class=Parser, title="動詞", metavar="VERB",
                           description="各動詞の説明は branch-report VERB --help")

    v = sub.add_parser("values", help="保存されている月次の値", description="保存されている月次の値（CSV: branch,fiscal_year,month,indicator,value）")
    v.add_argument("--branch", metavar="CODE", help="支部コード（10）か支部名（群馬）。省略するとすべての支部と全国（00）")
    v.add_argument("--fy", metavar="YEAR", help=FY + "。省略するとすべての年度")
    v.add_argument("--indicator", action="append", metavar="CODE", help="指標コード（branch-report indicators で一覧）。繰り返し指定できます")
    v.add_argument("--format", choices=("csv", "json"), default="csv", help=FMT)

    pl = sub.add_parser("plan", help="事業計画の項目と KPI", description="保存されている事業計画の項目と KPI")
    pl.add_argument("--branch", metavar="CODE", help=BRANCH)
    pl.add_argument("--fy", metavar="YEAR", help=FY + "。省略すると計画のある最新の年度")
    pl.add_argument("--format", choices=("csv", "json"), default="csv", help=FMT)

    im = sub.add_parser("import", help="Excel ブックを取り込む",
                        description="ブック（.xlsx/.xlsm/.xls/.ods）を取り込む。すべてのファイルを保存するか、何も保存しないかのどちらかです")
    im.add_argument("files", nargs="+", metavar="FILE", help="取り込むブック（種類は自動で見分けます）")
    im.add_argument("--branch", metavar="CODE", help="支部（ブックから分からないときに指定）")
    im.add_argument("--map", action="append", default=[], metavar="'LABEL=CODE'",
                    help="ブックの見出し・行の名前がどの指標かを指定する（覚えて次回からも使います）")
    im.add_argument("--dry-run", action="store_true", help="確かめるだけで保存しない")
    im.add_argument("--json", action="store_true", help="結果（件数・警告・エラー）を JSON で出力する")
    im.add_argument("--quarter", type=int, choices=(1, 2, 3, 4),
                    help="進捗状況のブックの四半期（既定: タイトルの「令和7年3月末現在」から）")
    side = im.add_mutually_exclusive_group()
    side.add_argument("--prefer-file", action="store_true", help="画面で直した値とぶつかるときはファイルの値にする")
    side.add_argument("--prefer-edits", action="store_true", help="画面で直した値とぶつかるときは直した値を残す")

    pg = sub.add_parser("progress", help="進捗状況の評価行と評価の集計")
    pg.add_argument("--fy", required=True)
    pg.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True)
    pg.add_argument("--branch")
    pg.add_argument("--format", choices=("csv", "json"), default="csv")

    r = sub.add_parser("ranks", help="支部別の表から全国順位", description="保存されている支部別の表から月ごとの全国順位（1 = 最良）")
    r.add_argument("--indicator", required=True, metavar="CODE", help="指標コード（branch-report indicators で一覧）")
    r.add_argument("--fy", required=True, metavar="YEAR", help=FY)
    r.add_argument("--branch", metavar="CODE", help="支部コードか支部名。省略するとすべての支部")
    r.add_argument("--format", choices=("csv", "json"), default="csv", help=FMT)

    c = sub.add_parser("chart", help="指標の推移グラフを PNG に保存", description="画面と同じ推移グラフを PNG に保存する")
    c.add_argument("--indicator", required=True, metavar="CODE", help="指標コード（branch-report indicators で一覧）")
    c.add_argument("--fy", required=True, metavar="YEAR", help=FY)
    c.add_argument("--branch", metavar="CODE", help=BRANCH)
    c.add_argument("--out", required=True, metavar="PNG", help="保存する PNG ファイル")

    e = sub.add_parser("export", help="四半期の資料を Excel / PDF に出力", description="四半期の資料を Excel（.xlsx）か PDF に出力する")
    e.add_argument("--branch", metavar="CODE", help=BRANCH)
    e.add_argument("--fy", required=True, metavar="YEAR", help=FY)
    e.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True, help="四半期: 1〜4")
    e.add_argument("--out", required=True, metavar="FILE", help="出力するファイル: .xlsx か .pdf")
    e.add_argument("--kind", choices=tuple(KINDS), default="status",
                   help="資料: status = 事業計画実施状況（既定）、progress = 進捗管理表、summary = 実績一覧")
    e.add_argument("--label", default="機密性2", help="機密性の表示（ヘッダーに印字。既定: 機密性2）")

    ind = sub.add_parser("indicators", help="指標の一覧（ほかの動詞が受け取るコード）",
                         description="指標の一覧（CSV: code,name,group,unit,kind）")
    ind.add_argument("--format", choices=("csv", "json"), default="csv", help=FMT)

    q = sub.add_parser("check-quarter", help="四半期の提出前チェック（残っているものがあれば終了コード 1）")
    q.add_argument("--fy", required=True)
    q.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True)
    q.add_argument("--branch")
    q.add_argument("--format", choices=("text", "json"), default="text")

    sm = sub.add_parser("submit", help="四半期を提出する（資料を保管し、その四半期を鎖錠します。管理者の作業）",
                        description="四半期の資料（実施状況・進捗状況・目標達成状況の PDF と Excel）を作ってデータベースに保管し、"
                                    "その四半期の月の値と評価行を鎖錠する（管理者の作業）")
    sm.add_argument("--fy", required=True, metavar="YEAR", help=FY)
    sm.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True, help="四半期: 1〜4")
    sm.add_argument("--branch", metavar="CODE", help=BRANCH)
    sm.add_argument("--note", default="", metavar="TEXT", help="提出のメモ（提出先など）")
    sm.add_argument("--label", default="機密性2", help="機密性の表示（資料のヘッダーに印字。既定: 機密性2）")

    ul = sub.add_parser("unlock", help="提出した四半期の鎖錠を解除する（理由が必要。管理者の作業）",
                        description="提出した四半期の鎖錠を解除する。理由は記録され、branch-report submitted で表示されます")
    ul.add_argument("--fy", required=True, metavar="YEAR", help=FY)
    ul.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), required=True, help="四半期: 1〜4")
    ul.add_argument("--branch", metavar="CODE", help=BRANCH)
    ul.add_argument("--reason", required=True, metavar="TEXT", help="解除の理由（記録されます）")

    sd = sub.add_parser("submitted", help="提出した四半期の一覧（--out で保管した資料を書き出す）",
                        description="提出した四半期（と解除）の一覧。--out で保管した資料を提出したときのまま書き出す")
    sd.add_argument("--fy", metavar="YEAR", help=FY + "。省略するとすべての年度")
    sd.add_argument("--out", metavar="DIR", help="保管した資料を書き出すフォルダ")

    from app.cli.shared import add_parsers

    add_parsers(sub)                       # users, package

    rs = sub.add_parser("restore", help="バックアップから復元 (今の内容も先にバックアップします)",
                        description="バックアップをデータベースの場所に戻す（今の内容も先にバックアップします）")
    rs.add_argument("--from", dest="source", required=True, metavar="FILE", help="戻すバックアップのファイル")

    sub.add_parser("check", help="データベースの整合性を確かめる（壊れていれば最新の正常なバックアップを示す）",
                   description="データベースの整合性を確かめる（壊れていれば最新の正常なバックアップを示す）")

    b = sub.add_parser("backup", help="データベースのバックアップ", description="データベースの一貫したコピーを作る")
    b.add_argument("--out", required=True, metavar="FILE", help="バックアップを書き出すファイル")
    return p


def run(args: argparse.Namespace, target, extra_verbs: dict | None = None) -> int:
    """Run a verb. ``extra_verbs`` ('chart' …: verb → function(db, args)) come from main.py: verbs
    that draw with Qt live in ui/, which app/ does not import."""
    if args.verb == "import":       # loading the store's modules, opening, reading and storing a book
        from importers.base import collector_paused     # make many objects and few cycles: the cyclic
                                                        # collector waits until the import is done
        with collector_paused():
            return _run(args, target, extra_verbs)
    return _run(args, target, extra_verbs)


def _run(args: argparse.Namespace, target, extra_verbs: dict | None = None) -> int:
    from app.store.database import open_database

    from app.cli.shared import cmd_package, cmd_users

    verbs = {"values": cmd_values, "plan": cmd_plan, "import": cmd_import, "ranks": cmd_ranks, "progress": cmd_progress, "indicators": cmd_indicators,
             "backup": cmd_backup, "check-quarter": cmd_check_quarter,
             "unlock": cmd_unlock, "submitted": cmd_submitted, "users": cmd_users, "package": cmd_package}
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
        if not db.close() and db.is_sqlite:          # the .sqlite3 file alone holds every change, or we say so
            print(f"branch-report: {db.UNFINISHED}", file=sys.stderr)


def cmd_values(db, args) -> int:
    """Streamed in the database's order: the first line out at once, memory flat however many values."""
    from app.core.values import format_number
    from app.reads.queries import iter_monthly_values, monthly_values

    for code in args.indicator or ():
        if code not in db.catalogue:
            raise UsageError(f"指標 '{code}' がありません（branch-report indicators で一覧を表示できます）")
    branch, fy = parse_branch(args.branch), parse_fy(args.fy)
    rows = iter_monthly_values(db, branch, fy, args.indicator)
    first = next(rows, None)
    if first is None:
        asked = "・".join(filter(None, (f"支部 {branch}" if branch else "", f"{fy}年度" if fy else "",
                                       "、".join(args.indicator or ()))))
        years = sorted({r.fiscal_year for r in monthly_values(db, branch)})
        print("branch-report: " + (f"{asked} の" if asked else "") + "値は保存されていません"
              + (f"（保存されている年度: {years[0]}〜{years[-1]}）" if years else "（まだ何も取り込まれていません）"),
              file=sys.stderr)
        return 1
    rows = itertools.chain([first], rows)
    header = ["branch", "fiscal_year", "month", "indicator", "value"]
    if args.format == "json":
        write_rows((dict(zip(header, r)) for r in rows), header, "json")
    else:
        write_rows(((b, y, m, i, format_number(v)) for b, y, m, i, v in rows), header, "csv")
    return 0


def cmd_indicators(db, args) -> int:
    rows = [{"code": i.code, "name": i.name, "group": i.group, "unit": i.unit, "kind": i.kind} for i in db.catalogue]
    write_rows(rows, ["code", "name", "group", "unit", "kind"], args.format)
    return 0


def cmd_plan(db, args) -> int:
    from app.reads.queries import plan_items, plan_years

    branch = home_branch(db, args)
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


def cmd_progress(db, args) -> int:
    """The progress sheet's rated rows as stored for the quarter, and its closing count."""
    from app.reads.queries import plan_items, row_statuses
    from app.reads.ratings import row_counts

    branch = parse_branch(args.branch) or db.home_branch
    if branch is None:
        raise UsageError("--branch を指定してください (このデータベースには既定の支部がありません)")
    fy = parse_fy(args.fy)
    items = plan_items(db, branch, fy)
    rated = [(it, row) for it in items for row in it.rows]
    got = row_statuses(db, [row.id for _, row in rated], args.quarter)
    rows = []
    for it, row in rated:
        st = got.get(row.id)
        rows.append({"item_no": it.item_no, "row": row.position, "tags": list(row.tags), "plan": row.plan_text,
                     "rating": st.rating if st else None, "national_rank": st.national_rank if st else None,
                     "text": st.progress_text if st else ""})
    if args.format == "json":
        counts = row_counts(db, branch, fy, args.quarter)
        json.dump({"rows": rows, "counts": {"全体": counts.all, "KPI": counts.kpi}, "unrated": counts.unrated},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    write_rows([{**r, "tags": "+".join(r["tags"]), "rating": r["rating"] or "",
                 "national_rank": "" if r["national_rank"] is None else r["national_rank"]} for r in rows],
               ["item_no", "row", "tags", "plan", "rating", "national_rank", "text"], "csv")
    return 0


def home_branch(db, args) -> str:
    branch = parse_branch(args.branch) or db.home_branch
    if branch is None:
        raise UsageError("--branch を指定してください (このデータベースには既定の支部がありません)")
    return branch


def cmd_check_quarter(db, args) -> int:
    from app.reads.quarter_check import quarter_check

    branch, fy = home_branch(db, args), parse_fy(args.fy)
    left = quarter_check(db, branch, fy, args.quarter)
    if args.format == "json":
        json.dump({"branch": branch, "fiscal_year": fy, "quarter": args.quarter, "complete": not left,
                   "left": [m.as_dict() for m in left]}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for m in left:
            print(m.line())
        print(f"残り {len(left)} 件" if left else "提出前チェック: 残っているものはありません", file=sys.stderr)
    return 1 if left else 0


def cmd_unlock(db, args) -> int:
    from app.operations import ops

    branch, fy = home_branch(db, args), parse_fy(args.fy)
    ops.unlock_quarter(db, branch, fy, args.quarter, args.reason)
    print(f"{branch} {fy}年度 第{args.quarter}四半期の鎖錠を解除しました（理由: {visible(args.reason)}）", file=sys.stderr)
    return 0


def cmd_submitted(db, args) -> int:
    """Each submission one line: branch, year, quarter, who and when, the note, and whether it is
    locked or unlocked (who, when, why); with --out the kept documents written back as they were submitted."""
    from app.reads.submissions import submissions

    subs = submissions(db, parse_fy(args.fy))
    if not subs:
        print("提出された四半期はありません", file=sys.stderr)
    for x in subs:
        state = (f"解除 {x.unlocked_by} {x.unlocked_at:%Y-%m-%d %H:%M} 理由: {x.unlock_reason}" if x.unlocked_at
                 else "鎖錠中")
        print(f"{x.branch} {x.fiscal_year}年度 第{x.quarter}四半期  提出 {x.submitted_by} {x.submitted_at:%Y-%m-%d %H:%M}"
              f"  メモ: {visible(x.note) or '-'}  {visible(state)}  資料: {len(x.documents)} 件")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for x in subs:
            for d in x.documents:
                (out / d.file_name).write_bytes(d.content)
        print(visible(f"保管した資料 {sum(len(x.documents) for x in subs)} 件を書き出しました: {out}"), file=sys.stderr)
    return 0


def cmd_import(db, args) -> int:
    from app.operations import ops
    prefer = "file" if args.prefer_file else "edits" if args.prefer_edits else None
    branch = parse_branch(args.branch)
    for f in args.files:
        if not Path(f).is_file():
            print(f"{visible(f)}: ファイルがありません", file=sys.stderr)
            return 2
    for mapping in args.map:
        label, _, code = mapping.partition("=")
        if not label.strip() or not code.strip():
            raise UsageError(f"--map は 'ラベル=指標コード' の形で指定してください ({mapping})")
        if code.strip() not in db.catalogue:
            raise UsageError(f"--map: 指標 '{code.strip()}' がありません")
        ops.learn_alias(db, label.strip(), code.strip())
    result = ops.import_files(db, args.files, branch=branch, dry_run=args.dry_run, prefer=prefer, quarter=args.quarter)
    reports = result.reports
    failed = result.failed
    if args.json:
        json.dump({"stored": result.stored and not failed, "files": [r.as_dict() for r in reports]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for r in reports:
            for line in said_once(r.errors + r.conflicts):
                print(line)
            for line in said_once(r.warnings):
                print(f"{line} (警告)", file=sys.stderr)
        for r in reports:
            if failed:
                verb = "取り込んでいません（" + ("このファイルに問題があります" if r.errors or r.conflicts
                                               else "ほかのファイルに問題があるため") + "）"
            else:
                verb = "確認のみ (保存していません)" if args.dry_run else ("取り込みました" if r.stored else "変更はありません")
            print(f"{visible(r.file)}: {verb}: 追加 {r.inserted} / 更新 {r.updated} / 同じ値 {r.unchanged}"
                  + (f" / 計画 {r.plan_items} 項目" if r.plan_items else "")
                  + (f" / 第{r.quarter}四半期の評価行 {r.row_statuses} 行" if r.row_statuses else ""), file=sys.stderr)
        if not failed and not args.dry_run:
            for r in reports:
                if r.plan_of:
                    _print_kpis(db, *r.plan_of)
    return 1 if failed else 0


def said_once(problems, first: int = 3) -> list[str]:
    """The lines of problems, a problem repeated over many cells said once with a count: the
    first few cells with the same message on the same sheet, then how many more (a sheet of
    199,000 bad rows is four lines, not 199,000)."""
    groups: dict[tuple, list] = {}
    for p in problems:
        groups.setdefault((p.where.file, p.where.sheet, p.message), []).append(p)
    lines = []
    for same in groups.values():
        lines += [p.line() for p in same[:first]]
        if len(same) > first:
            lines.append(f"{same[first].where.file and visible(same[first].where.file)}:"
                         f"{visible(same[first].where.sheet)}: 同じ問題がほかに {len(same) - first:,} セルあります"
                         f" ({same[first].where.cell}〜{same[-1].where.cell})")
    return lines


def _print_kpis(db, branch: str, fiscal_year: int) -> None:
    """After a plan import: how each KPI was read, the unread ones named, to confirm."""
    from app.core.kpi import target_text
    from app.reads.queries import plan_items
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
    from app.store.paths import default_database_path

    path = Path(target if target is not None else default_database_path()).expanduser()
    if "://" in str(target or ""):
        raise UsageError("restore は SQLite のデータベースにだけ使えます")
    from app.store.backups import lost_submissions

    for line in lost_submissions(path, Path(args.source)):           # allowed, but said
        print(f"branch-report: 警告: {visible(line)}", file=sys.stderr)
    safety = restore(path, Path(args.source))
    print(visible(f"{args.source} から復元しました: {path}" + (f"（元の内容: {safety}）" if safety else "")),
          file=sys.stderr)
    return 0


def cmd_check(target) -> int:
    """SQLite's full integrity check of the database file; exit 1 with the damage named and the
    newest good backup proposed."""
    from app.store.backups import damaged, read_only
    from app.store.paths import default_database_path
    from db.files import check_file

    if "://" in str(target or ""):
        raise UsageError("check は SQLite のデータベースにだけ使えます（共有サーバーはサーバーで確かめます）")
    path = Path(target if target is not None else default_database_path()).expanduser()
    if not path.exists():
        raise UsageError(visible(f"{path} がありません"))
    locked = read_only(path)           # SQLite cannot make its -shm there: read the file as it is
    problem = check_file(path, full=True, at_rest=locked)
    if problem is None:
        print(f"{visible(str(path))}: 問題はありません" + ("（ただし読み取り専用です: ファイルかフォルダに書き込めないため、"
              "このままでは開けません）" if locked else ""), file=sys.stderr)
        return 0
    print(f"branch-report: {damaged(path, problem)}", file=sys.stderr)
    return 1


def cmd_backup(db, args) -> int:
    from db.engine import backup_sqlite

    out = backup_sqlite(db.engine, Path(args.out))
    print(visible(f"バックアップしました: {out}"), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None, extra_verbs: dict | None = None, open_window=None) -> int:
    """The command line. Without a verb it opens the window through ``open_window(target,
    screenshot=, view=)``, which main.py hands in (the window lives in ui/, above app/)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    demo = None
    from app.core.log import log_to
    from app.store.paths import default_database_path

    log_to(default_database_path().with_name("branch-report.log"))
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
        print(f"branch-report: {visible(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:          # `… | head`: the reader has gone, nothing more to say
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:        # Ctrl+C: every finished operation is stored; nothing half
        print("branch-report: 中断しました", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one Japanese line, never a traceback
        from app.store.failures import describe_failure

        print(f"branch-report: {visible(describe_failure(exc))}", file=sys.stderr)
        return 1
    finally:
        if demo is not None:         # --demo: its copy goes when the program ends
            import shutil

            shutil.rmtree(Path(demo).parent, ignore_errors=True)

