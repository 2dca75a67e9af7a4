"""Tables pasted into a progress text (tab-separated lines) and lines broken as printed: the stored
form, the documents (PDF's HTML, the workbook's cells), the progress sheet importer and the work
package, and the workbook as LibreOffice prints it."""
import re
import shutil
import subprocess

import openpyxl
import pytest

from app.core.texttable import from_html, from_tab_text, parts, wrap
from app.documents.build import build
from app.documents.html import document_html, rich_text
from app.documents.xlsx import write_xlsx
from app.operations import ops
from app.reads.queries import plan_items, row_statuses

TEXT = ("内容点検にかかる査定金額（単位：千円）\n結果反映月\t4～6月\t7～9月\t10～12月\t合計\n"
        "令和7年度\t69,552\t71,954\t\t141,506\n令和6年度\t96,253\t72,586\t75,277\n"
        "・行動計画会議を毎月開催し、月次で進捗状況を管理した。高額レセプトを優先的に点検し、効率的・効果的な点検を実施した"
        "【重要度：高】。県医師会に訪問し、勉強会にかかる講師派遣を依頼した。\n・外部講師による研修会を開催。")


def test_a_table_is_a_run_of_lines_with_tabs_padded_to_its_widest_row():
    text, table, rest = parts(TEXT)
    assert text == "内容点検にかかる査定金額（単位：千円）" and rest.startswith("・行動計画")
    assert table[0] == ["結果反映月", "4～6月", "7～9月", "10～12月", "合計"]
    assert table[2] == ["令和6年度", "96,253", "72,586", "75,277", ""]
    assert parts("一行\n二行") == ["一行\n二行"]


def test_the_clipboard_forms_become_the_stored_form():
    assert from_tab_text('月\t件数\r\n"4月\n(速報)"\t1,254\r\n') == "月\t件数\n4月 (速報)\t1,254"
    assert from_tab_text("ただの文\r\n二行目") == "ただの文\n二行目"
    assert from_html('<table><tr><th colspan="2">被保険者</th><th>計</th></tr>'
                     "<tr><td>6,160<br>(6,246)</td><td>5,823</td><td>1</td></tr></table>") == \
        "被保険者\t\t計\n6,160 (6,246)\t5,823\t1"
    assert from_html("<p>表ではない</p>") is None


