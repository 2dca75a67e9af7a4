"""作業用ブック: a group's work package for working offline, and bringing it back.

The package is an .xlsx a group leader fills in Excel (or opens in another copy of the app):
their items' rated rows (評価行) with the quarter's rating, national rank and progress text, and the
monthly grid of their indicators for the year. Only those cells are unlocked; ratings have a list to choose from. A
hidden sheet holds what the package was made from (its id, branch, year, group, quarter, and every
value as it was), signed with the database's secret (app/workpackage/seal.py: a package altered
outside its unlocked cells, of another database, or broken is refused with the reason), so that
bringing it back can tell what changed on each side:

- changed in the package only → proposed;
- changed in the database only → kept;
- changed on both sides, differently → a conflict the user resolves with both in view.
Nothing is stored until the user confirms; every accepted change is logged with who sent it.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.operations.ops import Changes, acting_user
from app.core.keys import (BaseValueKey, KpiChangeKey, RowChangeKey, ValueChangeKey, YearTextChangeKey,
                           parse_package_key)
from app.core.errors import DatabaseError, ImportRefused, ValidationError
from app.core.fiscal import FISCAL_MONTHS, format_fy, month_label
from app.core.plausibility import check_rank, check_row
from app.core.log import note
from app.core.quoting import visible
from app.workpackage.seal import META, FileKey, ServerKey, open_record, seal, verify
from app.reads.queries import monthly_values, of_group, plan_items, row_statuses, statuses
from app.store.database import Database
from app.store.settings import StoredSettings
from app.core.values import format_value, read_value

GROUP_SHEETS = ("実施状況", "月次実績")
FORMAT = 2                   # 1: a status per item (before rated rows); 2: a status per rated row
ROW_FIELDS = {"progress_text": ("text", "進捗状況"), "rating": ("rating", "評価"), "national_rank": ("rank", "全国順位")}
YEAR_SHEET = "年度のまとめ"         # 第4四半期: each item's year texts of 目標達成状況
YEAR_FIELDS = {"results_text": ("results", "取組内容・結果"), "next_year_text": ("next_year", "課題・次年度の取組")}


@dataclass
class Change:
    key: str                 # 'value/10/2024/4/counter_count' or 'row/<row_id>/4/progress_text'
    label: str               # what a person reads: '窓口件数 令和6年度 4月' / '項番2（1） 進捗状況'
    base: object             # as it was when the package was made
    theirs: object           # in the package
    ours: object             # in the database now
    cell: str = ""           # where in the package: '月次実績!C12'

    @property
    def conflict(self) -> bool:
        return self.ours != self.base and self.ours != self.theirs


@dataclass
class PackageDiff:
    package_id: str
    sender: str
    branch: str
    fiscal_year: int
    group: str
    quarter: int
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)     # 点検: 'SHEET!CELL: 点検: …' of the figures it changes

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.conflict]


def _group_codes(db: Database, group: str) -> list[str]:
    return [i.code for i in db.catalogue if group == "企画総務" or i.group == group]


def _group_items(db: Database, branch: str, fy: int, group: str):
    return of_group(plan_items(db, branch, fy), group)


def export_package(db: Database, branch: str, fiscal_year: int, group: str, quarter: int, out: str | Path,
                   who: str = "") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    from app.documents.xlsx import put_figure, put_text
    from app.reads.figures import Figures
    from app.core.kpi import RATINGS, target_text
    from app.documents.report import Cell

    codes = _group_codes(db, group)
    figures = Figures(db, branch, codes)
    items = _group_items(db, branch, fiscal_year, group)
    values = {(r.indicator, r.month): r.value for r in monthly_values(db, branch, fiscal_year, codes)}
    rows = [(i, r) for i in items for r in i.rows]
    sts = row_statuses(db, [r.id for _, r in rows], quarter)
    manual = [(i, k) for i in items for k in i.kpis if not k.indicator]

    def stored(r):
        st = sts.get(r.id)
        return [st.progress_text if st else "", st.rating if st else None, st.national_rank if st else None]
    years = _year_texts(db, items) if quarter == 4 else {}
    base = {"values": {str(BaseValueKey(c, m)): v for (c, m), v in values.items()},
            "kpis": {str(k.id): k.manual_result for _, k in manual},
            "rows": {str(r.id): stored(r) for _, r in rows},
            "years": {str(i): texts for i, texts in years.items()}}
    meta = {"format": FORMAT, "package": str(uuid.uuid4()), "database": database_id(db), "branch": branch,
            "fiscal_year": fiscal_year, "group": group, "quarter": quarter, "made_by": who or db.user,
            "made_at": datetime.now().isoformat(), "base": base,
            "editable": {"実施状況": [4, 3 + len(rows), 4, 6], "月次実績": [4, 3 + len(codes), 3, 14],
                         "KPI": [4, 3 + len(manual), 4, 4], YEAR_SHEET: [4, 3 + len(years), 3, 4]}}
    wb = Workbook()
    editable = PatternFill("solid", fgColor="FFF9DB")
    head = Font(bold=True)
    ws = wb.active
    ws.title = "実施状況"
    put_text(ws["A1"], f"{format_fy(fiscal_year)} 第{quarter}四半期 {group}グループ 実施状況（作業用）: 評価行ごとに黄色のセルに入力")
    ws["A1"].font = Font(bold=True, size=13)
    for col, (text, width) in enumerate((("項番", 6), ("事業", 22), ("計画内容（評価行）", 50), ("評価", 8),
                                         ("全国順位", 9), ("進捗状況（計画を下回る場合は、今後改善すべき点等）", 70),
                                         ("ID", 4)), start=1):
        put_text(ws.cell(3, col), text)
        ws.cell(3, col).font = head
        ws.column_dimensions[ws.cell(3, col).column_letter].width = width
    ws.column_dimensions["G"].hidden = True
    ratings = DataValidation(type="list", formula1='"' + ",".join(RATINGS) + '"', allow_blank=True,
                             error="評価は ◎ ○ △ × □ から選んでください", showErrorMessage=True)
    ws.add_data_validation(ratings)
    for n, (item, r) in enumerate(rows, start=4):
        text, rating, rank = stored(r)
        ws.cell(n, 1, item.item_no)
        put_text(ws.cell(n, 2), item.title)
        put_text(ws.cell(n, 3), "".join(f"【{t}】" for t in r.tags if f"【{t}】" not in r.plan_text) + r.plan_text)
        put_text(ws.cell(n, 4), rating or "")
        ws.cell(n, 5, rank)
        put_text(ws.cell(n, 6), text)
        ws.cell(n, 7, r.id)
        ratings.add(ws.cell(n, 4))
        for c in (4, 5, 6):
            ws.cell(n, c).protection = Protection(locked=False)
            ws.cell(n, c).fill = editable
        for c in (2, 3, 6):
            ws.cell(n, c).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[n].height = min(409, max(30, 15 * (max(len(text.splitlines()), len(r.plan_text) // 30) + 1)))
    ws.protection.sheet = True
    grid = wb.create_sheet("月次実績")
    put_text(grid["A1"], f"{format_fy(fiscal_year)} {group}グループ 月次実績（作業用）: 黄色のセルに入力")
    grid["A1"].font = Font(bold=True, size=13)
    put_text(grid.cell(3, 1), "指標")
    put_text(grid.cell(3, 2), "コード")
    for i, m in enumerate(FISCAL_MONTHS):
        put_text(grid.cell(3, 3 + i), month_label(m))
    grid.column_dimensions["A"].width = 36
    grid.column_dimensions["B"].width = 4
    grid.column_dimensions["B"].hidden = True
    for r, code in enumerate(codes, start=4):
        ind = db.catalogue[code]
        put_text(grid.cell(r, 1), f"{ind.name}（{ind.unit}）")
        put_text(grid.cell(r, 2), code)
        for i, m in enumerate(FISCAL_MONTHS):
            cell = grid.cell(r, 3 + i)
            v = values.get((code, m))
            if v is not None:                      # a number with the format users write: Excel sums it
                put_figure(cell, Cell(figures.text(code, v), v, ind.unit, ind.kind))
            cell.protection = Protection(locked=False)
            cell.fill = editable
            cell.alignment = Alignment(horizontal="right")
    grid.protection.sheet = True
    kpis = wb.create_sheet("KPI")
    put_text(kpis["A1"], "数値の指標がない KPI の結果（手入力）: 黄色のセルに入力")
    kpis["A1"].font = Font(bold=True, size=13)
    for col, (text, width) in enumerate((("項番", 6), ("KPI", 70), ("目標", 12), ("結果", 12), ("ID", 4)), start=1):
        put_text(kpis.cell(3, col), text)
        kpis.cell(3, col).font = head
        kpis.column_dimensions[kpis.cell(3, col).column_letter].width = width
    kpis.column_dimensions["E"].hidden = True
    for r, (item, k) in enumerate(manual, start=4):
        kpis.cell(r, 1, item.item_no)
        put_text(kpis.cell(r, 2), k.text)
        put_text(kpis.cell(r, 3), target_text(k.rule, k.op, k.target, k.unit))
        if k.manual_result is not None:
            put_figure(kpis.cell(r, 4), Cell(format_value(k.manual_result, unit=k.unit), k.manual_result, k.unit or ""))
        kpis.cell(r, 4).protection = Protection(locked=False)
        kpis.cell(r, 4).fill = editable
        kpis.cell(r, 5, k.id)
    kpis.protection.sheet = True
    if quarter == 4:
        _year_sheet(wb.create_sheet(YEAR_SHEET), items, years, editable)
    with package_key(db, sign=True) as key:
        meta["made_by"] = key.made_by(meta["made_by"])
        seal(wb, meta, key)
    wb.security = WorkbookProtection(lockStructure=True)     # no sheet added, removed or renamed in Excel
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _year_texts(db: Database, items) -> dict[int, list[str]]:
    """Each item's year texts as stored: [取組内容・結果, 課題・次年度の取組]."""
    stored = {st.item_id: st for st in statuses(db, [i.id for i in items], 4)}
    return {i.id: [stored[i.id].results_text if i.id in stored else "",
                   stored[i.id].next_year_text if i.id in stored else ""] for i in items}


