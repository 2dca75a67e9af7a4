"""The reader's copy of openpyxl's reading rules (importers/formats/excel_rules.py, kept so that an
import does not load openpyxl) says what openpyxl says, and the command-line import loads neither
openpyxl nor numpy nor PIL."""
import os
import subprocess
import sys

import pytest
from openpyxl.styles import numbers
from openpyxl.utils import datetime as xldt

from importers.base import column_letter
from importers.formats import excel_rules as rules
from tests.conftest import ROOT, SAMPLE

FORMATS = [*numbers.BUILTIN_FORMATS.values(), None, "yyyy/m/d", '[$-411]ggge"年"m"月"d"日"', '"d"0', r"0\d",
           "_d0", "[Red]0.0", "[h]:mm", "[mm]:ss", "[ss].00", "h:mm;@", "0;[h]:mm", "#,##0.0%", "ｍｍ"]


def test_the_formats_are_openpyxls():
    assert rules.BUILTIN_FORMATS == numbers.BUILTIN_FORMATS
    for fmt in FORMATS:
        assert rules.is_date_format(fmt) == numbers.is_date_format(fmt), fmt
        assert rules.is_timedelta_format(fmt) == numbers.is_timedelta_format(fmt), fmt


@pytest.mark.parametrize("epoch", [xldt.CALENDAR_WINDOWS_1900, xldt.CALENDAR_MAC_1904])
def test_serials_become_the_dates_openpyxl_makes(epoch):
    assert (rules.CALENDAR_WINDOWS_1900, rules.CALENDAR_MAC_1904) == (xldt.CALENDAR_WINDOWS_1900, xldt.CALENDAR_MAC_1904)
    for value in (0, 0.5, 0.99999999, 1, 59, 59.75, 60, 61, 45000.125, 2958465.9999, -1.5, 1e-9, None):
        for span in (False, True):
            assert _outcome(rules.from_excel, value, epoch, span) == _outcome(xldt.from_excel, value, epoch, span)
    for text in ("2024-12-11", "2024-12-11T03:05:00Z", "03:05", "03:05:07.250", "PT25H3M", "PT1.5S", ""):
        assert rules.from_ISO8601(text) == xldt.from_ISO8601(text)
    with pytest.raises(ValueError):
        rules.from_ISO8601("昨日")


def _outcome(convert, *args):
    try:
        return convert(*args)
    except (OverflowError, ValueError) as e:
        return type(e)


def test_column_letters_are_openpyxls():
    from openpyxl.utils import get_column_letter

    assert [column_letter(c) for c in range(18_278)] == [get_column_letter(c + 1) for c in range(18_278)]


def test_a_references_column_is_openpyxls_within_excels_grid():
    from openpyxl.utils import get_column_letter

    from importers.formats.xlsx import _column

    assert [_column(get_column_letter(c + 1)) for c in range(16_384)] == list(range(16_384))
    assert [_column(x) for x in ("XFE", "ZZZ", "AAAA", "a", "Ab", "", "Ａ", "A1")] == [None] * 8


def test_an_import_from_the_command_line_loads_no_heavy_library(tmp_path):
    probe = ("import sys\n"
             "from app.cli.main import main\n"
             "assert main(['--db', sys.argv[1], 'import', sys.argv[2], '--branch', '10']) == 0\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'numpy', 'PIL', 'PySide6', 'pyqtgraph'}))")
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "db.sqlite3"), str(SAMPLE / "gunma_fy2024_monthly.xlsx")], cwd=ROOT,
                         capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
