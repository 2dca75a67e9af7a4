"""推移グラフ: an indicator month by month, this year against earlier years, with the target and
the national figure; hover tells the exact values. pyqtgraph is imported only when a chart is made."""
from __future__ import annotations

import math
from dataclasses import dataclass

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
X_RANGE = (-0.6, 11.6)                        # the twelve months with room at both ends


@dataclass(frozen=True)
class Layer:
    """One thing a chart draws, the same in the window (pyqtgraph) and in documents (QPainter)."""
    key: str                     # what ``plotted`` calls it: 令和6年度, 全国, 目標
    label: str                   # the legend's text
    values: tuple                # y per fiscal month (the target: its one value)
    color: QColor
    style: str                   # "bar", "line" or "target" (a level line across)
    width: float = 1.6
    dashed: bool = False         # 全国 and the target
    joined: bool = False         # a line through the gaps (a quarterly indicator's quarters)
    symbol: int = 0              # the points' diameter, 0: none
    slot: tuple[int, int] = (0, 1)   # a bar's place among the bars of a month: (n, of)


def layers(data) -> list[Layer]:
    """What the chart of ``data`` draws, in drawing order."""
    out = []
    series = list(data.series)
    earlier = [s for s in series if not s.current]
    joined = quarterly(data)                 # a line through the quarters, not four loose dots
    for n, s in enumerate(series):
        if all(v is None for v in s.values):   # a year with no months (a printed year figure only)
            continue
        color = CURRENT if s.current else EARLIER[min(len(earlier) - 1 - earlier.index(s), 2)]
        if data.bars:
            out.append(Layer(s.label, s.label, tuple(s.values), color, "bar", slot=(n, len(series))))
        else:
            out.append(Layer(s.label, s.label, tuple(s.values), color, "line", width=3.2 if s.current else 1.6,
                             symbol=7 if s.current else 5, joined=joined))
    if data.national and not data.cumulative:
        out.append(Layer("全国", "全国", tuple(data.national), NATIONAL, "line", dashed=True, joined=joined))
    if data.target is not None:
        out.append(Layer("目標", f"{data.target_label} {shown(data, data.target)}", (data.target,), TARGET, "target",
                         dashed=True))
    return out


def y_range(data, drawn: list[Layer]) -> tuple[float, float] | None:
    """The left axis' span: head room above the data for the legend; bars stand on zero."""
    values = [v for layer in drawn for v in layer.values if v is not None]
    if not values:
        return None
    low, high = (0 if data.bars else min(values)), max(values)
    span = (high - low) or abs(high) or 1
    return low - (0 if data.bars else span * 0.08), high + span * 0.22


def shown(data, value, decimals: int | None | str = "indicator's") -> str:
    """A value as users write it, with the indicator's unit: 94.6%, 2,481件, △1, 3:05 — with the
    indicator's decimals (as the grid writes it), or with ``decimals`` (the axis' own)."""
    places = data.decimals if decimals == "indicator's" else decimals
    text = format_value(value, unit=data.unit, kind=data.kind, decimals=places)
    plain = value is None or kind_of(data.kind, data.unit).clock or data.unit in ("", "%")
    return text if plain else text + data.unit


def tick_labels(data, values, spacing: float) -> list[str]:
    """The left axis' labels: 9,000件, 94.5%, 3:00, with as many places as the spacing needs."""
    if data is None:
        return [f"{v:,g}" for v in values]
    clock = kind_of(data.kind, data.unit).clock
    places = max(0, math.ceil(-math.log10(spacing))) if spacing > 0 else 0
    return [shown(data, v, None if clock else places) for v in values]


def tick_values(low: float, high: float, clock: bool, count: int = 8) -> tuple[list[float], float]:
    """Round values for about ``count`` ticks between low and high (minutes: 10, 15, 30, 60 …)."""
    raw = (high - low) / count
    if clock and raw >= 1:
        step = next((s for s in (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720) if s >= raw), 1440)
    else:
        mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
        step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(low / step - 1e-9)
    return [round((first + i) * step, 10) for i in range(int((high - first * step) / step + 1e-9) + 1)], step


def runs(values, joined: bool) -> list[list[tuple[int, float]]]:
    """A line's parts: each run of known months (a gap breaks it unless ``joined``)."""
    out, run = [], []
    for i, v in enumerate(values):
        if v is None:
            if run and not joined:
                out.append(run)
                run = []
        else:
            run.append((i, v))
    return out + [run] if run else out


