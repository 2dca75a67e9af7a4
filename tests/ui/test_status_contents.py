"""事業計画実施状況 as seed 002 prints it: figures with their units on the ■ lines and in the KPI
tables, the year so far against 前年同期 with its parts, no placeholder; and the printed PDF keeps
tags and figures whole on one line and follows the Japanese line-breaking rules."""
import re
import shutil
import subprocess

import pytest

from app.documents.build import build
from app.reads.figures import Figures
from ui.export import write_pdf

pytestmark = pytest.mark.sqlite_only


def kpi_lines(doc) -> list[str]:
    return [line for b in doc.blocks for line in b.status.splitlines() if line.startswith("■")]


def test_units_and_targets_on_the_kpi_lines_and_no_placeholder(demo_db):
    doc = build(demo_db, "10", 2024, 3)
    lines = kpi_lines(doc)
    per_case = next(line for line in lines if "再審査レセプト1件当たり査定額" in line)
    fig = Figures(demo_db, "10")
    result = f"{fig.text('receipt_amount_per_case', fig.computed('receipt_amount_per_case', 2024, [4, 5, 6, 7, 8, 9, 10, 11, 12]))}円"
    assert f" {result}（令和6年12月末現在）" in per_case and re.search(r"前年度 [\d,]+円以上", per_case)
    declared = next(line for line in lines if "健康宣言事業所数（累計）" in line)
    assert re.search(r" [\d,]+事業所（令和6年12月末現在）／目標 [\d,]+事業所以上", declared)
    texts = " ".join(lines + [b.status for b in doc.blocks])
    assert "未入力" not in texts
    no_result = [line for line in lines if "生活習慣病予防健診受診率" in line]
    assert no_result and all(line.endswith("：－") for line in no_result)


def test_year_so_far_against_the_same_period_last_year_with_its_parts(demo_db):
    doc = build(demo_db, "10", 2024, 3)
    table = next(t for b in doc.blocks for t in b.tables if t.caption == "郵送化率（前年同期比較）")
    assert table.header == ["年度", "郵送件数", "窓口件数", "郵送化率"]
    fig = Figures(demo_db, "10")
    until = [4, 5, 6, 7, 8, 9, 10, 11, 12]
    this, last = table.rows
    assert this[0].text == "令和6年度（12月まで）" and last[0].text == "令和5年度（前年同期）"
    assert this[1].value == fig.computed("mail_count", 2024, until) and this[1].text.endswith("件")
    assert last[2].value == fig.computed("counter_count", 2023, until)
    assert this[3].text == fig.text("mail_rate", fig.computed("mail_rate", 2024, until))
    # only tables with figures: no row of '－' alone, no quarter table without a quarter
    for t in (t for b in doc.blocks for t in b.tables):
        assert all(any(c.value is not None for c in row[1:]) for row in t.rows), t.caption


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) needed")
def test_printed_lines_keep_tags_and_figures_whole(demo_db, tmp_path):
    pdf = write_pdf(demo_db, build(demo_db, "10", 2024, 3), tmp_path / "s.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "【困難度：高】" in text and "2,740円" in text.replace("\n", "") and "\u2060" not in text
    for before, line in zip([""] + lines, lines):
        assert line.count("【") == line.count("】"), line          # a tag never split
        assert not re.match(r"[】、。）]", line), line                  # 禁則: no line starts with these
        assert not re.search(r"[【（]$", line), line                  # … and none ends with these
        # a unit never leaves its figure (seed 004's texts also wrap before a word: 優良な｜事業所について)
        assert not (re.match(r"[円件%日]|事業所", line) and re.search(r"[\d０-９]$", before)), (before, line)
