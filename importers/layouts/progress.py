"""Layout E: the progress sheet (進捗状況, seed 004) — the plan as headquarters sends it, and as
the branch fills it in each quarter.

A sheet is found by its header row ``項番 | 事業 | 実施（手段スケジュール）概要 | 進捗状況… |
実施状況 | 全国順位`` (in any order, other columns such as 担当 beside them). Below it:

* pillar rows (``１．基盤的保険者機能関係``, often merged across);
* group headings (``○サービス水準の向上（業務グループ）``): the owner group of the items after it;
* an item starts where its 項番 is written (項番 and 事業 merged down the item's rows); each
  sheet row with a plan text is a rated row (domain.md): a sub-point, a 【KPI】 or a 【業績評価】
  line, with its progress text, rating (◎ ○ 〇 △ × □) and rank (``27位``, ``27``, ``（27位）``).
  A row without a mark of its own (text, rating or rank; a dash ``－`` in 実施状況 is one: the row
  is there, not rated yet) continues the row above when the sheet is filled — the mark sits beside the row it rates — and a ``【KPI】`` line always continues the
  sub-point above it when it has nothing of its own; a new sub-point marker starts a new row;
* month tables (layout A blocks) between the rows, read by :mod:`importers.layouts.monthly`;
* the closing count (評価の集計, a row of the marks ◎ ○ △ × □): the end of the items.

The quarter is the one the as-of month in the title falls in (``令和7年3月末現在`` → 第4四半期);
the import's ``--quarter`` overrides it.
"""
from __future__ import annotations

import re
import unicodedata

from app.core.fiscal import find_fiscal_year, quarter_of
from app.core.kpi import RATINGS, normalize_rating
from importers.base import Book, Extraction, PlanItemRecord, Problem, RowRecord, RowStatusRecord, Sheet
from importers.layouts.kpi_text import read_kpis
from importers.layouts.monthly import MonthlyImporter, branch_in, find_month_header
from importers.layouts.rows import marker, tags_of

HEADINGS = {"項番": "no", "事業": "title", "担当": "group", "担当グループ": "group", "実施状況": "rating",
            "全国順位": "rank", "順位": "rank"}
PILLAR = re.compile(r"^\s*(\d{1,2})\s*[.．、]\s*(\S.*)$")
AS_OF = re.compile(r"(?:令和|R)\s*(\d{1,2}|元)\s*[年.]\s*(\d{1,2})\s*月\s*末?\s*現在")
GROUP = re.compile(r"[（(]([^（）()]*グループ[^（）()]*)[）)]\s*$")
RANK = re.compile(r"^[(（]?\s*(\d{1,2})\s*位?\s*[)）]?$")
HEADING_MARKS = "○〇●◎■◆◇"
DASHES = ("-", "－", "—", "ー")                # a rating or rank not given yet (seed 004: 「－ －」)


def _norm(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))) if value is not None else ""


def _heading(text: str) -> str | None:
    if text in HEADINGS:
        return HEADINGS[text]
    if text.startswith("進捗状況"):
        return "progress"
    if text.startswith("実施") and "概要" in text:
        return "plan"
    return None


def find_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for r in range(min(len(sheet.rows), 40)):
        cols: dict[str, int] = {}
        for c, cell in enumerate(sheet.rows[r]):
            key = _heading(_norm(cell.value)) if isinstance(cell.value, str) else None
            if key and key not in cols:
                cols[key] = c
        if {"no", "title", "plan", "progress", "rating"} <= cols.keys():
            return r, cols
    return None


def read_rank(value) -> int | None | str:
    """``27位`` ``27`` ``（27位）`` → 27; empty → None; anything else → the text (a problem)."""
    if value is None or str(value).strip() in ("",) + DASHES:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        rank = int(value)
    else:
        m = RANK.match(unicodedata.normalize("NFKC", str(value)).strip())
        if not m:
            return str(value)
        rank = int(m.group(1))
    return rank if 1 <= rank <= 47 else str(value)


