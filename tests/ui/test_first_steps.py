"""The first start on one's own database: no branch claimed before one is chosen or imported, and
an empty database or a year without a plan says what to do first."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from app.core.branches import RESOURCES
from app.core.errors import BranchReportError
from app.operations import ops
from app.store.database import open_database
from tests.helpers import settle

SAMPLE = RESOURCES / "sample"


@pytest.fixture
def empty(tmp_path, qtbot):
    from ui.main_window import MainWindow

    db = open_database(tmp_path / "mine.sqlite3")
    w = MainWindow(db)
    qtbot.addWidget(w)
    w.show()
    yield w
    settle(w)                      # no read still running on the database being closed
    db.close()


def test_an_empty_database_says_what_to_do_first(empty, qtbot, monkeypatch):
    assert empty.branch_label.text().strip() == "支部: 未設定" and empty.branch == ""
    assert empty.first_steps.isVisible() and not empty.tabs.isVisible()
    assert "まだ何もありません" in empty.first_steps.text.text() and "事業計画" in empty.first_steps.text.text()
    assert empty.first_steps.sample_button.isVisible() and empty.first_steps.branch_button.isVisible()
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("10 群馬支部", True))
    qtbot.mouseClick(empty.first_steps.branch_button, Qt.LeftButton)
    assert empty.branch_label.text().strip() == "10 群馬支部" and empty.db.home_branch == "10"
    assert not empty.first_steps.branch_button.isVisible()


def test_the_first_import_names_the_branch_and_a_year_without_a_plan_offers_to_import_it(empty, qtbot):
    imported = ops.import_files(empty.db, [SAMPLE / "gunma_fy2024_monthly.xlsx"])
    empty.apply_changes(imported.changes)
    assert empty.branch_label.text().strip() == "10 群馬支部"
    assert empty.title.text() == "令和6年度の事業計画がありません"
    assert "令和6年度の事業計画はまだ取り込まれていません" in empty.first_steps.text.text()
    assert empty.first_steps.import_button.text() == "事業計画を取り込む…"
    assert not empty.first_steps.sample_button.isVisible() and empty.first_steps.isVisible()
    group = next(n for n in (empty.tree.topLevelItem(0).child(i) for i in range(empty.tree.topLevelItem(0).childCount()))
                 if n.text(1).startswith("業務"))
    empty.tree.setCurrentItem(group)                       # the group tables work without a plan
    assert empty.tabs.isVisible() and not empty.first_steps.isVisible()
    empty.apply_changes(ops.import_files(empty.db, [SAMPLE / "gunma_fy2024_plan.xlsx"]).changes)
    empty.tree.setCurrentItem(next(empty._item_nodes()))
    assert empty.tabs.isVisible() and not empty.first_steps.isVisible()


def test_the_branch_cannot_be_changed_once_it_holds_data(tmp_path):
    db = open_database(tmp_path / "x.sqlite3")
    ops.set_home_branch(db, "13")
    ops.set_home_branch(db, "10")                         # nothing of 13 yet: a change of mind
    ops.import_files(db, [SAMPLE / "gunma_fy2024_monthly.xlsx"])
    with pytest.raises(BranchReportError, match="10 群馬支部のデータがあるため"):
        ops.set_home_branch(db, "13")
    assert db.home_branch == "10"
    db.close()


def test_a_year_without_a_plan_carries_last_years_plan_over(window, qtbot, demo_db):
    from app.reads.queries import plan_items
    from tests.helpers import set_month_value

    set_month_value(demo_db, "10", 2025, 4, "counter_count", 500)       # 令和7年度: figures, no plan yet
    window.reload()
    window.year_box.setCurrentIndex(window.year_box.findData(2025))
    steps = window.first_steps
    assert window.title.text() == "令和7年度の事業計画がありません" and steps.carry_button.isVisible()
    assert steps.carry_button.text() == "令和6年度の計画を引き継ぐ"
    qtbot.mouseClick(steps.carry_button, Qt.LeftButton)
    last, now = plan_items(demo_db, "10", 2024), plan_items(demo_db, "10", 2025)
    assert [(i.item_no, i.title, len(i.kpis)) for i in now] == [(i.item_no, i.title, len(i.kpis)) for i in last]
    assert window.fiscal_year == 2025 and not steps.isVisible() and window.tabs.isVisible()
    with pytest.raises(BranchReportError, match="令和7年度には既に事業計画があります"):
        ops.carry_plan_over(demo_db, "10", 2025)
    window.year_box.setCurrentIndex(window.year_box.findData(2023))      # 令和4年度 had no plan to carry
    assert not steps.carry_button.isVisible()
