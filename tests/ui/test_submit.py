"""`branch-report submit` with the real documents (PDF drawn with Qt, xlsx): kept in the database and
written back by `submitted --out` byte for byte; a restore of a backup from before the submission
is allowed with a warning line."""
from __future__ import annotations

import shutil

from app.cli.main import main as cli_main
from app.documents.kinds import KINDS
from main import GUI_VERBS


def run(*argv) -> int:
    return cli_main(list(argv), extra_verbs=GUI_VERBS)


def test_submit_keeps_the_documents_byte_for_byte_and_locks_the_quarter(demo_path, tmp_path, capsys):
    from app.reads.submissions import submissions
    from app.store.database import open_database

    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo_path, db)
    before = tmp_path / "before.sqlite3"
    assert run("--db", str(db), "backup", "--out", str(before)) == 0
    assert run("--db", str(db), "submit", "--fy", "R6", "--quarter", "4", "--note", "本部へ送付") == 0
    assert "第4四半期を提出しました" in capsys.readouterr().err
    opened = open_database(db)
    [sub] = submissions(opened)
    opened.engine.dispose()
    assert {(d.kind, d.format) for d in sub.documents} == {(k, f) for k in KINDS for f in ("pdf", "xlsx")}
    out = tmp_path / "out"
    assert run("--db", str(db), "submitted", "--fy", "2024", "--out", str(out)) == 0
    listed = capsys.readouterr().out
    assert "10 2024年度 第4四半期  提出" in listed and "本部へ送付" in listed and "鎖錠中" in listed
    for d in sub.documents:
        assert (out / d.file_name).read_bytes() == d.content
    pdf = next(d for d in sub.documents if d.kind == "status" and d.format == "pdf")
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 10_000

    assert run("--db", str(db), "submit", "--fy", "2024", "--quarter", "4") == 1          # once
    assert "既に提出済み" in capsys.readouterr().err
    # an edit through the command line: an import of January's figure, refused in one line
    from tests.importers.build import Block, Row, one_block, twelve

    book = one_block(tmp_path / "jan.xlsx", Block("○サービス", "令和６年度", (
        Row("窓口件数", "counter_count", 2024, twelve(*[None] * 9, 999, None, None)),)))
    assert run("--db", str(db), "import", str(book), "--branch", "10") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "第4四半期は" in err[0] and "提出済みのため変更できません" in err[0] and "unlock" in err[0]

    assert run("--db", str(db), "unlock", "--fy", "2024", "--quarter", "4") == 2               # a reason is needed
    capsys.readouterr()
    assert run("--db", str(db), "unlock", "--fy", "2024", "--quarter", "4", "--reason", "1月の訂正") == 0
    capsys.readouterr()
    assert run("--db", str(db), "submitted") == 0
    listed = capsys.readouterr().out
    assert "解除 " in listed and "理由: 1月の訂正" in listed
    assert run("--db", str(db), "import", str(book), "--branch", "10") == 0

    assert run("--db", str(db), "submit", "--fy", "2024", "--quarter", "4") == 0
    capsys.readouterr()
    assert run("--db", str(db), "restore", "--from", str(before)) == 0                     # allowed, said
    err = capsys.readouterr().err
    assert "警告: このバックアップは 10 2024年度 第4四半期の提出" in err
