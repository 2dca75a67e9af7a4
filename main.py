"""branch-report: 支部 事業計画 月次実績・四半期実施状況. `python main.py` = `branch-report`."""
import os
import sys

GUI_VERBS = {"chart": "ui.export:cmd_chart", "export": "ui.export:cmd_export"}   # verbs that draw with Qt


def main() -> int:
    from app.cli import main as cli_main

    code = cli_main(sys.argv[1:], extra_verbs=GUI_VERBS)
    # Everything is saved by now (each change is its own committed transaction; files are closed).
    # Leave without tearing the Qt/pyqtgraph object graph down: with PySide6 6.12 and pyqtgraph
    # 0.14 that teardown can abort after many charts were drawn ("bool_dealloc"), which would turn
    # a finished export into exit code 134.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
