"""The bulk paths of storing an import: many rows a statement (SQLite) or COPY to a staging table
(PostgreSQL), in the operation's transaction, every text and number as it was; duplicates found
through the index."""
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.operations.edits import ensure_years
from app.operations.imports import _bulk_insert, _duplicates, _value_index, check_year_figures
from db.models import ImportBatch, MonthlyValue, YearValue
from importers.base import Extraction, ValueRecord, Where

NAMES = ["branch_code", "fiscal_year", "month", "indicator_code", "value", "batch_id", "source_file", "source_sheet",
         "source_cell", "note", "version"]
ODD = ["tab\there", "back\\slash", "line\nbreak", "quote ' \" ", "\\N", "", "NULL", "カンマ,区切り", "\r\n", "→ ☃"]


def batch(s) -> int:
    from sqlalchemy import text

    who = s.scalar(text("SELECT current_user")) if s.get_bind().dialect.name == "postgresql" else "test"
    b = ImportBatch(file_name="x.xlsx", file_sha256="0" * 64, layout="monthly", imported_at=datetime.now(),
                    imported_by=who)           # (the server refuses an import in another login's name)
    s.add(b)
    s.flush()
    ensure_years(s, {2023, 2024})
    return b.id


def keys():
    from app.core.catalogue import load_catalogue
    from app.store.database import branch_names

    codes = [i.code for i in load_catalogue()][:3]
    return [(b, fy, m, code) for b in sorted(branch_names()) for fy in (2023, 2024) for m in range(1, 13)
            for code in codes]


def rows(batch_id, n):
    """n rows of distinct keys, with odd texts (for COPY's escapes) and numbers."""
    return [key + (i / 7 if i % 3 else float(i), batch_id, f"ファイル{ODD[i % len(ODD)]}.xlsx", f"シート{i % 5}",
                   f"B{i + 1}", ODD[i % len(ODD)] if i % 4 else None, 1) for i, key in enumerate(keys()[:n])]


@pytest.mark.parametrize("n", [1, 7, 909, 910, 2500])      # one statement, a part, a full one, one and a row, many
def test_bulk_insert_stores_every_row_as_it_was(empty_db, n):
    with empty_db.unit() as s:
        expected = rows(batch(s), n)
        _bulk_insert(s, MonthlyValue.__table__, NAMES, expected)
    with empty_db.session() as s:
        got = [tuple(r) for r in s.execute(select(*(getattr(MonthlyValue, c) for c in NAMES)))]
    assert len(got) == n and sorted(got) == sorted(expected)


def test_bulk_insert_is_part_of_the_transaction(empty_db):
    with pytest.raises(RuntimeError):
        with empty_db.unit() as s:
            _bulk_insert(s, MonthlyValue.__table__, NAMES, rows(batch(s), 30))
            raise RuntimeError("rolled back")
    with empty_db.session() as s:
        assert s.scalars(select(MonthlyValue.id)).first() is None
        assert s.scalars(select(ImportBatch.id)).first() is None


def test_several_bulk_inserts_in_one_operation(empty_db):
    """The files of one import, one after the other in the same transaction."""
    with empty_db.unit() as s:
        expected = rows(batch(s), 60)
        for part in (expected[:25], expected[25:]):
            _bulk_insert(s, MonthlyValue.__table__, NAMES, part)
    with empty_db.session() as s:
        assert len(s.scalars(select(MonthlyValue.id)).all()) == 60


def test_year_rows(empty_db):
    names = ["branch_code", "fiscal_year", "indicator_code", "value", "batch_id", "source_file", "source_sheet",
             "source_cell", "decimals"]
    with empty_db.unit() as s:
        batch_id = batch(s)
        expected = [("10", 2024, "mail_rate", 94.6, batch_id, "f.xlsx", "s", "N5", 1),
                    ("01", 2024, "mail_rate", 90.1, batch_id, "f\t\\.xlsx", "s\n", "N6", None)]
        _bulk_insert(s, YearValue.__table__, names, expected)
    with empty_db.session() as s:
        assert {tuple(r) for r in s.execute(select(*(getattr(YearValue, c) for c in names)))} == set(expected)


def extraction(*values):
    ext = Extraction("monthly", "b.xlsx", path=Path("b.xlsx"))
    ext.values = [ValueRecord(b, fy, m, code, x, Where("b.xlsx", "s", cell)) for b, fy, m, code, x, cell in values]
    return ext


def test_a_month_read_twice():
    ext = extraction(("10", 2024, 4, "mail_count", 5.0, "B5"), ("10", 2024, 5, "mail_count", 6.0, "C5"),
                     ("10", 2024, 4, "mail_count", 7.0, "B9"), ("10", 2024, 4, "mail_count", 5.0, "B12"))
    index = _value_index(ext)
    assert not index[2]
    assert [p.line() for p in _duplicates(ext, index)] == [
        "b.xlsx:s!B9: 同じ指標・月の値が s!B5 (5) と異なります (7)"]
    assert _duplicates(ext) == _duplicates(ext, index)
    assert index[0][("10", 2024, "mail_count")] == {4: 5.0, 5: 6.0}      # the later reading of a month


def test_a_year_figure_read_twice():
    ext = extraction(("10", 2024, None, "mail_count", 5.0, "N5"), ("10", 2024, None, "mail_count", 8.0, "N9"),
                     ("01", 2024, None, "mail_count", 8.0, "N6"))
    assert not _value_index(ext)[2]
    assert [p.where.cell for p in _duplicates(ext)] == ["N9"]


def test_no_key_twice():
    ext = extraction(("10", 2024, 4, "mail_count", 5.0, "B5"), ("01", 2024, 4, "mail_count", 5.0, "B6"),
                     ("10", 2024, None, "mail_count", 5.0, "N5"), ("10", 2023, 4, "mail_count", 5.0, "B7"))
    assert _value_index(ext)[2] and _duplicates(ext) == []


def test_year_figures_checked_with_or_without_the_index():
    from app.core.catalogue import load_catalogue

    cat = load_catalogue()
    ext = extraction(("10", 2024, 4, "mail_count", 5.0, "B5"), ("10", 2024, 5, "mail_count", 6.0, "C5"),
                     ("10", 2024, None, "mail_count", 12.0, "N5"), ("10", 2024, None, "mail_count", 11.0, "N6"))
    problems = check_year_figures(ext, cat)
    assert [p.where.cell for p in problems] == ["N5"]
    assert check_year_figures(ext, cat, _value_index(ext)) == problems
