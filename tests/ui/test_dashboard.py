"""The KPI overview: every KPI of the year, sorted by pillar and item; a click goes to the item."""
from PySide6.QtCore import Qt

from app.reads.overview import kpi_overview
from tests.helpers import settle


def test_every_kpi_with_target_result_and_proposal(demo_db):
    lines = kpi_overview(demo_db, "10", 2024)
    assert len(lines) == 17
    assert [ln.item_no for ln in lines] == sorted(ln.item_no for ln in lines)
    by = {(ln.item_no, ln.indicator): ln for ln in lines}
    mail = by[(1, "mail_rate")]                                 # seed 004: item 1's （２）
    assert (mail.target, mail.result, mail.as_of_text, mail.proposed, mail.rank.text) == (
        "95%以上", "94.3%", "令和7年3月末現在", "△", "27位（本部公表）／34位（3月・支部別表）")
    # typed 27 on the Q4 progress sheet (seed 004), 34 in headquarters' by-branch table of March: both shown
    q3 = {(ln.item_no, ln.indicator): ln for ln in kpi_overview(demo_db, "10", 2024, quarter=3)}[(1, "mail_rate")]
    from app.reads.figures import Figures
    from app.core.fiscal import FISCAL_MONTHS

    to_december = Figures(demo_db, "10").computed("mail_rate", 2024, list(FISCAL_MONTHS[:9]))
    assert q3.as_of_text == "令和6年12月末現在" and q3.result_value == to_december != mail.result_value
    assert q3.months[9:] == (None, None, None)                           # no month after the quarter
    card = by[(7, "card_recovery_rate")]
    assert (card.target, card.result, card.as_of_text) == ("前年度 85.15%以上", "83.62%", "令和6年11月末現在")
    tender = by[(21, "tender_single_bid_rate")]                 # only the printed year figure exists
    assert (tender.result, tender.proposed) == ("8.3%", "◎")
    assert by[(12, None)].target == "前年度以上" and by[(12, None)].result == "－"
    assert mail.months[0] == 93.5 and len(mail.months) == 12


def test_dashboard_filters_by_group_and_goes_to_the_item(window, qtbot, qtmodeltester):
    board = window.open_dashboard()
    qtbot.addWidget(board)
    settle(window)
    qtmodeltester.check(board.model)
    assert board.model.rowCount() == 17
    board.group.setCurrentText("レセプト")
    assert {board.model.index(r, 0).data() for r in range(board.model.rowCount())} == {5, 7, 21}
    row = next(r for r in range(board.model.rowCount()) if board.model.index(r, 0).data() == 7)
    board.view.clicked.emit(board.model.index(row, 2))
    assert window.tree.currentItem().text(0) == "7" and window.tabs.currentIndex() == 1
    assert board.model.index(row, 9).data(Qt.UserRole)[7] == 83.62         # 保険証回収率 11月 (item 7's first KPI)
