"""The navigator: the plan's pillars and numbered items (項番, 事業, 担当), filtered by group and a
search text, and under グループ別 月次表 every indicator a group keeps."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from app.core.catalogue import GROUP_NAMES

GROUPS = ("すべてのグループ", *GROUP_NAMES)
GROUP_ROLE = Qt.UserRole + 1


class Navigator(QTreeWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("navigator")
        self.setHeaderLabels(["項番", "事業", "担当"])
        self.setColumnWidth(0, 66)
        self.setColumnWidth(1, 186)

    def fill(self, items, group: str, needle: str, wanted_no) -> bool:
        """Show the items of ``group`` (all: '') whose title or plan text holds ``needle``; select
        item ``wanted_no`` if shown, else the first. False when no item is shown."""
        self.clear()
        pillars: dict[int, QTreeWidgetItem] = {}
        first = None
        for it in items:
            if group and group not in it.owner_group and "全グループ" not in it.owner_group:
                continue
            if needle and needle not in it.title and needle not in it.plan_text:
                continue
            parent = pillars.get(it.pillar_no)
            if parent is None:
                parent = pillars[it.pillar_no] = QTreeWidgetItem(self, [f"{it.pillar_no}. {it.pillar_title}"])
                parent.setFirstColumnSpanned(True)
                parent.setFlags(parent.flags() & ~Qt.ItemIsSelectable)
            node = QTreeWidgetItem(parent, [str(it.item_no), it.title, it.owner_group.removesuffix("グループ")])
            node.setData(0, Qt.UserRole, it.id)
            node.setToolTip(1, it.title)
            first = first or node
        groups = QTreeWidgetItem(self, ["グループ別 月次表"])
        groups.setFirstColumnSpanned(True)
        groups.setFlags(groups.flags() & ~Qt.ItemIsSelectable)
        for g in GROUPS[1:] + ("全グループ",):
            if not group or g in (group, "全グループ"):
                node = QTreeWidgetItem(groups, ["", f"{g}グループの全指標" if g != "全グループ" else "全グループ共通の指標"])
                node.setData(0, GROUP_ROLE, g)
        self.expandAll()
        remembered = next((n for n in self.item_nodes() if n.text(0) == str(wanted_no)), None)
        if remembered or first:
            self.setCurrentItem(remembered or first)
            return True
        return False

    def item_nodes(self):
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            yield from (top.child(j) for j in range(top.childCount()))
