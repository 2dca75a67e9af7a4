"""branch-report: 支部 事業計画 月次実績・四半期実施状況. `python main.py` = `branch-report`.

The top of the layers: the command line (app/cli/main.py) with the verbs that draw with Qt and the
window (ui/), which app/ may not import.
"""
import os
import sys


def _chart(db, args) -> int:
    from ui.export import cmd_chart

    return cmd_chart(db, args)


def _export(db, args) -> int:
    from ui.export import cmd_export

    return cmd_export(db, args)


def _open_window(target, screenshot=None, view=None) -> int:
    from ui.app import run_gui

    return run_gui(target, screenshot=screenshot, view=view)


GUI_VERBS = {"chart": _chart, "export": _export}      # verbs that draw with Qt


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
