"""The sample database behind ``--demo``: built from the bundled sample workbooks.

It is built once per version of its sources (cached in the user's cache folder) and every
``--demo`` run gets a fresh copy of it, so the sample data is never changed for good. Copying
it loads no SQLAlchemy: the window is up before that is loaded.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from app.core.branches import RESOURCES
from db.files import MIGRATIONS, copy_sqlite

SAMPLE = RESOURCES / "sample"
# seed 004 whole (plan, rated rows, 第4四半期), the months of R4–R6, headquarters' 全国 figures
WORKBOOKS = ("gunma_fy2024_progress.xlsx", "gunma_fy2024_monthly.xlsx", "hq_national_fy2024.xlsx")


def _fingerprint() -> str:
    h = hashlib.sha256()
    sources = [SAMPLE / n for n in WORKBOOKS] + [SAMPLE / "item_indicators.json", RESOURCES / "indicators.json"]
    top = Path(__file__).resolve().parents[2]
    sources += sorted(MIGRATIONS.glob("versions/*.py")) + sorted((top / "app").rglob("*.py"))
    sources += sorted((top / "importers").rglob("*.py"))
    for p in sources:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build_demo(path: Path):
    """Import the sample workbooks (the progress sheet brings the plan, its rated rows and their
    第4四半期) and the indicators each item keeps into a new database at path (a Database)."""
    from app.operations import ops
    from app.core.errors import BranchReportError
    from app.reads.queries import plan_items
    from app.store.database import open_database
    from app.store.settings import StoredSettings

    db = open_database(path)
    with db.unit() as s:
        StoredSettings(s).home_branch = "10"
    who = "sample" if db.is_sqlite else None       # on a server, whoever builds it is its login
    result = ops.import_files(db, [SAMPLE / name for name in WORKBOOKS], branch="10", who=who)
    if result.failed:
        raise BranchReportError("サンプルデータを作れません: " + "; ".join(
            p.line() for r in result.reports for p in r.errors + r.conflicts))
    kept = json.loads((SAMPLE / "item_indicators.json").read_text(encoding="utf-8"))
    items = {i.item_no: i.id for i in plan_items(db, kept["branch"], kept["fiscal_year"])}
    for item_no, codes in kept["items"].items():
        ops.set_item_indicators(db, items[int(item_no)], codes, who=who)
    return db


def demo_copy() -> Path:
    """A fresh copy of the sample database in a temporary folder."""
    from platformdirs import user_cache_dir

    cache = Path(user_cache_dir("branch-report", appauthor=False)) / f"demo-{_fingerprint()}.sqlite3"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("demo-*.sqlite3*"):
            old.unlink()
        tmp = cache.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        db = build_demo(tmp)
        db.engine.dispose()
        copy_sqlite(tmp, cache)
        for p in tmp.parent.glob(tmp.name + "*"):
            p.unlink()
    # in WAL, as the program keeps a database: a fresh copy's bytes are then those of a used one,
    # so the window's last view of the sample data fits it
    return copy_sqlite(cache, Path(tempfile.mkdtemp(prefix="branch-report-demo-")) / "demo.sqlite3", journal="WAL")