def _year_sheet(ws, items, years: dict[int, list[str]], editable) -> None:
    """年度のまとめ: an item a row, its two year texts in the unlocked cells."""
    from openpyxl.styles import Alignment, Font, Protection

    from app.documents.xlsx import put_text

    put_text(ws["A1"], "年度のまとめ（目標達成状況に載ります）: 項目ごとに黄色のセルに入力")
    ws["A1"].font = Font(bold=True, size=13)
    for col, (text, width) in enumerate((("項番", 6), ("事業", 24), *((label, 60) for _f, label in YEAR_FIELDS.values()),
                                         ("ID", 4)), start=1):
        put_text(ws.cell(3, col), text)
        ws.cell(3, col).font = Font(bold=True)
        ws.column_dimensions[ws.cell(3, col).column_letter].width = width
    ws.column_dimensions["E"].hidden = True
    for n, item in enumerate(items, start=4):
        ws.cell(n, 1, item.item_no)
        put_text(ws.cell(n, 2), item.title)
        for c, text in enumerate(years[item.id], start=3):
            put_text(ws.cell(n, c), text)
            ws.cell(n, c).protection = Protection(locked=False)
            ws.cell(n, c).fill = editable
        for c in (2, 3, 4):
            ws.cell(n, c).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(n, 5, item.id)
        ws.row_dimensions[n].height = min(409, 15 * (max(len(t.splitlines()) for t in years[item.id]) + 2))
    ws.protection.sheet = True