def chart_font(pixels: float, bold: bool = False) -> QFont:
    from PySide6.QtGui import QGuiApplication

    font = QFont(QGuiApplication.font())
    font.setPixelSize(round(pixels))
    font.setBold(bold)
    return font


def paint_chart(p, width: int, height: int, data) -> None:
    """The chart of ``data`` drawn with QPainter ``p`` on a ``width`` x ``height`` area (documents
    and `branch-report chart`: no widget, no pyqtgraph): title, legend, axes, the note below."""
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QBrush, QFontMetricsF, QPainter, QPainterPath

    p.setRenderHint(QPainter.Antialiasing)
    p.fillRect(QRectF(0, 0, width, height), QColor("white"))
    text_color, grid = QColor("#333333"), QColor(0, 0, 0, 28)
    small, note_font = chart_font(13), chart_font(13)
    title = "" if data is None else chart_title(data)
    p.setFont(chart_font(15, bold=True))
    p.setPen(text_color)
    p.drawText(QRectF(10, 4, width - 20, 24), Qt.AlignLeft | Qt.AlignVCenter, title)
    p.setFont(note_font)
    p.setPen(QColor("#555555"))
    p.drawText(QRectF(10, height - 26, width - 20, 22), Qt.AlignLeft | Qt.AlignVCenter,
               NOTHING_TO_DRAW if data is None else chart_note(data))
    if data is None:
        return
    drawn = layers(data)
    span = y_range(data, drawn) or (0.0, 1.0)
    clock = kind_of(data.kind, data.unit).clock
    ticks, step = tick_values(*span, clock)
    labels = tick_labels(data, ticks, step)
    metrics = QFontMetricsF(small)
    plot = QRectF(0, 32, width - 12, height - 32 - 28 - metrics.height() - 8)
    plot.setLeft(16 + max((metrics.horizontalAdvance(t) for t in labels), default=0))
    sx = plot.width() / (X_RANGE[1] - X_RANGE[0])
    sy = plot.height() / ((span[1] - span[0]) or 1)

    def at(x: float, y: float) -> QPointF:
        return QPointF(plot.left() + (x - X_RANGE[0]) * sx, plot.bottom() - (y - span[0]) * sy)

    p.setFont(small)
    for value, label in zip(ticks, labels):                 # grid and left axis' labels
        y = at(0, value).y()
        p.setPen(QPen(grid, 1))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.setPen(text_color)
        p.drawText(QRectF(0, y - 10, plot.left() - 6, 20), Qt.AlignRight | Qt.AlignVCenter, label)
    for i, m in enumerate(FISCAL_MONTHS):                  # the months below
        x = at(i, 0).x()
        p.setPen(QPen(text_color, 1))
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 5))
        p.drawText(QRectF(x - 40, plot.bottom() + 6, 80, metrics.height()), Qt.AlignHCenter | Qt.AlignTop,
                   month_label(m))
    p.save()
    p.setClipRect(plot)
    for layer in drawn:
        pen = QPen(layer.color.darker(120) if layer.style == "bar" else layer.color, layer.width)
        if layer.dashed:
            pen.setStyle(Qt.DashLine)
        p.setPen(pen)
        if layer.style == "bar":
            n, of = layer.slot
            w = 0.8 / of
            p.setBrush(QBrush(layer.color))
            for i, v in enumerate(layer.values):
                if v is not None:
                    left = i - 0.4 + w * (n + 0.5) - w * 0.45
                    p.drawRect(QRectF(at(left, v), at(left + w * 0.9, max(span[0], 0))))
        elif layer.style == "target":
            y = at(0, layer.values[0]).y()
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        else:
            for part in runs(layer.values, layer.joined):
                path = QPainterPath(at(*part[0]))
                for point in part[1:]:
                    path.lineTo(at(*point))
                p.setBrush(Qt.NoBrush)
                p.drawPath(path)
                if layer.symbol:
                    p.setBrush(QBrush(layer.color))
                    p.setPen(QPen(layer.color, 1))
                    for point in part:
                        p.drawEllipse(at(*point), layer.symbol / 2, layer.symbol / 2)
                    p.setPen(pen)
    p.restore()
    p.setPen(QPen(text_color, 1))
    p.drawLine(plot.bottomLeft(), plot.bottomRight())
    p.drawLine(plot.bottomLeft(), plot.topLeft())
    _legend(p, plot, drawn, metrics)