def test_lines_break_by_the_japanese_rules_and_a_bullet_hangs():
    lines = wrap(TEXT.split("\n")[-2], 40)
    assert all(len(line.encode("utf-16-le")) // 2 <= 21 for line in lines)
    assert all(line[:1] not in "】、。）" for line in lines) and all(line[-1:] not in "【（" for line in lines)
    assert any("【重要度：高】" in line for line in lines)                   # a tag is never split
    assert lines[0].startswith("・") and all(line.startswith("　") for line in lines[1:])   # ぶら下げ
    assert "".join(line.removeprefix("　") for line in lines) == TEXT.split("\n")[-2]
    figures = wrap("あ" * 18 + "17,488円と1,554事業所", 40)
    assert any("17,488円" in line for line in figures) and any("1,554事業所" in line for line in figures)


@pytest.fixture
def pasted(demo_db):
    item = next(i for i in plan_items(demo_db, "10", 2024) if i.item_no == 2)
    ops.save_row_status(demo_db, item.rows[0].id, 3, text=TEXT)
    return demo_db, item


def test_documents_print_it_as_a_table_in_the_texts_flow(pasted, tmp_path):
    db, item = pasted
    html = rich_text(TEXT)
    assert html.index("査定金額") < html.index("<table") < html.index("</table>") < html.index("行動計画")
    assert "<th>結果反映月</th>" in html and "\t" not in html and 'text-indent:-1em' in html
    for kind, (c1, c2) in (("status", (8, 15)), ("progress", (9, 13))):
        doc = build(db, "10", 2024, 3, kind)
        assert "<th>結果反映月</th>" in document_html(doc)
        ws = openpyxl.load_workbook(write_xlsx(doc, tmp_path / f"{kind}.xlsx")).active
        head = next(c for row in ws.iter_rows() for c in row if c.value == "結果反映月")
        assert head.column == c1
        cells = [c.value for c in ws[head.row] if c.value is not None and c.column >= c1]
        assert cells == ["結果反映月", "4～6月", "7～9月", "10～12月", "合計"]
        assert ws.cell(head.row - 1, c1).value.replace("\n", "").endswith("査定金額（単位：千円）")
        row = [c.value for c in ws[head.row + 1][c1 - 1:c2] if type(c).__name__ != "MergedCell"]
        assert row == ["令和7年度", "69,552", "71,954", None, "141,506"]               # its empty cell kept
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not any("\t" in t for t in texts)                                  # cells, not tab characters
        bullet = next(t for t in texts if t.startswith("・行動計画") or "\n・行動計画" in t)
        assert "\n　" in bullet                                                   # the bullet hangs
        breaks = {b.id for b in ws.row_breaks.brk}                  # a break after row id
        headings = [c.row for c in ws["A"] if isinstance(c.value, str) and c.value.startswith(("○", "1.", "2.", "3."))]
        assert breaks and not breaks & set(headings)                            # a heading keeps its first row
        captions = [c.row for c in ws["A"] if c.font.b and c.value in {t.caption for b in doc.blocks for t in b.tables}]
        assert not breaks & set(captions)                                       # a table's caption its table


def test_the_progress_sheet_brings_it_back_and_a_work_package_carries_it(pasted, tmp_path):
    from importers.base import Book, Cell, Sheet
    from importers.layouts.progress import ProgressImporter
    from app.workpackage.package import export_package, read_package

    db, item = pasted
    header = ["項番", "事業", "実施（手段スケジュール）概要", "進捗状況（計画を下回る場合は、今後改善すべき点等）", "実施状況", "全国順位"]
    rows = [["令和7年度 群馬支部 進捗状況 令和7年9月末現在"], header,
            [1, "窓口", "（１）点検を行う", "査定金額", "○", 3],
            [None, None, None, "結果反映月", "4～6月", "合計"],          # a wide range pasted over 実施状況 and 順位
            [None, None, None, "令和7年度", 69552, 69552],
            [None, None, None, "・点検を実施"]]
    number = lambda v: Cell(v, "#,##0" if isinstance(v, int) else None)   # noqa: E731
    book = Book(tmp_path / "p.xlsx", [Sheet("進捗", [[number(v) for v in r] for r in rows])])
    out = ProgressImporter().extract(book, {}, "10")
    assert [(s.text, s.rating, s.rank) for s in out.statuses] == [
        ("査定金額\n結果反映月\t4～6月\t合計\n令和7年度\t69,552\t69,552\n・点検を実施", "○", 3)]
    assert not out.problems                        # 4～6月 under 実施状況 is the table's, not a rating

    path = export_package(db, "10", 2024, item.owner_group.split("・")[0], 3, tmp_path / "pack.xlsx")
    assert not read_package(db, path).changes                           # carried unchanged
    assert row_statuses(db, [item.rows[0].id], 3)[item.rows[0].id].progress_text == TEXT


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_the_workbook_prints_its_tables_and_tags_whole_in_libreoffice(pasted, tmp_path):
    db, _ = pasted
    doc = build(db, "10", 2024, 3, "status")
    xlsx = write_xlsx(doc, tmp_path / "status.xlsx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "status.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"結果反映月\s+4～6月\s+7～9月\s+10～12月\s+合計", text)
    assert re.search(r"令和7年度\s+69,552\s+71,954\s+141,506", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert not [line for line in lines if line[0] in "】、。）"]
    for tag in re.findall(r"【[^】\n]{1,20}】", doc.blocks[1].status + doc.blocks[1].plan):
        assert tag in text                                                  # never split across lines
