"""read_value's shortcut for a number in a plain or percent cell reads exactly as the full path."""
import math

import pytest

from app.core import values
from app.core.indicator_kinds import kind_of
from app.core.catalogue import load_catalogue
from app.core.values import number_scale, read_value, shown_percent

RAWS = [0, 1, -3, 2481, 12345678901, 10**298, -10**298, 10**400, 0.0, -0.0, 0.946, 0.1 + 0.2, 94.9, -1.5, 1e-7,
        1e299, 1.7e308, math.inf, -math.inf, math.nan, True, False]
FORMATS = [None, "General", "0", "#,##0", "0.0", "0.0%", "0%", "0.00%;[Red]-0.00%", '0.0"%"', "h:mm", "[h]:mm",
           "mm:ss", "h:mm:ss", "0.00E+00", "yyyy-mm-dd", '#,##0"件"', "[$-411]ggge\"年\"m\"月\"d\"日\""]
KINDS = sorted({(i.unit, i.kind) for i in load_catalogue()}
               | {("", "count"), ("%", "ratio"), ("件", "ratio"), ("h:mm", "count"), ("", "duration"),
                  ("回", "event"), ("%", "event")})


def full_path(raw, unit, kind, fmt):
    """read_value without its shortcut: what it read before the shortcut existed."""
    try:
        return values._read(raw, unit, kind_of(kind, unit), fmt)
    except (OverflowError, ValueError):
        return values._problem(raw)


@pytest.mark.parametrize("unit, kind", KINDS)
def test_the_shortcut_reads_as_the_full_path(unit, kind):
    for fmt in FORMATS:
        for raw in RAWS:
            if raw == 10**400 and number_scale(unit, kind, fmt) is None:
                continue            # the full path cannot read it either (math.isfinite overflows)
            assert read_value(raw, unit=unit, kind=kind, number_format=fmt) == full_path(raw, unit, kind, fmt), \
                (raw, unit, kind, fmt)


def test_a_scale_only_where_the_number_is_taken_as_it_is():
    assert number_scale("件", "count", "#,##0") == 1
    assert number_scale("%", "ratio", "0.0%") == 100
    assert number_scale("件", "ratio", "0.0%") is None          # a percent cell of an indicator in 件
    assert number_scale("件", "count", "h:mm") is None          # a time cell
    assert number_scale("h:mm", "count", None) is None          # a duration, whatever its kind says
    assert number_scale("回", "event", None) is None
    assert shown_percent(0.946) == 94.6 and shown_percent(0.1 + 0.2) == 30.0


def test_a_huge_integer_is_a_problem_not_an_exception():
    reading = read_value(10**400, unit="件", kind="count", number_format="#,##0")
    assert reading.value is None and "数値として読めません" in reading.problem
