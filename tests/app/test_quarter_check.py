"""提出前チェック (branch-report check-quarter): a complete quarter exits 0, an incomplete one
lists each month without a figure, each rated row without a rating or text and each warning."""
from __future__ import annotations

import json

from app.cli.main import main
from tests.importers.build import Block, Row, one_block, twelve


def test_check_quarter_complete_and_incomplete(tmp_path, capsys):
    path = one_block(tmp_path / "q1.xlsx", Block("○サービス", "令和６年度", (
        Row("傷病手当金", "ss_sickness", 2024, twelve(3000, 3100, 2990, *[None] * 9)),
        Row("窓口件数", "counter_count", 2024, twelve(541, 453, 12.5, 400, *[None] * 8)),
    )))
    db = str(tmp_path / "t.sqlite3")
    assert main(["--db", db, "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "check-quarter", "--fy", "2024", "--quarter", "2", "--branch", "10"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "[業務] 傷病手当金（決定件数） 7月: 数値が入っていません" in lines
    assert "[業務] 窓口件数 6月: 点検: 件数に小数があります" in lines
    assert "[業務] 窓口件数 7月: 数値が入っていません" not in lines
    assert len(lines) == 3 + 2 + 2            # 7-9月 / 8-9月 / 6月's two warnings (decimals, a fall to 12.5)
    assert main(["--db", db, "check-quarter", "--fy", "R6", "--quarter", "1", "--branch", "10",
                 "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["complete"] and {m["kind"] for m in report["left"]} == {"warning"}
    fixed = one_block(tmp_path / "fixed.xlsx", Block("○サービス", "令和６年度", (
        Row("窓口件数", "counter_count", 2024, twelve(541, 453, 412, 400, *[None] * 8)),)))
    assert main(["--db", db, "import", str(fixed)]) == 0
    assert main(["--db", db, "check-quarter", "--fy", "2024", "--quarter", "1", "--branch", "10"]) == 0
    assert "残っているものはありません" in capsys.readouterr().err


def test_check_quarter_lists_rated_rows_left(demo_path, tmp_path, capsys):
    import shutil

    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo_path, db)
    assert main(["--db", str(db), "check-quarter", "--fy", "2024", "--quarter", "1"]) == 1
    assert "[業務] 項番1（1）: 評価・実施状況がありません" in capsys.readouterr().out.splitlines()
