"""branch-report: 支部 事業計画 月次実績・四半期実施状況. `python main.py` = `branch-report`.

The top of the layers: the command line (app/cli/main.py) with the verbs that draw with Qt and the
window (ui/), which app/ may not import.
"""
import os
import sys
from pathlib import Path


def cmd_chart(db, args) -> int:
    """`branch-report chart --indicator CODE --fy YEAR [--branch CODE] --out PNG`."""
    from app.cli.common import UsageError, parse_branch, parse_fy
    from ui.export import render_chart

    if args.indicator not in db.catalogue:
        raise UsageError(f"指標 '{args.indicator}' がありません")
    branch = parse_branch(args.branch) or db.home_branch
    if branch is None:
        raise UsageError("--branch を指定してください")
    out = render_chart(db, branch, args.indicator, parse_fy(args.fy), Path(args.out))
    print(f"グラフを保存しました: {out}", file=sys.stderr)
    return 0


def cmd_export(db, args) -> int:
    """`branch-report export --branch CODE --fy YEAR --quarter 1..4 --out FILE.xlsx|FILE.pdf [--kind …]`."""
    from app.cli.common import UsageError, parse_branch, parse_fy
    from ui.export import export
    from app.documents.build import build

    branch = parse_branch(args.branch) or db.home_branch
    if branch is None:
        raise UsageError("--branch を指定してください")
    if Path(args.out).suffix.lower() not in (".xlsx", ".pdf"):
        raise UsageError("--out は .xlsx か .pdf のファイル名にしてください")
    doc = build(db, branch, parse_fy(args.fy), args.quarter, args.kind, args.label)
    out = export(db, doc, Path(args.out))
    print(f"{doc.title} を保存しました: {out}", file=sys.stderr)
    return 0


def cmd_submit(db, args) -> int:
    """`branch-report submit --fy YEAR --quarter 1..4 [--branch CODE] [--note TEXT]`: the documents
    of every kind, PDF and xlsx, written here (Qt) and kept by the operation."""
    from app.cli.common import parse_fy
    from app.cli.main import home_branch
    from app.documents.kinds import KINDS
    from app.operations import ops
    from ui.export import write_quarter_documents

    branch, fy = home_branch(db, args), parse_fy(args.fy)
    sid = ops.submit_quarter(db, branch, fy, args.quarter,
                             lambda folder: write_quarter_documents(db, branch, fy, args.quarter, args.label, folder),
                             note=args.note)
    print(f"{branch} {fy}年度 第{args.quarter}四半期を提出しました（提出 {sid}: 資料 {len(KINDS) * 2} 件を保管し、"
          "この四半期の月の値と評価行を鎖錠しました）", file=sys.stderr)
    return 0


def _open_window(target, screenshot=None, view=None) -> int:
    from ui.app import run_gui

    return run_gui(target, screenshot=screenshot, view=view)


GUI_VERBS = {"chart": cmd_chart, "export": cmd_export, "submit": cmd_submit}      # verbs that draw with Qt


def main() -> int:
    from app.cli.main import main as cli_main

    code = cli_main(sys.argv[1:], extra_verbs=GUI_VERBS, open_window=_open_window)
    # Everything is saved by now (each operation is its own committed transaction; files are
    # closed). Leave without tearing the Qt/pyqtgraph object graph down: with PySide6 6.12 and
    # pyqtgraph 0.14 that teardown can abort after many charts were drawn ("bool_dealloc"), which
    # would turn a finished export into exit code 134.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:           # None in the bundle's window program (Windows, no console)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
