"""Layout B: headquarters' by-branch tables (本部 支部別).

One sheet per indicator and fiscal year: a title (``令和6年度 郵送化率（支部別）``), a header row
``支部 | 4月 … 3月 | 年度計`` and one row per branch (``01 北海道``, ``北海道``, ``01``,
``10群馬``) plus ``全国`` (stored as branch ``00``).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from app.core.catalogue import Resolution, title_forms
from app.core.fiscal import find_fiscal_year
from importers.base import Book, Extraction, Problem, Sheet
from importers.layouts.monthly import YEAR_CAPTIONS, find_month_header, read_cells, sheet_title, value_columns

BRANCH_CAPTIONS = {"支部", "支部名", "支部コード", "都道府県", "支部別"}
ROW_LABEL = re.compile(r"^(\d{1,2})?\s*([^\d\s].*)?$")
TITLE_NOISE = re.compile(r"[（(]?支部別[)）]?|全国健康保険協会|本部")


def _text(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def national_header(sheet: Sheet) -> tuple[int, int] | None:
    """(row, column of 4月) of the first month header whose caption names branches."""
    for r in range(min(len(sheet.rows), 50)):
        c = find_month_header(sheet, r)
        if c is not None and c > 0 and _text(sheet.value(r, c - 1)) in BRANCH_CAPTIONS:
            return r, c
    return None


def branch_code(label: str, names: dict[str, str]) -> str | None:
    """'01 北海道', '北海道', '01', '10群馬', '全国' → a branch code; None if unknown or inconsistent."""
    text = re.sub(r"\s+", " ", _text(label)).removesuffix("支部").strip()
    if text in ("全国", "全国計", "全支部", "協会全体"):
        return "00"
    m = ROW_LABEL.match(text)
    if not m:
        return None
    code, name = m.group(1), (m.group(2) or "").strip().removesuffix("支部")
    by_name = _by_name(tuple(names.items()))
    from_name = by_name.get(name) or by_name.get(name.removesuffix("県").removesuffix("府").removesuffix("都"))
    if code is not None:
        code = code.zfill(2)
        if code == "00" or code not in names or (name and from_name != code):
            return None
        return code
    return from_name


@lru_cache(maxsize=4)
def _by_name(items: tuple) -> dict[str, str]:
    return {n: c for c, n in items if c != "00"}


class NationalImporter:
    layout = "national"
    display_name = "本部 支部別"                # how the window and the command line name it

    def identify(self, book: Book) -> bool:
        return any(national_header(s) for s in book.sheets)

    def extract(self, book: Book, catalogue, default_branch: str | None = None,
                branch_names: dict[str, str] | None = None) -> Extraction:
        from app.core.branches import branch_names as all_branch_names

        names = branch_names or all_branch_names()
        out = Extraction(self.layout, book.name, branch=default_branch)
        codes: dict[str, str | None] = {}          # row label → branch code (each sheet repeats them)
        for sheet in book.sheets:
            found = national_header(sheet)
            if found is None:
                continue
            hr, mc = found
            title = sheet_title(sheet, hr)
            fy = find_fiscal_year(title) or find_fiscal_year(sheet.name)
            if fy is None:
                out.problems.append(Problem("年度が分かりません (タイトルに「令和6年度」などがありません)",
                                            book.where(sheet, 0, 0)))
                continue
            out.fiscal_year = out.fiscal_year or fy
            res, name = self._indicator(title, sheet.name, catalogue)
            if res.code is None:
                msg = (f"'{title or sheet.name}' はどの指標の表か決められません (候補: {', '.join(res.candidates)})"
                       if res.candidates else f"'{title or sheet.name}' がどの指標の表か分かりません")
                out.problems.append(Problem(msg, book.where(sheet, 0, 0), label=name))
                continue
            ind = catalogue[res.code]
            year_col = mc + 12 if _text(sheet.value(hr, mc + 12)) in YEAR_CAPTIONS else None
            columns = value_columns(mc, year_col)
            seen: dict[str, str] = {}
            for r in range(hr + 1, len(sheet.rows)):
                label = sheet.value(r, mc - 1)
                if label is None or not _text(label):
                    if not any(c.value is not None for c in sheet.rows[r]):
                        continue
                    out.problems.append(Problem("支部名がありません", book.where(sheet, r, mc - 1)))
                    continue
                text = str(label)
                code = codes[text] if text in codes else codes.setdefault(text, branch_code(text, names))
                where = book.where(sheet, r, mc - 1)
                if code is None:
                    out.problems.append(Problem(f"'{_text(label)}' は支部として読めません", where))
                    continue
                if code in seen:
                    out.problems.append(Problem(f"支部 {code} の行が {seen[code]} と重複しています", where))
                    continue
                seen[code] = where.cell
                read_cells(book, sheet, r, columns, ind, fy, out, branch=code)
            missing = sorted(set(names) - {"00"} - set(seen))
            if missing and len(missing) < 47:
                out.problems.append(Problem(f"{len(missing)} 支部の行がありません ({', '.join(missing[:5])}…)",
                                            book.where(sheet, hr, mc - 1), "warning"))
        return out

    @staticmethod
    def _indicator(title: str, sheet_name: str, catalogue) -> tuple[Resolution, str]:
        """The indicator the sheet's title names (the catalogue takes off its fiscal year and
        words such as 支部別一覧), else its sheet name; and the bare name (``平均所要日数``) a
        user maps once when neither decides."""
        named = [t for t in (TITLE_NOISE.sub("", title), sheet_name) if title_forms(t)[-1]]
        tried = [(catalogue.resolve_title(t), title_forms(t)[-1]) for t in named]
        for res, label in tried:
            if res.ok:
                return res, label
        for res, label in tried:
            if res.candidates:
                return res, label
        return tried[0] if tried else (Resolution(None), sheet_name)