def _legend(p, plot, drawn: list[Layer], metrics) -> None:
    """The legend in the plot's top left corner, up to five entries a row."""
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QBrush

    x0, y, x = plot.left() + 14, plot.top() + 10, plot.left() + 14
    for n, layer in enumerate(drawn):
        if n and n % 5 == 0:
            x, y = x0, y + metrics.height() + 6
        mid = y + metrics.height() / 2
        if layer.style == "bar":
            p.setPen(QPen(layer.color.darker(120), 1))
            p.setBrush(QBrush(layer.color))
            p.drawRect(QRectF(x, mid - 8, 18, 16))
        else:
            pen = QPen(layer.color, layer.width)
            if layer.dashed:
                pen.setStyle(Qt.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(x, mid), QPointF(x + 28, mid))
            if layer.symbol:
                p.setBrush(QBrush(layer.color))
                p.drawEllipse(QPointF(x + 14, mid), layer.symbol / 2, layer.symbol / 2)
        x += 36 if layer.style != "bar" else 26
        p.setPen(QColor("#333333"))
        p.drawText(QPointF(x, mid + metrics.ascent() / 2 - 1), layer.label)
        x += metrics.horizontalAdvance(layer.label) + 14


def chart_title(data) -> str:
    unit = f"（{data.unit}）" if data.unit not in ("", "h:mm") else ""
    return f"{data.name}{unit}の推移" + ("　年度初めからの累計" if data.cumulative else "")


def chart_note(data) -> str:
    """Below the chart: as of when, and the rank every view shows."""
    current = next((s for s in data.series if s.current), None)
    parts = [f"※{current.as_of.label()}" if current and current.as_of else "※データなし"]
    if data.rank.text:
        parts.append(f"全国順位 {data.rank.text}")
    return "　".join(parts)


def chart_image(data, size: tuple[int, int] = (900, 480)):
    """The chart of ``data`` as a QImage (painted straight, no widget)."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(*size, QImage.Format_RGB32)
    painter = QPainter(image)
    try:
        paint_chart(painter, *size, data)
    finally:
        painter.end()
    return image


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
        self.title.setText(chart_title(data))
        self.cumulative.setVisible(kind_of(data.kind, data.unit).summed)
        drawn = layers(data)
        for layer in drawn:
            if layer.style == "bar":
                n, of = layer.slot
                width = 0.8 / of
                keep = [(i - 0.4 + width * (n + 0.5), y) for i, y in enumerate(layer.values) if y is not None]
                item = pg.BarGraphItem(x=[k[0] for k in keep], height=[k[1] for k in keep], width=width * 0.9,
                                       brush=layer.color, pen=pg.mkPen(layer.color.darker(120)))
                self.plot.addItem(item)
                self.legend.addItem(item, layer.label)
            elif layer.style == "target":
                pen = pg.mkPen(layer.color, width=layer.width, style=Qt.DashLine)
                self.plot.addItem(pg.InfiniteLine(pos=layer.values[0], angle=0, pen=pen))
                self.legend.addItem(pg.PlotDataItem(pen=pen), layer.label)
            else:
                self._line(layer, pg.mkPen(layer.color, width=layer.width,
                                           style=Qt.DashLine if layer.dashed else Qt.SolidLine))
            self.plotted[layer.key] = list(layer.values)
        self.plot.getAxis("left").tickStrings = self.tick_strings
        self.plot.setXRange(*X_RANGE, padding=0)
        span = y_range(data, drawn)
        if span:
            self.plot.setYRange(*span, padding=0)
        self.note.setText(chart_note(data))

    def shown(self, value, decimals: int | None | str = "indicator's") -> str:
        """A value as users write it (shown) with this chart's indicator."""
        return shown(self.data, value, decimals)

    def tick_strings(self, values, scale, spacing) -> list[str]:
        """The left axis' labels: 9,000件, 94.5%, 3:00 (pyqtgraph's AxisItem.tickStrings)."""
        return tick_labels(self.data, [v * scale for v in values], spacing * scale)

    def _line(self, layer: Layer, pen) -> None:
        """A line broken at the gaps: each run of known months is its own segment (no NaN is
        handed to pyqtgraph); the legend names the first one."""
        for n, part in enumerate(runs(layer.values, layer.joined)):
            kwargs = ({"symbol": "o", "symbolSize": layer.symbol, "symbolBrush": layer.color,
                       "symbolPen": layer.color} if layer.symbol else {})
            if n == 0:
                kwargs["name"] = layer.label               # named items go into the legend
            self.plot.plot([q[0] for q in part], [q[1] for q in part], pen=pen, **kwargs)

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
