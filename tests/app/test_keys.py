"""The stored key texts: each typed key has exactly the text databases and packages in the field
already hold, and is read back to itself."""
import pytest

from app.core.keys import (BaseValueKey, BatchKey, CellKey, KpiChangeKey, KpiKey, PlanItemKey, QuarterKey,
                           RowChangeKey, ValueChangeKey, YearKey, parse_log_key, parse_package_key)

LOG = [("monthly_value", CellKey("01", 2024, 1, "A01"), "01/2024/1/A01"),
       ("year_value", YearKey("47", 2019, "B12"), "47/2019/B12"),
       ("plan_item", PlanItemKey("13", 2025, 2, 15), "13/2025/2/15"),
       ("import_batch", BatchKey(7), "batch/7"),
       ("monthly_value", BatchKey(12), "batch/12"),
       ("quarterly_status", QuarterKey(12, 3), "12/Q3"),
       ("kpi_status", QuarterKey(5, 4), "5/Q4"),
       ("row_status", QuarterKey(40, 1), "40/Q1"),
       ("kpi", KpiKey(5), "5")]


@pytest.mark.parametrize("entity, key, text", LOG)
def test_log_keys(entity, key, text):
    assert str(key) == text
    assert parse_log_key(entity, text) == key


@pytest.mark.parametrize("key, text", [(ValueChangeKey("01", 2024, 12, "A01"), "value/01/2024/12/A01"),
                                       (RowChangeKey(40, 2, "rating"), "row/40/2/rating"),
                                       (KpiChangeKey(9), "kpi/9/manual_result")])
def test_package_keys(key, text):
    assert str(key) == text
    assert parse_package_key(text) == key


def test_base_value_key():
    assert str(BaseValueKey("A01", 3)) == "A01/3"


def test_unknown_shapes_are_refused():
    with pytest.raises(ValueError):
        parse_package_key("note/1")
    with pytest.raises(ValueError):
        parse_log_key("user", "x")