def shown(cell) -> str:
    """A cell's value as the sheet shows it (12,345 / 7.3% / 6.30)."""
    v = cell.value
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return str(v if v is not None else "").strip()
    fmt = (cell.number_format or "").split(";")[0]
    decimals = len(m.group(1)) if (m := re.search(r"\.(0+)", fmt)) else (0 if fmt and fmt != "General" else None)
    if "%" in fmt:
        return f"{v * 100:.{decimals or 0}f}%"
    if decimals is None:
        return f"{v:g}"
    return f"{v:{',' if ',' in fmt else ''}.{decimals}f}"


def table_row(sheet: Sheet, r: int, cols: dict[str, int]) -> str | None:
    """A row of a table pasted into the sheet from the progress column on, as stored: its cells
    separated by tabs (app/core/texttable.py); None for a line of text. It is one when it has a
    value in more than one cell before the next column of the sheet (実施状況), or in one and
    something that is no rating under 実施状況 (a wide table reaches over 実施状況 and 全国順位)."""
    first = cols["progress"]
    nxt = min((c for c in cols.values() if c > first), default=len(sheet.rows[r]))
    cells = [shown(sheet.cell(r, c)) for c in range(first, len(sheet.rows[r]))]
    own = sum(1 for c in cells[:nxt - first] if c)
    over = [c for c in cells[nxt - first:] if c]
    if not (own >= 2 or (own and over and not normalize_rating(over[0]) and over[0] not in DASHES)):
        return None
    while cells and not cells[-1]:
        cells.pop()
    return "\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells)


def as_of_quarter(text: str) -> int | None:
    m = AS_OF.search(unicodedata.normalize("NFKC", text))
    return quarter_of(int(m.group(2))) if m and 1 <= int(m.group(2)) <= 12 else None


def _is_count(sheet: Sheet, r: int) -> bool:
    """The closing count (評価の集計): its title, or a row of the marks as headings."""
    texts = [_norm(t) for t in sheet.texts(r)]
    return any(t.startswith("評価の集計") for t in texts) or len({t for t in texts if t in RATINGS}) >= 3


