"""branch-report: 支部 事業計画 月次実績・四半期実施状況. `python main.py` = `branch-report`."""
import sys


GUI_VERBS = {"chart": "ui.export:cmd_chart"}     # verbs that draw with Qt (app/ has no Qt)


def main() -> int:
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:], extra_verbs=GUI_VERBS)


if __name__ == "__main__":
    sys.exit(main())
