"""前回の表示: what the window showed when it was last closed — the years, the plan, the item with its
monthly grid and KPI table — kept beside the user's cache and drawn at the next start while the
database opens (SQLAlchemy, the models and the first queries take three times as long as Qt itself
to start). It is kept under the digest of the database's bytes (the file and its -wal) and used
only for a file of exactly those bytes: any write by anyone changes them, while a byte-for-byte
copy (a fresh ``--demo`` copy, a file copied to another folder) shows the same view. The window
then loads the database as always and redraws from it. Only for a SQLite file; editing waits for
the database.

Plain values only (dicts, lists, numbers, strings), read back with a loader that builds no object
of any class, so a stale or foreign file can do nothing but be ignored.
"""
from __future__ import annotations

import io
import pickle
from pathlib import Path
from types import SimpleNamespace

FORMAT = 1


KEEP = 20                      # views kept (the newest): one per database state a window was left in


def cache_file(digest: str) -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("branch-report", appauthor=False)) / "last-view" / f"{digest}.pickle"


def fingerprint(database: Path) -> str | None:
    """The digest of the file's bytes and its -wal's (an empty -wal — a reader opened the file and
    left without writing — is no change); None when there is no file. ~1 ms a megabyte."""
    import hashlib

    digest = hashlib.sha1(usedforsecurity=False)
    for i, f in enumerate((database, database.with_name(database.name + "-wal"))):
        try:
            with open(f, "rb") as fh:
                for n, chunk in enumerate(iter(lambda: fh.read(1 << 20), b"")):
                    digest.update(b"\0wal\0" if i and not n else b"")    # a -wal with something in it
                    digest.update(chunk)
        except OSError:
            if not i:
                return None
    return digest.hexdigest()


class _PlainOnly(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name} は読みません")


def load(database: Path | None) -> dict | None:
    """The last view of a file of exactly this database's bytes; else None."""
    digest = fingerprint(database) if database is not None else None
    if digest is None:
        return None
    try:
        view = _PlainOnly(io.BytesIO(cache_file(digest).read_bytes())).load()
    except Exception:  # noqa: BLE001 - missing, unreadable or foreign: start as without it
        return None
    if not isinstance(view, dict) or view.get("format") != FORMAT or view.get("file") != digest:
        return None
    return view


def save(window) -> Path | None:
    """At close: the window's view, under the digest of the database file as the window leaves it
    (its connections closed, so the -wal is written back). Nothing for a shared server; for an empty
    window, or one left on a group's table, no view of this file is kept."""
    import dataclasses

    db = window.db
    path = db.sqlite_file if db is not None else None
    if path is None:
        return None
    item = window.item_of(window.tree.currentItem())
    view = None
    if item is not None and window.fiscal_year is not None:     # else the next start waits for the database
        model = window.grid_model
        codes = {r.indicator for r in model.rows}
        codes |= {c for code in list(codes) for c in (db.catalogue[code].numerator, *db.catalogue[code].denominator)
                  if c}
        view = {"format": FORMAT, "branch": window.branch, "title": window.windowTitle(),
                "branch_label": window.branch_label.text(), "counts": window.counts.text(),
                "years": [(window.year_box.itemText(i), window.year_box.itemData(i))
                          for i in range(window.year_box.count())],
                "year": window.fiscal_year, "quarter": window.quarter,
                "items": [dataclasses.asdict(i) for i in window.items], "item_id": item.id,
                "rows": [dataclasses.asdict(r) for r in model.rows],
                "lines": [dict(dataclasses.asdict(line), as_of_text=line.as_of_text, as_of=None)
                          for line in getattr(window, "kpi_lines", [])],
                "indicators": {c: {f: getattr(db.catalogue[c], f)
                                   for f in ("name", "unit", "kind", "numerator", "denominator")}
                               for c in codes if c in db.catalogue}}
    db.close()                                   # the -wal checkpointed, the connections closed
    digest = fingerprint(path)
    if digest is None:
        return None
    target = cache_file(digest)
    try:
        if view is None:
            target.unlink(missing_ok=True)
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pickle.dumps({**view, "file": digest}))
        for old in sorted(target.parent.glob("*.pickle"), key=lambda f: f.stat().st_mtime, reverse=True)[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return None
    return target


def _ns(d: dict, **more) -> SimpleNamespace:
    return SimpleNamespace(**{**d, **more})


def show(window, view: dict) -> None:
    """Draw the last view in a window whose database is still opening (read-only until then)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView

    window._build_tabs()
    window.branch = view["branch"]
    window.setWindowTitle(view["title"])
    window.branch_label.setText(view["branch_label"])
    window.year_box.blockSignals(True)
    for text, fy in view["years"]:
        window.year_box.addItem(text, fy)
    window.year_box.setCurrentIndex(max(0, window.year_box.findData(view["year"])))
    window.year_box.blockSignals(False)
    window.status.quarter.blockSignals(True)
    window.status.set_quarter(view["quarter"])
    window.status.quarter.blockSignals(False)
    window.items = [_ns(i, kpis=tuple(_ns(k) for k in i["kpis"])) for i in view["items"]]
    window._fill_tree()
    window.tree.setCurrentItem(next(n for n in window.tree.item_nodes() if n.data(0, Qt.UserRole) == view["item_id"]))
    item = next(i for i in window.items if i.id == view["item_id"])
    window.show_item_header(item)
    window.grid_model.catalogue = {c: _ns(d) for c, d in view["indicators"].items()}
    window.grid_model.negative = window._negative
    window.grid_model.set_rows([_ns(r) for r in view["rows"]])
    window.kpi_table.show_lines([_ns(line, kpi=_ns(line["kpi"])) for line in view["lines"]])
    window.counts.setText(view["counts"])
    triggers = window.grid.editTriggers()
    window.grid.setEditTriggers(QAbstractItemView.NoEditTriggers)
    window.loaded.connect(lambda: window.grid.setEditTriggers(triggers))
    window.showing_last_view = True


def after_first_paint(window, then) -> None:
    """Call ``then`` once the window has painted itself the first time."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.UpdateRequest:          # the paint happens right after this
                window.removeEventFilter(self)
                QTimer.singleShot(0, then)
            return False

    watch = FirstPaint(window)
    window.first_paint = [*getattr(window, "first_paint", []), watch]      # kept with the window
    window.installEventFilter(watch)