def database_id(db: Database) -> str:
    """This database's identity (made when it was first opened), so a package finds its way home."""
    return db.stored("database_id") or ""


@contextmanager
def package_key(db: Database, sign: bool = False):
    """What signs and checks this database's packages (app/workpackage/seal.py): on SQLite the
    file's own key; on a server the server itself, as the login connected (signing registers the
    package: a write of its own, committed when the block ends)."""
    if not db.is_sqlite:
        with db.unit() if sign else db.session() as s:
            yield ServerKey(s)
        return
    secret = db.stored("package_secret")
    if not secret:
        raise DatabaseError("このデータベースには作業用ブックの署名の鍵がありません（管理者が一度開くと作られます）")
    yield FileKey(secret)


# a package holds one group's year: a few thousand cells; anything near these is not one
PACKAGE_LIMITS = dict(inflated=32 * 2**20, sheets=10, rows=2_000, columns=100, cells=50_000, slots=200_000,
                      strings=50_000, text=2_000_000)


def _within_limits(path: Path) -> None:
    """Before openpyxl builds the workbook: the capped streaming reader reads it through (a bomb
    or an oversized package is refused within its caps), and a formula without a saved result is
    refused as an import refuses it (read as empty, it would delete the month's value)."""
    from importers.formats import xlsx as fastxlsx
    from importers.formats.container import Budget, Limits, Unreadable

    try:
        sheets = fastxlsx.read_workbook(path, budget=Budget(Limits(**PACKAGE_LIMITS)))
    except Unreadable as exc:
        where = f"{exc.sheet}!{exc.cell}" if exc.cell else exc.sheet
        raise ImportRefused(visible(f"{path.name}:{where}: {exc.message}" if where else f"{path.name}: {exc.message}")) from None
    except Exception as exc:  # noqa: BLE001 - damage the reader did not name
        note(path.name, exc)
        raise ImportRefused(f"{path.name}: Excel ブックとして読めません（ファイルが壊れています）") from None
    for sheet, uncached in sheets:
        if uncached:
            raise ImportRefused(visible(f"{path.name}:{sheet.name}!{min(uncached, key=_cell_order)}: 数式の計算結果が"
                                        "保存されていません。Excel で開いて保存し直してください"))


