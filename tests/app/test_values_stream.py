"""`values` streams rows in the database's order (issue 25) and writes the very bytes it wrote when
it sorted every row in memory first: CSV and JSON, all values, a filter, nothing."""
import csv
import io
import json

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.core.fiscal import fiscal_index
from app.core.values import format_number
from db.models import Indicator, MonthlyValue

HEADER = ["branch", "fiscal_year", "month", "indicator", "value"]


def held_whole(db, fy=None) -> list[dict]:
    """The rows as the command had them: all fetched, then sorted in Python."""
    q = (select(MonthlyValue.branch_code, MonthlyValue.fiscal_year, MonthlyValue.month, MonthlyValue.indicator_code,
                MonthlyValue.value, Indicator.position).join(Indicator, Indicator.code == MonthlyValue.indicator_code))
    if fy:
        q = q.where(MonthlyValue.fiscal_year == fy)
    with db.session() as s:
        rows = s.execute(q).all()
    rows.sort(key=lambda r: (r[0], r[1], r[5], fiscal_index(r[2])))
    return [dict(zip(HEADER, r[:5])) for r in rows]


def as_before(rows: list[dict], fmt: str) -> str:
    out = io.StringIO()
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        w = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows([dict(r, value=format_number(r["value"])) for r in rows])
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("fy", [None, 2023, 1990])
def test_the_same_bytes_as_when_held_whole(demo_db, capsys, fmt, fy):
    from app.operations.edits import CellEntry
    from app.operations.ops import edit_cells

    if fy is None:                    # a second branch (before the demo's), so that branches are ordered too
        edit_cells(demo_db, [CellEntry("01", 2024, m, "mail_rate", v) for m, v in ((3, "75%"), (4, "50%"))])
    url = demo_db.engine.url.render_as_string(hide_password=False)
    code = main(["--db", url, "values", "--format", fmt] + (["--fy", str(fy)] if fy else []))
    said = capsys.readouterr()
    rows = held_whole(demo_db, fy)
    assert bool(rows) == (fy != 1990)
    if not rows:                      # nothing stored: said so (exit 1), no bare header
        assert code == 1 and said.out == "" and "1990年度 の値は保存されていません" in said.err
        return
    assert code == 0
    assert said.out == as_before(rows, fmt)
