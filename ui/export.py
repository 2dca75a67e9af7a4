"""Rendering without a window: the chart of `branch-report chart` (the app's own TrendChart)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def offscreen_app():
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.app import pick_font

    app = QApplication.instance() or QApplication(sys.argv[:1])
    pick_font(app)
    return app


def render_chart(db, branch: str, indicator: str, fiscal_year: int, out: Path, size=(960, 540)) -> Path:
    """The trend chart of one indicator saved as PNG (the same widget the app shows)."""
    from app.charts import chart_data
    from ui.chart import TrendChart

    app = offscreen_app()
    chart = TrendChart()
    chart.resize(*size)
    chart.show_data(chart_data(db, branch, indicator, fiscal_year))
    chart.show()
    app.processEvents()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not chart.export_png(out):
        raise OSError(f"{out} に保存できません")
    chart.close()
    return out


def cmd_chart(db, args) -> int:
    """`branch-report chart --indicator CODE --fy YEAR [--branch CODE] --out PNG`."""
    from app.cli import UsageError, parse_branch, parse_fy

    if args.indicator not in db.catalogue:
        raise UsageError(f"指標 '{args.indicator}' がありません")
    branch = parse_branch(args.branch) or db.home_branch
    if branch is None:
        raise UsageError("--branch を指定してください")
    out = render_chart(db, branch, args.indicator, parse_fy(args.fy), Path(args.out))
    print(f"グラフを保存しました: {out}", file=sys.stderr)
    return 0
