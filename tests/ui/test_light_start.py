"""Start-up (issue 25): a SQLite file at the newest revision opens with the sqlite3 module and the
window is editable before SQLAlchemy is loaded; a figure typed at once is stored as always — one
transaction, its change log — and the ORM comes in on a worker thread."""
import os
import shutil
import subprocess
import sys

from tests.conftest import ROOT

# Started as a user starts it, in a fresh interpreter: the moment the window is editable, what is
# loaded; then 600 typed at once into 窓口件数 4月 of 令和6年度 (item 1, the demo's last view).
TYPE_AT_ONCE = """
import os, sys
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui.app import launch
window = launch(sys.argv[1])
window.setProperty("quiet", True)
at_editable = [("sqlalchemy" in sys.modules, window.db.brought_in)] if window.db is not None else []
window.loaded.connect(lambda: at_editable.append(("sqlalchemy" in sys.modules, window.db.brought_in)))
loop = QEventLoop()
window.loaded.connect(loop.quit)
window.failed.connect(loop.quit)
QTimer.singleShot(60000, loop.quit)
if window.db is not None:                  # opened before it showed: typed into as soon as it is drawn
    from ui.last_view import after_first_paint

    after_first_paint(window, loop.quit)
loop.exec()
print("editable", window.db is not None, *at_editable[0])
window.tree.setCurrentItem(next(n for n in window.tree.item_nodes() if n.text(0) == "1"))
model, grid = window.grid_model, window.grid
row = next(r for r in range(model.rowCount()) if model.index(r, 0).data().startswith("窓口件数")
           and model.index(r, 1).data() == "令和6年度")
grid.setFocus()
from ui.grid_model import FIRST_MONTH
grid.setCurrentIndex(model.index(row, FIRST_MONTH))        # 4月
QTest.keyClick(grid, Qt.Key_6)                             # typing starts the editor …
QTest.keyClicks(QApplication.focusWidget(), "00")           # … which gets the rest
QTest.keyClick(QApplication.focusWidget(), Qt.Key_Return)
for _ in range(200):
    app.processEvents()
    if model.index(row, FIRST_MONTH).data() == "600" and window.db.brought_in:
        break
    QTest.qWait(10)
print("shown", model.index(row, FIRST_MONTH).data(), window.editor.stack.count())
window.db.close()
"""


def test_a_figure_typed_as_soon_as_the_window_is_editable_is_stored_with_its_change_log(demo_path, tmp_path):
    from app.operations.edits import history
    from app.reads.queries import monthly_values
    from app.store.database import open_database

    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", TYPE_AT_ONCE, str(path)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    lines = out.stdout.split("\n")
    assert lines[0] == "editable True False False", out.stderr[-3000:]      # open, and no SQLAlchemy yet
    assert lines[1] == "shown 600 1", out.stderr[-3000:]
    db = open_database(path)
    try:
        assert [v.value for v in monthly_values(db, "10", 2024, ["counter_count"]) if v.month == 4] == [600]
        log = history(db, "10", 2024, 4, "counter_count")[0]
        assert (log.old, log.new, log.source) == ("541", "600", "手入力")
    finally:
        db.close()


def test_a_file_at_the_newest_revision_is_open_before_the_window_shows(qtbot, demo_path, tmp_path):
    from ui.app import launch

    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    window = launch(str(path))
    qtbot.addWidget(window)
    try:
        assert window.db is not None and window.grid_model.rowCount() > 0 and window.windowTitle() == "群馬支部"
        assert not getattr(window, "showing_last_view", False)
        with qtbot.waitSignal(window.brought_in, timeout=30000):      # once it is drawn, off the GUI thread
            pass
        assert window.db.brought_in
    finally:
        window.instance_lock.release()


def test_a_database_to_migrate_or_a_new_one_opens_the_regular_way(demo_path, tmp_path):
    """Light only for a file stamped with the newest revision: a new file is created (and its
    reference data written) by the regular way; an older stamp is migrated by it."""
    import sqlite3

    from app.store.database import open_database

    new = open_database(tmp_path / "new.sqlite3", light=True)
    try:
        assert new.brought_in and new.catalogue and new.rows("SELECT count(*) FROM branch")[0][0] == 48
    finally:
        new.close()
    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    light = open_database(path, light=True)
    assert not light.brought_in and light.home_branch == "10"
    light.close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'older'")
    con.commit()
    con.close()
    from app.store.database import _open_light

    assert _open_light(path) is None                     # the regular way would migrate (or refuse) it


def test_brought_in_later_the_reference_data_is_checked_as_opening_does(demo_path, tmp_path):
    """A database opened light gets what opening writes (branches, the catalogue's indicators)
    when the ORM comes in, before any edit is stored."""
    import sqlite3

    from app.store.database import open_database

    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    con = sqlite3.connect(path)
    con.execute("UPDATE indicator SET name = 'old name' WHERE code = 'counter_count'")
    con.commit()
    con.close()
    db = open_database(path, light=True)
    try:
        assert not db.brought_in and db.rows("SELECT name FROM indicator WHERE code = 'counter_count'") == [("old name",)]
        db.bring_in()
        assert db.brought_in
        assert db.rows("SELECT name FROM indicator WHERE code = 'counter_count'") == [(db.catalogue["counter_count"].name,)]
    finally:
        db.close()
