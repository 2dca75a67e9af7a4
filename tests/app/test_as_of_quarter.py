"""Figures users can sign: a document for quarter Q uses months up to Q's last month only — its
header, month tables, quarterly tables, ■ KPI lines, KPI tables and charts — for every kind.
Proved by building each document twice: from the sample data, and from a copy that holds nothing
after the quarter's end. The two must be the same, to the letter."""
import dataclasses
import re
import shutil
import sqlite3

import pytest

from app.documents.charts import chart_data
from app.core.fiscal import FISCAL_MONTHS
from app.documents.build import build
from app.store.database import open_database

pytestmark = pytest.mark.sqlite_only


def texts(value) -> list[str]:
    """Every text and number of a document, in order."""
    if dataclasses.is_dataclass(value):
        return [t for f in dataclasses.fields(value) for t in texts(getattr(value, f.name))]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in texts(v)]
    return [] if value is None else [str(value)]


def cut_at(demo_path, tmp_path, quarter: int):
    """The sample data as it stood at the quarter's end: no later month of 令和6年度 for any branch,
    no year figure of 令和6年度 printed (those come with the year's end)."""
    path = tmp_path / f"q{quarter}.sqlite3"
    shutil.copy(demo_path, path)
    later = FISCAL_MONTHS[3 * quarter:]
    con = sqlite3.connect(path)
    con.execute(f"DELETE FROM monthly_value WHERE fiscal_year = 2024 AND month IN ({','.join('?' * len(later))})",
                later)
    con.execute("DELETE FROM year_value WHERE fiscal_year = 2024")
    con.commit()
    con.close()
    return open_database(path)


@pytest.mark.parametrize("quarter", [1, 2, 3])
def test_every_document_of_a_quarter_knows_nothing_later(demo_path, tmp_path, quarter):
    full, cut = open_database(demo_path), cut_at(demo_path, tmp_path, quarter)
    end = FISCAL_MONTHS[3 * quarter - 1]
    for kind in ("status", "progress", "summary"):
        doc = build(full, "10", 2024, quarter, kind)
        assert texts(doc) == texts(build(cut, "10", 2024, quarter, kind)), kind
        for code in doc.charts:
            assert chart_data(full, "10", code, 2024, quarter=quarter) == chart_data(cut, "10", code, 2024, quarter=quarter)
        dates = {(int(y), int(m)) for y, m in re.findall(r"令和(\d+)年(\d+)月末現在", " ".join(texts(doc)))}
        last = (6 if end >= 4 else 7, end)                                # 令和6年12月 / 令和7年3月
        assert all((y, m if m >= 4 else m + 12) <= (last[0], last[1] if last[1] >= 4 else last[1] + 12)
                   for y, m in dates), (kind, sorted(dates))
    full.close()
    cut.close()