class ProgressImporter:
    layout = "progress"
    display_name = "進捗状況"                # how the window and the command line name it
    includes = ("monthly",)         # its month tables are layout A blocks: it claims those too

    def identify(self, book: Book) -> bool:
        return any(find_header(s) for s in book.sheets)

    def extract(self, book: Book, catalogue, default_branch: str | None = None,
                branch_names: dict[str, str] | None = None) -> Extraction:
        from app.core.branches import branch_names as all_branch_names

        names = branch_names or all_branch_names()
        out = Extraction(self.layout, book.name)
        found = [(s, h) for s in book.sheets if (h := find_header(s))]
        for sheet, (hr, _) in found:
            title = " ".join(t for r in range(hr) for t in sheet.texts(r))
            out.fiscal_year = out.fiscal_year or find_fiscal_year(title)
            out.branch = out.branch or branch_in(title, names)
            out.quarter = out.quarter or as_of_quarter(title)
        out.branch = out.branch or default_branch
        if out.fiscal_year is None:
            out.problems.append(Problem("進捗状況の年度が分かりません (タイトルに「令和6年度」などがありません)",
                                        book.where(found[0][0], 0, 0)))
            return out
        for sheet, (hr, cols) in found:
            self._sheet(book, sheet, hr, cols, catalogue, out)
        out.values = [v if v.branch else v._replace(branch=out.branch or "") for v in out.values]
        return out

    def _tables(self, book: Book, sheet: Sheet, hr: int, catalogue, out: Extraction) -> dict[int, list[str]]:
        """Read the month tables (layout A blocks) below the header; the sheet rows they hold, each
        table's first row naming the indicators it holds."""
        taken: dict[int, list[str]] = {}
        monthly = MonthlyImporter()
        for r in range(hr + 1, len(sheet.rows)):
            c = find_month_header(sheet, r)
            if c is None:
                continue
            values, problems = len(out.values), len(out.problems)
            monthly._block(book, sheet, r, c, out.fiscal_year, catalogue, out)
            rows = [int(re.sub(r"^[A-Z]+", "", x.where.cell)) - 1
                    for x in out.values[values:] + out.problems[problems:] if x.where.cell]
            taken.update(dict.fromkeys(range(r + 1, max(rows, default=r) + 1), []))
            taken[r] = list(dict.fromkeys(v.indicator for v in out.values[values:]))
            above = r - 1                                   # its title line (○郵送化率), if any
            while above > hr and not sheet.texts(above):
                above -= 1
            texts = sheet.texts(above)                     # (a group heading stays: it names the owner)
            if (len(texts) == 1 and texts[0][0] in HEADING_MARKS + "【" and not texts[0].startswith(("【KPI", "【業績"))
                    and not GROUP.search(unicodedata.normalize("NFKC", texts[0]))):
                taken.setdefault(above, [])
        return taken

    def _sheet(self, book: Book, sheet: Sheet, hr: int, cols: dict[str, int], catalogue, out: Extraction) -> None:
        taken = self._tables(book, sheet, hr, catalogue, out)
        get = lambda r, key: sheet.value(r, cols[key]) if key in cols else None  # noqa: E731
        text = lambda r, key: str(get(r, key) or "").strip()                      # noqa: E731
        end = next((r for r in range(hr + 1, len(sheet.rows)) if r not in taken and _is_count(sheet, r)),
                   len(sheet.rows))
        filled = any(normalize_rating(str(get(r, "rating") or "")) for r in range(hr + 1, end) if r not in taken)
        pillar_no, pillar_title, group = 0, "", ""
        items: list[dict] = []
        for r in range(hr + 1, end):
            if items and taken.get(r):                          # a month table below the item's rows
                items[-1]["indicators"] += taken[r]
            if r in taken or not sheet.texts(r):
                continue
            no = _norm(get(r, "no"))
            first = _norm(sheet.texts(r)[0])
            if (m := PILLAR.match(unicodedata.normalize("NFKC", sheet.texts(r)[0]))) and not no.isdigit():
                pillar_no, pillar_title = int(m.group(1)), m.group(2).strip()
                continue
            if len(sheet.texts(r)) == 1 and first[0] in HEADING_MARKS:       # a group heading
                if g := GROUP.search(unicodedata.normalize("NFKC", sheet.texts(r)[0])):
                    group = g.group(1)
                continue
            if no:
                if not no.isdigit():
                    out.problems.append(Problem(f"項番 '{get(r, 'no')}' は番号ではありません",
                                                book.where(sheet, r, cols["no"])))
                    continue
                items.append({"no": int(no), "title": text(r, "title"), "group": text(r, "group") or group,
                              "pillar": (pillar_no, pillar_title), "rows": [], "r": r,
                              "indicators": []})
            elif text(r, "title") and items and not items[-1]["title"]:
                items[-1]["title"] = text(r, "title")
            if not items:
                continue
            self._row(book, sheet, r, cols, items[-1], filled, out)
        for it in items:
            self._item(book, sheet, cols, it, catalogue, filled, out)
        if end < len(sheet.rows):
            self._check_count(book, sheet, end, items, out)

    @staticmethod
    def _check_count(book: Book, sheet: Sheet, start: int, items: list[dict], out: Extraction) -> None:
        """The printed closing count (全体 / KPI) against the rows read: a warning naming the cell
        when they differ (the sheet may group its rows otherwise than it was read)."""
        rows = [r for it in items for r in it["rows"]]
        read = {"全体": [r["rating"] for r in rows],
                "KPI": [r["rating"] for r in rows if tags_of(r["plan"])[0] or "【KPI】" in _norm(r["plan"])]}
        marks: dict[int, str] = {}
        for r in range(start, min(start + 12, len(sheet.rows))):
            label = _norm(sheet.texts(r)[0]) if sheet.texts(r) else ""
            if not marks:
                marks = {c: _norm(cell.value) for c, cell in enumerate(sheet.rows[r]) if _norm(cell.value) in RATINGS}
                continue
            if label not in read:
                continue
            for c, mark in marks.items():
                printed = sheet.value(r, c)
                if isinstance(printed, (int, float)) and int(printed) != read[label].count(mark):
                    out.problems.append(Problem(
                        f"評価の集計の{label} {mark} {int(printed)} と、読み取った評価行の {mark} "
                        f"{read[label].count(mark)} が一致しません", book.where(sheet, r, c), "warning"))

    def _row(self, book: Book, sheet: Sheet, r: int, cols: dict[str, int], item: dict, filled: bool,
             out: Extraction) -> None:
        plan = str(sheet.value(r, cols["plan"]) or "").strip()
        progress = str(sheet.value(r, cols["progress"]) or "").strip()
        pasted = table_row(sheet, r, cols) if not plan else None
        if pasted:
            progress = pasted                   # a table pasted under a progress text: a row of it
        raw_rating = sheet.value(r, cols["rating"]) if not pasted else None
        dash = str(raw_rating).strip() in DASHES          # 「－」: the row is there, not rated yet
        rating = normalize_rating(str(raw_rating)) if raw_rating is not None and str(raw_rating).strip() else None
        if raw_rating is not None and str(raw_rating).strip() and rating is None and not dash:
            out.problems.append(Problem(f"評価 '{raw_rating}' は {' '.join(RATINGS)} のいずれでもありません",
                                        book.where(sheet, r, cols["rating"])))
        rank = read_rank(sheet.value(r, cols["rank"])) if "rank" in cols and not pasted else None
        if isinstance(rank, str):
            out.problems.append(Problem(f"全国順位 '{rank}' は 1〜47 の順位ではありません (「27位」「27」など)",
                                        book.where(sheet, r, cols["rank"])))
            rank = None
        own = bool(progress or rating or rank or dash)
        rows = item["rows"]
        if not plan and not own:
            return
        prev = rows[-1] if rows else None
        new_point = plan and marker(plan) is not None and marker(plan)[0] != "bullet"
        folded = _norm(plan)
        joins = prev is not None and not new_point and (
            not plan                                                    # a note in the progress column
            or (filled and not own)                                     # the mark sits beside its row
            or (filled and not (prev["progress"] or prev["rating"] or prev["rank"]) and not folded.startswith("【業績"))
            or (folded.startswith("【KPI】") and not own))
        if joins:
            if plan:
                prev["plan"] += "\n" + plan
            if progress:
                prev["progress"] += ("\n" if prev["progress"] else "") + progress
            prev["rating"], prev["rank"] = prev["rating"] or rating, prev["rank"] or rank
            return
        rows.append({"plan": plan, "progress": progress, "rating": rating, "rank": rank,
                     "where": book.where(sheet, r, cols["plan"])})

    def _item(self, book: Book, sheet: Sheet, cols: dict[str, int], it: dict, catalogue, filled: bool,
              out: Extraction) -> None:
        """The item's plan record (its rows, their KPIs) and, for a filled sheet, every row's quarter
        (an empty cell empties what is stored); for a blank one, the progress texts it has."""
        where = book.where(sheet, it["r"], cols["no"])
        if not it["rows"]:
            out.problems.append(Problem(f"項番{it['no']}「{it['title']}」に実施概要の行がありません", where))
            return
        kpis, rows = [], []
        for row in it["rows"]:
            mine = []
            for line in row["plan"].splitlines():
                if "【KPI】" in _norm(line):
                    for kpi, why in read_kpis(line[line.find("【"):] if "【" in line else line, catalogue):
                        if why:
                            out.problems.append(Problem(f"{why}: 「{kpi.text}」", row["where"], "warning"))
                        kpis.append(kpi)
                        mine.append(len(kpis))
            is_kpi, is_perf, is_incentive = tags_of(row["plan"])
            rows.append(RowRecord(row["plan"], is_kpi or bool(mine), is_perf, is_incentive, tuple(mine)))
        everything = _norm(it["title"] + "".join(r["plan"] for r in it["rows"]))
        pillar_no, pillar_title = it["pillar"]
        title = re.sub(r"【[^】]*】", "", it["title"]).strip()
        out.plan.append(PlanItemRecord(pillar_no, pillar_title, it["no"], title, it["group"],
                                       "\n".join(r["plan"] for r in it["rows"]), "重要度:高" in everything,
                                       "困難度:高" in everything, tuple(kpis), where, tuple(rows),
                                       tuple(dict.fromkeys(it["indicators"]))))
        for position, row in enumerate(it["rows"], start=1):
            if filled or row["progress"]:
                out.statuses.append(RowStatusRecord(it["no"], position, row["progress"], row["rating"], row["rank"],
                                                    row["where"]))
