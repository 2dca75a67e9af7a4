"""Layout C: the yearly plan template (事業計画): one row per item, KPI sentences parsed
(:mod:`importers.layouts.kpi_text`); a KPI whose target is not read is a warning naming its cell.
計画内容 is cut into the item's rated rows (:mod:`importers.layouts.rows`), each KPI on its row."""
from __future__ import annotations

import re
import unicodedata

from app.core.fiscal import find_fiscal_year
from importers.base import Book, Extraction, PlanItemRecord, Problem, Sheet
from importers.layouts.kpi_text import read_kpis
from importers.layouts.monthly import branch_in, sheet_title
from importers.layouts.rows import split_rows

COLUMNS = {"項番": "no", "区分": "pillar", "柱": "pillar", "事業": "title", "項目": "title",
           "担当": "group", "担当グループ": "group", "計画内容": "plan", "実施概要": "plan",
           "KPI": "kpi", "重要度": "important", "困難度": "difficult"}
PILLAR = re.compile(r"^\s*(\d+)\s*[.．、)）]?\s*(.+)$")


def _norm(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))) if value is not None else ""


def find_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """The row naming 項番 and 事業 (and the column of every known heading)."""
    for r in range(min(len(sheet.rows), 30)):
        cols = {}
        for c, cell in enumerate(sheet.rows[r]):
            key = COLUMNS.get(_norm(cell.value))
            if key and key not in cols:
                cols[key] = c
        if {"no", "title"} <= cols.keys():
            return r, cols
    return None


class PlanImporter:
    layout = "plan"
    display_name = "事業計画"                # how the window and the command line name it

    def identify(self, book: Book) -> bool:
        return any((h := find_header(s)) and {"kpi", "plan"} & h[1].keys() for s in book.sheets)

    def extract(self, book: Book, catalogue, default_branch: str | None = None,
                branch_names: dict[str, str] | None = None) -> Extraction:
        from app.core.branches import branch_names as all_branch_names

        names = branch_names or all_branch_names()
        out = Extraction(self.layout, book.name)
        for sheet in book.sheets:
            found = find_header(sheet)
            if not found:
                continue
            hr, cols = found
            title = sheet_title(sheet, hr)
            out.fiscal_year = out.fiscal_year or find_fiscal_year(title)
            out.branch = out.branch or branch_in(title, names)
            pillar_no, pillar_title = 0, ""
            for r in range(hr + 1, len(sheet.rows)):
                get = lambda key: sheet.value(r, cols[key]) if key in cols else None  # noqa: E731
                no_text = _norm(get("no"))
                if not no_text:
                    continue
                if not no_text.isdigit():
                    out.problems.append(Problem(f"項番 '{get('no')}' は番号ではありません",
                                                book.where(sheet, r, cols["no"])))
                    continue
                if m := PILLAR.match(unicodedata.normalize("NFKC", str(get("pillar") or ""))):
                    pillar_no, pillar_title = int(m.group(1)), m.group(2).strip()
                read = read_kpis(get("kpi"), catalogue)
                for kpi, why in read:
                    if why:
                        out.problems.append(Problem(f"{why}: 「{kpi.text}」",
                                                    book.where(sheet, r, cols["kpi"]), "warning"))
                kpis = tuple(kpi for kpi, _ in read)
                plan = str(get("plan") or "").strip()
                out.plan.append(PlanItemRecord(
                    pillar_no, pillar_title, int(no_text), str(get("title") or "").strip(),
                    str(get("group") or "").strip(), plan,
                    "高" in _norm(get("important")), "高" in _norm(get("difficult")), kpis,
                    book.where(sheet, r, cols["no"]), split_rows(plan, kpis)))
        out.branch = out.branch or default_branch
        if out.fiscal_year is None:
            out.problems.append(Problem("事業計画の年度が分かりません (タイトルに「令和6年度」などがありません)",
                                        book.where(book.sheets[0], 0, 0)))
        return out
