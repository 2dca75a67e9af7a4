"""branch-report: 支部 事業計画 月次実績・四半期実施状況. `python main.py` = `branch-report`."""
import sys


def main() -> int:
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
