"""What an empty view says and offers: a database with nothing in it yet (choose the branch, import
the plan and the monthly workbooks, or try the sample), a year without a plan (import it), and
which branch the database is for when no import has said so yet."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.branches import branch_names
from app.core.fiscal import format_fy

NO_BRANCH = "支部: 未設定"


class FirstSteps(QWidget):
    """Shown in place of the detail tabs while there is nothing to show."""

    def __init__(self, window):
        super().__init__()
        self.window = window
        self.setObjectName("first-steps")
        lay = QVBoxLayout(self)
        self.text = QLabel()
        self.text.setObjectName("first-steps-text")
        self.text.setWordWrap(True)
        self.text.setStyleSheet("font-size: 14px;")
        lay.addWidget(self.text)
        row = QHBoxLayout()
        self.import_button = QPushButton("Excel を取り込む…")
        self.import_button.clicked.connect(lambda: window.open_import())
        self.branch_button = QPushButton("支部を選ぶ…")
        self.branch_button.clicked.connect(lambda: choose_branch(window))
        self.sample_button = QPushButton("サンプルデータで試す（別の画面）")
        self.sample_button.clicked.connect(open_sample)
        self.carry_button = QPushButton("前年度の計画を引き継ぐ")
        self.carry_button.clicked.connect(lambda: carry_over(window))
        for b in (self.import_button, self.carry_button, self.branch_button, self.sample_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(1)

    def explain(self, years: list[int], fiscal_year: int | None) -> None:
        """Say what to do first: ``years`` are the years the database holds anything for."""
        chosen = bool(self.window.db.home_branch)
        self.branch_button.setVisible(not chosen)
        self.sample_button.setVisible(not years)
        from app.reads.queries import plan_years

        last_plan = bool(years) and fiscal_year is not None and fiscal_year - 1 in plan_years(self.window.db, self.window.branch)
        self.carry_button.setVisible(last_plan)
        if last_plan:
            self.carry_button.setText(f"{format_fy(fiscal_year - 1)}の計画を引き継ぐ")
        if not years:
            self.import_button.setText("事業計画・月次実績のブックを取り込む…")
            self.text.setText(
                "<p><b>このデータベースにはまだ何もありません。</b></p>"
                "<p>最初に、支部の<b>事業計画</b>のブックを取り込んでください（項目と KPI が入ります）。"
                "続けて<b>月次実績</b>のブックを取り込むと、項目ごとの月次表とグラフができます。"
                "ブックはこの画面にドラッグしても取り込めます。どの支部のデータベースかは最初の取込で決まります"
                + ("" if chosen else "（先に「支部を選ぶ」で決めることもできます）") + "。</p>"
                "<p>まず使い方を見るには、サンプルデータ（群馬支部の令和4〜6年度）を別の画面で開けます。"
                "そこで変えたことは残りません。</p>")
        else:
            self.import_button.setText("事業計画を取り込む…")
            self.text.setText(
                f"<p><b>{format_fy(fiscal_year)}の事業計画はまだ取り込まれていません。</b></p>"
                "<p>その年度の事業計画のブックを取り込むと、項目と KPI が入ります。"
                + ("前年度の計画（項目・KPI）を引き継いで始め、ブックが届いたら取り込んで置き換えることもできます。"
                   if last_plan else "")
                + "月次実績は左の「グループ別 月次表」で見られます。</p>")


def choose_branch(window) -> bool:
    """Ask which branch this database is for, and store it (an admin's setting)."""
    from ui.tasks import run_change
    from app.operations import ops

    names = branch_names()
    choices = [f"{code} {name}支部" for code, name in names.items() if code != "00"]
    choice, ok = QInputDialog.getItem(window, "支部", "このデータベースはどの支部のものですか", choices, 0, False)
    if not ok:
        return False
    return run_change(window, "支部", ops.set_home_branch, window.db, choice.split()[0]) is not None


def carry_over(window) -> bool:
    """Last year's plan copied to the year shown (it has none)."""
    from ui.tasks import run_change
    from app.operations import ops

    return run_change(window, "事業計画", ops.carry_plan_over, window.db, window.branch, window.fiscal_year) is not None


def open_sample() -> bool:
    """The sample data in a second window of its own (``--demo``): this database stays as it is."""
    if getattr(sys, "frozen", False):
        return QProcess.startDetached(sys.executable, ["--demo"])[0]
    main = Path(__file__).resolve().parents[1] / "main.py"
    return QProcess.startDetached(sys.executable, [str(main), "--demo"])[0]
