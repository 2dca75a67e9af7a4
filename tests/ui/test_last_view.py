"""前回の表示: the window draws what it showed at the last close at once, while the database opens
the regular way (a file to migrate: here, open_light declines it), when the file is exactly as it
was left (or a byte-for-byte copy of it) — and never after anyone changed it. A file at the newest
revision is opened before the window shows (tests/ui/test_light_start.py)."""
import shutil

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from ui import last_view
from ui.app import launch


@pytest.fixture(autouse=True)
def _opened_the_regular_way(monkeypatch):
    import app.store.database

    monkeypatch.setattr(app.store.database, "open_light", lambda target: None)


def start(qtbot, path):
    window = launch(str(path))
    window.setProperty("quiet", True)                  # a failure is a test failure, not a message box
    qtbot.addWidget(window)
    shown = [window.grid_model.index(r, c).data() for r in range(window.grid_model.rowCount()) for c in (0, 2, 14)] \
        if hasattr(window, "grid_model") else []
    return window, shown


def loaded(qtbot, window):
    if window.db is None:
        with qtbot.waitSignal(window.loaded, timeout=30000):
            pass
    assert window.db is not None, getattr(window, "load_error", "")
    return [window.grid_model.index(r, c).data() for r in range(window.grid_model.rowCount()) for c in (0, 2, 14)]


def test_the_last_view_is_drawn_at_once_and_matches_the_database(qtbot, demo_path, tmp_path):
    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    first, before = start(qtbot, path)
    assert before == [] and not getattr(first, "showing_last_view", False)        # nothing kept yet
    live = loaded(qtbot, first)
    first.tree.setCurrentItem(next(n for n in first.tree.item_nodes() if n.text(0) == "1"))
    live = [first.grid_model.index(r, c).data() for r in range(first.grid_model.rowCount()) for c in (0, 2, 14)]
    first.close()                                                     # kept at close
    first.instance_lock.release()                                     # as when the program ends
    assert last_view.cache_file(last_view.fingerprint(path)).exists()

    second, shown = start(qtbot, path)
    assert second.db is None and second.showing_last_view              # drawn before the database is open
    assert shown == live and second.tree.currentItem().text(0) == "1"
    assert second.kpi_table.rowCount() > 0 and second.windowTitle() == "群馬支部"
    assert second.grid.editTriggers() == QAbstractItemView.NoEditTriggers          # read-only until then
    assert loaded(qtbot, second) == live                                 # the database says the same
    assert second.grid.editTriggers() != QAbstractItemView.NoEditTriggers
    assert second.grid_model.tooltip(second.grid_model.index(0, 3))
    second.instance_lock.release()


def test_a_database_changed_since_is_not_shown_from_the_last_view(qtbot, demo_path, tmp_path):
    from app.operations import ops
    from app.operations.edits import CellEntry
    from app.store.database import open_database

    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    first, _ = start(qtbot, path)
    loaded(qtbot, first)
    first.close()
    first.instance_lock.release()
    db = open_database(path)                                            # e.g. `branch-report import` meanwhile
    ops.edit_cells(db, [CellEntry("10", 2024, 4, "mail_count", 1)], who="someone")
    db.engine.dispose()
    assert last_view.load(path) is None
    second, shown = start(qtbot, path)
    assert shown == [] and second.db is None and not getattr(second, "showing_last_view", False)
    loaded(qtbot, second)
    second.instance_lock.release()


def test_the_window_paints_before_sqlalchemy_or_openpyxl_is_loaded():
    """The command line's start and the window up to its first paint load neither SQLAlchemy (the
    database opens after) nor openpyxl (issue 25: a window within 2x a bare one)."""
    import subprocess
    import sys

    script = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import app.cli.main
from app.store.paths import default_database_path
from PySide6.QtWidgets import QApplication
from ui.app import show_fitted
from ui.main_window import MainWindow
app = QApplication([])
window = MainWindow()
show_fitted(window)
window.repaint()
app.processEvents()
print(default_database_path().name, sorted(m for m in ("sqlalchemy", "openpyxl", "importers") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["branch-report.sqlite3", "[]"], out.stderr[-2000:]


def test_a_foreign_file_is_ignored(tmp_path, demo_path):
    import pickle

    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    target = last_view.cache_file(last_view.fingerprint(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pickle.dumps({"format": last_view.FORMAT, "file": last_view.fingerprint(path),
                                     "evil": tmp_path}))                 # a class's object: refused
    assert last_view.load(path) is None


def test_leaving_on_a_group_table_keeps_no_older_view(qtbot, demo_path, tmp_path):
    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    first, _ = start(qtbot, path)
    loaded(qtbot, first)
    first.close()
    first.instance_lock.release()
    assert last_view.load(path) is not None
    second, _ = start(qtbot, path)
    loaded(qtbot, second)
    groups = next(second.tree.topLevelItem(i) for i in range(second.tree.topLevelItemCount())
                  if second.tree.topLevelItem(i).text(0) == "グループ別 月次表")
    second.tree.setCurrentItem(groups.child(0))
    second.close()
    second.instance_lock.release()
    assert last_view.load(path) is None


def test_a_copy_of_the_same_bytes_shows_the_same_view_and_a_screenshot_keeps_it(tmp_path, demo_path, monkeypatch):
    """``--demo`` opens a fresh copy each time; ``--screenshot`` keeps the view as closing does."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    copies = [shutil.copy(demo_path, tmp_path / f"copy{i}.sqlite3") for i in (1, 2)]
    shots = [tmp_path / f"shot{i}.png" for i in (1, 2)]
    for i, (copy, shot) in enumerate(zip(copies, shots)):
        if i:                                 # the untouched copy: the first session left its bytes as they were
            assert last_view.load(copy) is not None
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(copy), "--screenshot", str(shot)],
                       env=env, check=True, capture_output=True, timeout=120)
    assert len(list(last_view.cache_file("x").parent.glob("*.pickle"))) == 1
    assert _grid(shots[0]) == _grid(shots[1])            # the same figures (the status bar differs: 開いています…)


def _grid(png):
    """The picture's middle, right of the item tree: the item's heading, plan text and grid."""
    from PIL import Image

    img = Image.open(png).convert("RGB")
    w, h = img.size
    return img.crop((int(w * 0.22), int(h * 0.06), w, int(h * 0.9))).tobytes()


def test_the_fingerprint_is_the_bytes_of_the_file_and_of_a_wal_with_something_in_it(tmp_path, demo_path):
    path = shutil.copy(demo_path, tmp_path / "db.sqlite3")
    wal = tmp_path / "db.sqlite3-wal"
    alone = last_view.fingerprint(path)
    wal.write_bytes(b"")                                   # a reader came and went
    assert last_view.fingerprint(path) == alone
    wal.write_bytes(b"\0" * 32)                            # something not yet moved into the file
    assert last_view.fingerprint(path) != alone
    assert last_view.fingerprint(tmp_path / "none.sqlite3") is None
