"""推移グラフ: an indicator month by month, this year against earlier years, with the target and
the national figure; hover tells the exact values. pyqtgraph is imported only when a chart is made."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QToolTip, QVBoxLayout, QWidget

from app.core.fiscal import FISCAL_MONTHS, month_label
from app.core.indicator_kinds import kind_of
from app.core.values import format_value

CURRENT = QColor("#1f5fa8")
EARLIER = (QColor("#8fb3d9"), QColor("#b9c9db"), QColor("#d3dbe5"))
TARGET, NATIONAL = QColor("#c0392b"), QColor("#7d7d7d")
QUARTER_ENDS = (2, 5, 8, 11)                  # 6月, 9月, 12月, 3月 in fiscal order


def quarterly(data) -> bool:
    """An indicator with values in quarter months only (四半期ごとの指標)."""
    known = {i for s in data.series for i, v in enumerate(s.values) if v is not None}
    return bool(known) and known <= set(QUARTER_ENDS)


NOTHING_TO_DRAW = "この項目には月次の指標がないため、グラフはありません（KPI が文章だけの項目です）"


class TrendChart(QWidget):
    """The chart the app shows, and exports (the same rendering in reports and `branch-report chart`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=True, background="w", foreground="#333")
        self.data = None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("chart-title")
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        top.addWidget(self.title, 1)
        self.cumulative = QCheckBox("累計（年度初めから）")
        self.cumulative.setToolTip("件数を月ごと（単月）か、4月からの累計で表示します")
        top.addWidget(self.cumulative)
        lay.addLayout(top)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("chart-plot")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=False, y=True, alpha=0.15)
        self.legend = self.plot.addLegend(offset=(10, 5), labelTextSize="10pt", colCount=5)
        axis = self.plot.getAxis("bottom")
        axis.setTicks([[(i, month_label(m)) for i, m in enumerate(FISCAL_MONTHS)]])
        font = QFont(self.font())
        font.setPointSize(10)
        for name in ("bottom", "left"):
            self.plot.getAxis(name).setTickFont(font)
        lay.addWidget(self.plot, 1)
        self.note = QLabel()
        self.note.setObjectName("chart-note")
        self.note.setStyleSheet("color: #555;")
        lay.addWidget(self.note)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.plotted: dict[str, list] = {}        # legend label → y values drawn (tests read them)

    def show_data(self, data) -> None:
        import pyqtgraph as pg

        self.data = data
        self.plot.clear()
        self.legend.clear()
        self.plotted = {}
        self.plot.setVisible(data is not None)         # no bare 0.1–0.9 axes when there is nothing to draw
        if data is None:
            self.title.setText("")
            self.note.setText(NOTHING_TO_DRAW)
            return
        unit = f"（{data.unit}）" if data.unit not in ("", "h:mm") else ""
        self.title.setText(f"{data.name}{unit}の推移" + ("　年度初めからの累計" if data.cumulative else ""))
        self.cumulative.setVisible(kind_of(data.kind, data.unit).summed)
        x = list(range(12))
        series = list(data.series)
        earlier = [s for s in series if not s.current]
        width = 0.8 / max(len(series), 1)
        joined = quarterly(data)                 # a line through the quarters, not four loose dots
        for n, s in enumerate(series):
            if all(v is None for v in s.values):   # a year with no months (a printed year figure only)
                continue
            color = CURRENT if s.current else EARLIER[min(len(earlier) - 1 - earlier.index(s), 2)]
            if data.bars:
                xs = [i - 0.4 + width * (n + 0.5) for i in x]
                keep = [(xx, y) for xx, y in zip(xs, s.values) if y is not None]
                item = pg.BarGraphItem(x=[k[0] for k in keep], height=[k[1] for k in keep], width=width * 0.9,
                                       brush=color, pen=pg.mkPen(color.darker(120)))
                self.plot.addItem(item)
                self.legend.addItem(item, s.label)
            else:
                pen = pg.mkPen(color, width=3.2 if s.current else 1.6)
                self._line(x, s.values, pen, s.label, size=7 if s.current else 5, color=color, joined=joined)
            self.plotted[s.label] = list(s.values)
        if data.national and not data.cumulative:
            self._line(x, data.national, pg.mkPen(NATIONAL, width=1.6, style=Qt.DashLine), "全国", joined=joined)
            self.plotted["全国"] = list(data.national)
        if data.target is not None:
            line = pg.InfiniteLine(pos=data.target, angle=0, pen=pg.mkPen(TARGET, width=1.6, style=Qt.DashLine))
            self.plot.addItem(line)
            self.legend.addItem(pg.PlotDataItem(pen=pg.mkPen(TARGET, width=1.6, style=Qt.DashLine)),
                                f"{data.target_label} {self.shown(data.target)}")
            self.plotted["目標"] = [data.target]
        self.plot.getAxis("left").tickStrings = self.tick_strings
        self.plot.setXRange(-0.6, 11.6, padding=0)
        drawn = [v for vals in self.plotted.values() for v in vals if v is not None]
        if drawn:                                   # head room above the data for the legend
            low, high = (0 if data.bars else min(drawn)), max(drawn)
            span = (high - low) or abs(high) or 1
            self.plot.setYRange(low - (0 if data.bars else span * 0.08), high + span * 0.22, padding=0)
        current = next((s for s in series if s.current), None)
        parts = [f"※{current.as_of.label()}" if current and current.as_of else "※データなし"]
        if data.rank.text:
            parts.append(f"全国順位 {data.rank.text}")
        self.note.setText("　".join(parts))

    def shown(self, value, decimals: int | None | str = "indicator's") -> str:
        """A value as users write it, with the indicator's unit: 94.6%, 2,481件, △1, 3:05 — with the
        indicator's decimals (as the grid writes it), or with ``decimals`` (the axis' own)."""
        d = self.data
        places = d.decimals if decimals == "indicator's" else decimals
        text = format_value(value, unit=d.unit, kind=d.kind, decimals=places)
        plain = value is None or kind_of(d.kind, d.unit).clock or d.unit in ("", "%")
        return text if plain else text + d.unit

    def tick_strings(self, values, scale, spacing) -> list[str]:
        """The left axis' labels: 9,000件, 94.5%, 3:00 (pyqtgraph's AxisItem.tickStrings)."""
        if self.data is None:
            return [f"{v:,g}" for v in values]
        places = max(0, math.ceil(-math.log10(spacing * scale))) if spacing * scale > 0 else 0
        return [self.shown(v * scale, None if kind_of(self.data.kind, self.data.unit).clock else places) for v in values]

    def _line(self, x, values, pen, label: str, size: int = 0, color=None, joined: bool = False) -> None:
        """A line broken at the gaps: each run of known months is its own segment (no NaN is
        handed to pyqtgraph); the legend names the first one. ``joined``: one line through the
        known months (a quarterly indicator has no months between its quarters to miss)."""
        runs, run = [], []
        for i, v in zip(x, values):
            if v is None:
                if run and not joined:
                    runs.append(run)
                    run = []
            else:
                run.append((i, v))
        if run:
            runs.append(run)
        for n, part in enumerate(runs):
            kwargs = {"symbol": "o", "symbolSize": size, "symbolBrush": color, "symbolPen": color} if size else {}
            if n == 0:
                kwargs["name"] = label               # named items go into the legend
            self.plot.plot([p[0] for p in part], [p[1] for p in part], pen=pen, **kwargs)

    def hover_text(self, i: int) -> str:
        """What hovering over month i tells: each series' value as users write it."""
        d = self.data
        lines = [month_label(FISCAL_MONTHS[i])]
        for s in d.series:
            lines.append(f"{s.label}: {self.shown(s.values[i])}")
        if d.national and not d.cumulative:
            lines.append(f"全国: {self.shown(d.national[i])}")
        if d.ranks and d.ranks[i]:
            lines.append(f"全国順位（支部別表）: {d.ranks[i]}位")
        current = next((s for s in d.series if s.current), None)
        if current and current.as_of:
            lines.append(f"※{current.as_of.label()}")
        return "\n".join(lines)

    def _hover(self, pos) -> None:
        """The mouse over the plot (scene position): the values of the month under it."""
        if self.data is None or not self.plot.sceneBoundingRect().contains(pos):
            return
        i = round(self.plot.getPlotItem().vb.mapSceneToView(pos).x())
        if 0 <= i < 12:
            QToolTip.showText(self.plot.mapToGlobal(self.plot.mapFromScene(pos)), self.hover_text(i), self.plot)

    def export_png(self, path) -> bool:
        """Painted twice: pyqtgraph widens an axis to its labels on the first paint, skipping the
        labels that did not fit yet (9,000件)."""
        from PySide6.QtWidgets import QApplication

        self.grab()
        QApplication.processEvents()
        return self.grab().save(str(path))


def pen_width(item) -> float:
    """The width of a plotted line (tests check that this year is drawn bold)."""
    return QPen(item.opts["pen"]).widthF()