def _cell_order(ref: str) -> tuple[int, str]:
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), letters


def read_package(db: Database, path: str | Path) -> PackageDiff:
    """What the package changes, against what it was made from and what the database holds now.
    A package that is not one, is broken, belongs elsewhere, was altered outside its unlocked
    cells or was already brought back is refused (ImportRefused) with the reason."""
    from importers.formats.workbook import check_container

    import openpyxl

    path = Path(path)
    check_container(path)
    _within_limits(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # a damaged container openpyxl cannot read
        note(path.name, exc)
        raise ImportRefused(f"{path.name}: Excel ブックとして読めません（ファイルが壊れています）") from None
    meta, signature = open_record(wb, path.name)
    if wb[META].sheet_state != "veryHidden":
        raise ImportRefused(f"{path.name}: 作業用ブックの記録（隠しシート）が表示されています（書き出した後に手を加えられています）。"
                            "取り込みません")
    if meta.get("format") != FORMAT:
        raise ImportRefused(f"{path.name}: 以前の版で書き出した作業用ブック（実施状況が項目ごと）です。"
                            "実施状況は評価行ごとになりました。この版で作業用ブックを書き出し直してください")
    if meta.get("database") != database_id(db):
        raise ImportRefused(f"{path.name}: 別のデータベースから書き出された作業用ブックです")
    with package_key(db) as key:
        verify(wb, meta, signature, key, path.name)
    with db.session() as s:
        if StoredSettings(s).package_taken(meta["package"]):
            raise ImportRefused(f"{path.name}: この作業用ブックは取り込み済みです")
    branch, fy, group, quarter = meta["branch"], meta["fiscal_year"], meta["group"], meta["quarter"]
    if db.home_branch and branch != db.home_branch:
        raise ImportRefused(f"{path.name}: 別の支部 ({branch}) の作業用ブックです")
    if not plan_items(db, branch, fy):
        raise ImportRefused(f"{path.name}: {format_fy(fy)} の事業計画がこのデータベースにありません")
    diff = PackageDiff(meta["package"], meta["made_by"], branch, fy, group, quarter)
    base_values = meta["base"]["values"]
    now = {(r.indicator, r.month): r.value for r in monthly_values(db, branch, fy, _group_codes(db, group))}
    grid = wb["月次実績"]
    for row in grid.iter_rows(min_row=4):
        code = row[1].value
        if code not in db.catalogue:
            continue
        ind = db.catalogue[code]
        for i, m in enumerate(FISCAL_MONTHS):
            cell = row[2 + i]
            reading = read_value(cell.value, unit=ind.unit, kind=ind.kind, number_format=cell.number_format)
            if reading.problem:
                raise ImportRefused(f"{path.name}:月次実績!{cell.coordinate}: {reading.problem}")
            base, theirs = base_values.get(str(BaseValueKey(code, m))), reading.value
            if theirs != base:
                diff.changes.append(Change(str(ValueChangeKey(branch, fy, m, code)), f"{ind.name} {format_fy(fy)} {m}月",
                                           base, theirs, now.get((code, m)), f"月次実績!{cell.coordinate}"))
    items = {i.id: i for i in _group_items(db, branch, fy, group)}
    now_kpis = {k.id: k for i in items.values() for k in i.kpis if not k.indicator}
    if "KPI" in wb.sheetnames:
        for row in wb["KPI"].iter_rows(min_row=4):
            kpi = now_kpis.get(row[4].value)
            if kpi is None:
                continue
            reading = read_value(row[3].value, unit=kpi.unit or "", kind="count")
            if reading.problem:
                raise ImportRefused(f"{path.name}:KPI!{row[3].coordinate}: {reading.problem}")
            base = meta["base"]["kpis"].get(str(kpi.id))
            if reading.value != base:
                diff.changes.append(Change(str(KpiChangeKey(kpi.id)), f"項番{row[0].value} KPI結果",
                                           base, reading.value, kpi.manual_result, f"KPI!{row[3].coordinate}"))
    rows = {r.id: (i, r) for i in items.values() for r in i.rows}
    current = row_statuses(db, list(rows), quarter)
    for line in wb["実施状況"].iter_rows(min_row=4):
        if line[6].value not in rows:
            continue
        item, r = rows[line[6].value]
        base = meta["base"]["rows"].get(str(r.id), ["", None, None])
        theirs = [str(line[5].value or ""), _rating(line[3], path.name), _rank(line[4], path.name)]
        st = current.get(r.id)
        ours = [st.progress_text if st else "", st.rating if st else None, st.national_rank if st else None]
        for n, name in enumerate(ROW_FIELDS):
            if theirs[n] != base[n]:
                diff.changes.append(Change(str(RowChangeKey(r.id, quarter, name)),
                                           f"項番{item.item_no}（{r.position}） {ROW_FIELDS[name][1]}",
                                           base[n], theirs[n], ours[n],
                                           f"実施状況!{(line[5], line[3], line[4])[n].coordinate}"))
                if name == "national_rank" and (why := check_rank(theirs[n])):
                    diff.warnings.append(f"{diff.changes[-1].cell}: 点検: {why}")
    if YEAR_SHEET in wb.sheetnames and quarter == 4:
        _read_years(db, wb[YEAR_SHEET], items, meta["base"].get("years"), diff, path.name)
    diff.warnings[:0] = _plausibility(db, diff, now)
    return diff


def _read_years(db: Database, ws, items: dict, base, diff: PackageDiff, name: str) -> None:
    """The year texts the package changes (年度のまとめ), against its base and the database now."""
    if not isinstance(base, dict) or any(not (isinstance(v, list) and len(v) == 2) for v in base.values()):
        raise ImportRefused(f"{name}: 作業用ブックの記録が壊れています（base.years）。書き出し直してください")
    now = {i: [texts.results_text, texts.next_year_text] for i, texts in
           ((st.item_id, st) for st in statuses(db, list(items), 4))}
    for line in ws.iter_rows(min_row=4):
        item = items.get(line[4].value)
        if item is None:
            continue
        was = base.get(str(item.id), ["", ""])
        ours = now.get(item.id, ["", ""])
        for n, field in enumerate(YEAR_FIELDS):
            theirs = str(line[2 + n].value or "")
            if theirs != was[n]:
                diff.changes.append(Change(str(YearTextChangeKey(item.id, field)),
                                           f"項番{item.item_no} {YEAR_FIELDS[field][1]}", was[n], theirs, ours[n],
                                           f"{YEAR_SHEET}!{line[2 + n].coordinate}"))


def _rating(cell, name: str) -> str | None:
    """評価: empty, or one of ◎ ○ △ × □ (〇 read as ○); anything else is refused naming the cell."""
    from app.core.kpi import normalize_rating

    text = str(cell.value).strip() if cell.value is not None else ""
    if not text:
        return None
    mark = normalize_rating(text)
    if mark is None:
        raise ImportRefused(f"{name}:実施状況!{cell.coordinate}: 評価は ◎ ○ △ × □ のいずれかです ('{text}')")
    return mark


def _plausibility(db: Database, diff: PackageDiff, now: dict) -> list[str]:
    """点検 of the months the package changes, with its figures in place of the stored ones."""
    changed = {}
    for c in diff.changes:
        if isinstance(key := parse_package_key(c.key), ValueChangeKey):
            changed[key.indicator, key.month] = c
    if not changed:
        return []
    months: dict[str, dict[int, float]] = {}
    for (code, m), v in now.items():
        months.setdefault(code, {})[m] = v
    for (code, m), c in changed.items():
        months.setdefault(code, {})[m] = c.theirs
    last: dict[str, dict[int, float]] = {}
    for r in monthly_values(db, diff.branch, diff.fiscal_year - 1, sorted({code for code, _ in changed})):
        last.setdefault(r.indicator, {})[r.month] = r.value
    out = []
    for code in dict.fromkeys(code for code, _ in changed):
        ind = db.catalogue[code]
        parts = {p: months.get(p, {}) for p in (*ind.sum_of, ind.numerator, *ind.denominator) if p}
        for f in check_row(ind, months.get(code, {}), last_year=last.get(code, {}), parts=parts):
            if (code, f.month) in changed:
                out.append(f"{changed[code, f.month].cell}: 点検: {ind.name} {f.reason}")
    return out


def _rank(cell, name: str) -> int | None:
    """全国順位: empty, or a whole number 1..47; anything else is refused naming the cell."""
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        rank = float(str(value).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    except ValueError:
        rank = 0.5
    if not rank.is_integer() or not 1 <= rank <= 47:
        raise ImportRefused(f"{name}:実施状況!{cell.coordinate}: 全国順位は 1〜47 の整数です ('{value}')")
    return int(rank)


def apply_package(s, catalogue, who: str, diff: PackageDiff, choices: dict[str, str] | None = None) -> int:
    """Store the package's changes and mark it brought back, in the operation's session; a conflict
    needs a choice ('theirs' or 'ours') or nothing is stored. The user bringing it back must be
    allowed the package's group; each change is checked again by the service that stores it.
    Returns how many changes it stores."""
    from app.store.access import check_group
    from app.operations.edits import CellEntry, write_cells
    from app.operations.statuses import write_kpi_result, write_row_status, write_status

    choices = choices or {}
    open_conflicts = [c.label for c in diff.conflicts if c.key not in choices]
    if open_conflicts:
        raise ValidationError("どちらを採るか決まっていない変更があります: " + "、".join(open_conflicts[:5]))
    check_group(s, who, diff.branch, diff.group)
    kept = StoredSettings(s)                  # first: a second bringing-back of it at once waits here
    if kept.package_taken(diff.package_id):
        raise ImportRefused("この作業用ブックは取り込み済みです")
    kept.take_package(diff.package_id, f"{datetime.now().isoformat()} {who}")
    source = f"作業用ブック（{diff.sender} から）"
    take = [c for c in diff.changes if not c.conflict or choices.get(c.key) == "theirs"]
    cells, by_row, kpis, by_item = [], {}, [], {}
    for c in take:
        key = parse_package_key(c.key)
        if isinstance(key, ValueChangeKey):
            cells.append(CellEntry(key.branch, key.fiscal_year, key.month, key.indicator, c.theirs))
        elif isinstance(key, RowChangeKey):
            by_row.setdefault((key.row_id, key.quarter), {})[ROW_FIELDS[key.field][0]] = c.theirs
        elif isinstance(key, YearTextChangeKey):
            by_item.setdefault(key.item_id, {})[YEAR_FIELDS[key.field][0]] = c.theirs
        else:
            kpis.append((key.kpi_id, c.theirs))
    if cells:
        from app.operations.edits import new_operation

        write_cells(s, catalogue, new_operation(s, "edit", who), cells, source=source)
    for (row_id, quarter), fields in by_row.items():
        write_row_status(s, who, row_id, quarter, source=source, **fields)
    for kpi_id, result in kpis:
        write_kpi_result(s, who, kpi_id, result, source=source)
    for item_id, fields in by_item.items():
        write_status(s, who, item_id, 4, source=source, **fields)
    s.flush()
    return len(take)


def bring_back_package(db: Database, diff, choices: dict[str, str] | None = None, who: str | None = None) -> Changes:
    """作業用ブックを取り込む: every accepted change of the package, and the mark that it was brought
    back, as one transaction. Who brings it back is the user acting (her rights are checked);
    the change log's source names the package and who sent it."""
    who = acting_user(db, who)
    from db.models import RatedRow

    keys = [parse_package_key(c.key) for c in diff.changes]
    rows = {k.row_id for k in keys if isinstance(k, RowChangeKey)}
    with db.unit() as s:
        apply_package(s, db.catalogue, who, diff, choices)
        items = {s.get(RatedRow, r).item_id for r in rows}
    return Changes(frozenset({diff.branch}), frozenset({diff.fiscal_year}),
                   frozenset(k.indicator for k in keys if isinstance(k, ValueChangeKey)),
                   frozenset(items), ratings=True, rows=frozenset((r, diff.quarter) for r in rows),
                   statuses=frozenset((k.item_id, 4) for k in keys if isinstance(k, YearTextChangeKey)))
