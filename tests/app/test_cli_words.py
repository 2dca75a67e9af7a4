"""The command line speaks Japanese: every verb's --help describes every option, argparse's own
refusals are said in Japanese, and asking for what is not there says so (docs/cli.md)."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from app.cli.main import build_parser, main

VERBS = [["values"], ["plan"], ["import"], ["ranks"], ["chart"], ["export"], ["indicators"], ["users"],
         ["package"], ["package", "write"], ["package", "read"], ["restore"], ["check"], ["backup"], []]


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: " ".join(v) or "top")
def test_every_help_is_japanese_and_describes_every_option(verb, capsys):
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*verb, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("使い方: branch-report")
    for english in ("usage:", "options:", "positional arguments", "show this help"):
        assert english not in text
    # every option line (two spaces, a dash) has its description on the line or the next one
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"  -", line):
            described = re.search(r"\S  +\S", line.strip()) or (i + 1 < len(lines) and lines[i + 1].startswith(" " * 10))
            assert described, f"{verb}: {line!r} has no description"


def test_argparse_refusals_are_japanese(demo_path, capsys):
    db = ["--db", str(demo_path)]
    assert main([*db, "ranks"]) == 2
    assert "次の指定が必要です: --indicator, --fy" in capsys.readouterr().err
    assert main([*db, "export", "--fy", "R6", "--quarter", "5", "--out", "x.pdf"]) == 2
    assert "--quarter: 5 は選べません" in capsys.readouterr().err
    assert main([*db, "values", "--bogus"]) == 2
    assert "分からない指定があります: --bogus" in capsys.readouterr().err


def test_values_says_when_nothing_is_stored_for_what_was_asked(demo_path, capsys):
    assert main(["--db", str(demo_path), "values", "--fy", "2099"]) == 1
    said = capsys.readouterr()
    assert said.out == "" and "2099年度 の値は保存されていません（保存されている年度: 2022〜2024）" in said.err
    assert main(["--db", str(demo_path), "values", "--indicator", "no_such"]) == 2
    assert "指標 'no_such' がありません" in capsys.readouterr().err


def test_indicators_lists_the_catalogue(demo_path, capsys):
    assert main(["--db", str(demo_path), "indicators"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["code", "name", "group", "unit", "kind"]
    assert {"code": "ss_rate", "name": "サービススタンダード達成率", "group": "業務", "unit": "%", "kind": "ratio"} in rows
    assert main(["--db", str(demo_path), "indicators", "--format", "json"]) == 0
    assert [r["code"] for r in json.loads(capsys.readouterr().out)] == [r["code"] for r in rows]
