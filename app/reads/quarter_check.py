"""提出前チェック: what stands between a quarter and its submission, per group (domain.md,
Plausibility): months up to the quarter's end without a figure, rated rows without a rating or a
progress text, implausible figures (app.core.plausibility) — one line each."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.catalogue import GROUP_NAMES
from app.core.fiscal import month_label, months_to_quarter_end, quarter_months
from app.core.indicator_kinds import kind_of
from app.core.plausibility import check_rank
from app.reads.figures import Figures
from app.reads.queries import plan_items, row_statuses
from app.store.database import Database


@dataclass(frozen=True)
class Missing:
    """One thing left: where (an indicator and month, or an item's rated row) and why."""
    group: str
    kind: str                     # "month" (no figure), "row" (no rating or text), "warning" (点検)
    place: str                    # 指標名, or 項番3（2）
    month: int | None
    reason: str
    indicator: str | None = None
    item_no: int | None = None
    row: int | None = None        # the row's position within its item

    def line(self) -> str:
        where = f"{self.place} {month_label(self.month)}" if self.month else self.place
        return f"[{self.group}] {where}: {self.reason}"

    def as_dict(self) -> dict:
        return {"group": self.group, "kind": self.kind, "place": self.place, "month": self.month,
                "indicator": self.indicator, "item_no": self.item_no, "row": self.row, "reason": self.reason}


def quarter_check(db: Database, branch: str, fiscal_year: int, quarter: int) -> list[Missing]:
    """Everything left for the quarter, by group (業務, レセプト, 保健, 企画総務, then others)."""
    items = plan_items(db, branch, fiscal_year)
    figures = Figures(db, branch)
    upto = months_to_quarter_end(quarter)
    codes = {k.indicator for it in items for k in it.kpis if k.indicator} | {
        c for c, fy in figures.months if fy == fiscal_year}
    out: list[Missing] = []
    for ind in figures.catalogue:
        if ind.code not in codes:
            continue
        if not kind_of(ind.kind, ind.unit).dated:   # a month without an event holds no figure
            wanted = [m for m in upto if not ind.quarterly or m in {quarter_months(q)[-1] for q in range(1, 5)}]
            have = figures.shown_months(ind.code, fiscal_year, quarter)
            out += [Missing(ind.group, "month", ind.name, m, "数値が入っていません", indicator=ind.code)
                    for m in wanted if have.get(m) is None]
        out += [Missing(ind.group, "warning", ind.name, f.month, f"点検: {f.reason.split(': ', 1)[1]}",
                        indicator=ind.code)
                for f in figures.flags(ind.code, fiscal_year) if f.month in upto]
    for it in items:
        done = row_statuses(db, [r.id for r in it.rows], quarter)
        for r in it.rows:
            st = done.get(r.id)
            lacks = [what for what, have in (("評価", st and st.rating), ("実施状況", st and st.progress_text.strip()))
                     if not have]
            place, group = f"項番{it.item_no}（{r.position}）", (it.owner_group or "担当なし").removesuffix("グループ")
            if lacks:
                out.append(Missing(group, "row", place, None, f"{'・'.join(lacks)}がありません",
                                   item_no=it.item_no, row=r.position))
            if st and st.carried:
                out.append(Missing(group, "row", place, None, "実施状況が前の四半期から引き継いだまま（未編集）です",
                                   item_no=it.item_no, row=r.position))
            if st and (why := check_rank(st.national_rank)):
                out.append(Missing(group, "warning", place, None, f"点検: {why}",
                                   item_no=it.item_no, row=r.position))
    order = {g: i for i, g in enumerate(GROUP_NAMES)}
    return sorted(out, key=lambda m: order.get(m.group, len(order)))
