"""四半期の実施状況: an item's status text, rating and national rank; KPI ratings and results typed
by hand; each change logged. The writers are services: they take the operation's session."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from app.store.access import check_item
from app.store.locks import refuse_row
from app.core.keys import KpiKey, QuarterKey
from app.core.errors import ConflictError, NotFound, ValidationError
from app.core.kpi import RATINGS, normalize_rating
from app.operations.edits import HAND
from app.store.database import Database
from db.models import ChangeLog, Indicator, ItemIndicator, Kpi, PlanItem, QuarterlyStatus

_UNSET = object()


def status_version(db: Database, item_id: int, quarter: int) -> int:
    """The row version of an item's quarterly status (0 when there is none yet)."""
    with db.session() as s:
        return s.scalar(select(QuarterlyStatus.version).where(QuarterlyStatus.item_id == item_id,
                                                              QuarterlyStatus.quarter == quarter)) or 0


def _checked(quarter: int, rating, rank):
    """The quarter and rank checked; the rating as stored (〇 read as ○)."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(f"四半期は 1〜4 です ({quarter})")
    if rating is not _UNSET and rating is not None:
        mark = normalize_rating(rating)
        if mark is None:
            raise ValidationError(f"評価は {' '.join(RATINGS)} のいずれかです ('{rating}')")
        rating = mark
    if rank is not _UNSET and rank is not None and not 1 <= int(rank) <= 47:
        raise ValidationError(f"全国順位は 1〜47 です ({rank})")
    return rating


YEAR_TEXTS = {"results_text": "取組内容・結果", "next_year_text": "課題・次年度の取組"}


def write_status(s, who: str, item_id: int, quarter: int, *, text=_UNSET, rating=_UNSET,
                 national_rank=_UNSET, results=_UNSET, next_year=_UNSET, expected_version: int | None = None,
                 source: str = HAND) -> list[tuple[str, str | None, str | None]]:
    """Store what changed (one log line per field); return (field, old, new). ``results`` and
    ``next_year``: the year's 取組内容・結果 and 課題・次年度の取組 (目標達成状況), on 第4四半期 only.

    ``expected_version``: the version the user's text was loaded at; if someone saved since,
    nothing is stored and ConflictError carries both texts.
    """
    rating = _checked(quarter, rating, national_rank)
    if quarter != 4 and (results is not _UNSET or next_year is not _UNSET):
        raise ValidationError("取組内容・結果と課題・次年度の取組は第4四半期に書きます")
    changes = []
    item = s.get(PlanItem, item_id)
    if item is None:
        raise NotFound(f"項目 {item_id} がありません")
    check_item(s, who, item)
    row = s.scalars(select(QuarterlyStatus).where(QuarterlyStatus.item_id == item_id,
                                                  QuarterlyStatus.quarter == quarter).with_for_update()).first()
    if expected_version is not None and (row.version if row else 0) != expected_version:
        texts = [("status_text", "進捗状況", text), ("results_text", YEAR_TEXTS["results_text"], results),
                 ("next_year_text", YEAR_TEXTS["next_year_text"], next_year)]
        raise ConflictError("ほかの人がこの実施状況を保存しました。どちらの内容にするか選んでください",
                            [(label, getattr(row, field) if row else "",
                              mine if mine is not _UNSET else (getattr(row, field) if row else ""))
                             for field, label, mine in texts if mine is not _UNSET or field == "status_text"]
                            + [("評価", row.rating if row else None, rating if rating is not _UNSET else None)])
    if row is None:
        row = QuarterlyStatus(item_id=item_id, quarter=quarter, status_text="", results_text="", next_year_text="",
                              version=0)
        s.add(row)
    for field, new in (("status_text", text), ("rating", rating), ("national_rank", national_rank),
                       ("results_text", results), ("next_year_text", next_year)):
        old = getattr(row, field)
        if new is _UNSET or new == old:
            continue
        setattr(row, field, new)
        changes.append((field, None if old is None else str(old), None if new is None else str(new)))
    if not changes:
        if row.id is None:
            s.expunge(row)
        return []
    now = datetime.now()
    row.updated_by, row.updated_at, row.version = who, now, (row.version or 0) + 1
    s.add_all(ChangeLog(at=now, who=who, entity="quarterly_status", key=str(QuarterKey(item_id, quarter)),
                        field=f, old=o, new=n, source=source) for f, o, n in changes)
    return changes


def write_row_status(s, who: str, row_id: int, quarter: int, *, text=_UNSET, rating=_UNSET, rank=_UNSET,
                     expected_version: int | None = None, source: str = HAND, batch_id: int | None = None,
                     carried: bool = False) -> list[tuple[str, str | None, str | None]]:
    """A rated row's progress text, rating and national rank for a quarter, as write_status does
    for an item: checked against the user's rights on the row's item, each changed field logged,
    ``expected_version`` guarding against someone's save meanwhile. A new progress text is the
    user's own (``carried``: it was carried over from the previous quarter). Returns (field, old, new)."""
    from db.models import RatedRow, RowStatus

    rating = _checked(quarter, rating, rank)
    found = s.get(RatedRow, row_id)
    if found is None:
        raise NotFound(f"評価行 {row_id} がありません")
    check_item(s, who, found.item)
    row = s.scalars(select(RowStatus).where(RowStatus.row_id == row_id, RowStatus.quarter == quarter)
                    .with_for_update()).first()
    if expected_version is not None and (row.version if row else 0) != expected_version:
        mine = text if text is not _UNSET else (row.progress_text if row else "")
        raise ConflictError("ほかの人がこの実施状況を保存しました。どちらの内容にするか選んでください",
                            [("進捗状況", row.progress_text if row else "", mine),
                             ("評価", row.rating if row else None, rating if rating is not _UNSET else None)])
    if row is None:
        row = RowStatus(row_id=row_id, quarter=quarter, progress_text="", version=0)
        s.add(row)
    changes = []
    for field, new in (("progress_text", text), ("rating", rating), ("national_rank", rank)):
        old = getattr(row, field)
        if new is _UNSET or new == old or (field == "progress_text" and new is None and old == ""):
            continue
        setattr(row, field, new if new is not None or field != "progress_text" else "")
        changes.append((field, None if old is None else str(old), None if new is None else str(new)))
    if not changes:
        if row.id is None:
            s.expunge(row)
        return []
    refuse_row(s, row_id, quarter)
    if any(f == "progress_text" for f, _, _ in changes):
        row.carried = carried
    now = datetime.now()
    row.updated_by, row.updated_at, row.version = who, now, (row.version or 0) + 1
    s.add_all(ChangeLog(at=now, who=who, entity="row_status", key=str(QuarterKey(row_id, quarter)), field=f, old=o, new=n,
                        source=source, batch_id=batch_id) for f, o, n in changes)
    return changes


def carry_text_over(s, who: str, row_ids, quarter: int) -> list[int]:
    """前四半期から引き継ぐ: each row with no progress text this quarter starts from the previous
    quarter's, marked as carried over until it is edited. Returns the rows that got a text."""
    from db.models import RowStatus

    if quarter not in (2, 3, 4):
        raise ValidationError("第1四半期には引き継ぐ前の四半期がありません（計画は年度ごとです）")
    ids = list(row_ids)
    texts = dict(s.execute(select(RowStatus.row_id, RowStatus.progress_text).where(
        RowStatus.row_id.in_(ids), RowStatus.quarter == quarter - 1)).all())
    now = dict(s.execute(select(RowStatus.row_id, RowStatus.progress_text).where(
        RowStatus.row_id.in_(ids), RowStatus.quarter == quarter)).all())
    done = []
    for row_id in ids:
        if (texts.get(row_id) or "").strip() and not (now.get(row_id) or "").strip():
            write_row_status(s, who, row_id, quarter, text=texts[row_id], source=f"第{quarter - 1}四半期から引き継ぎ",
                             carried=True)
            done.append(row_id)
    return done


def kpi_to_change(s, who: str, kpi_id: int):
    """The KPI (in session s), if it exists and the user may change its item."""
    kpi = s.get(Kpi, kpi_id)
    if kpi is None:
        raise NotFound(f"KPI {kpi_id} がありません")
    check_item(s, who, kpi.item)
    return kpi


def write_kpi_rating(s, who: str, kpi_id: int, quarter: int, rating: str | None) -> bool:
    """A KPI line's rating for a quarter (seed 004 rates each KPI); logged. True if it changed."""
    from db.models import KpiStatus

    mark = normalize_rating(rating) if rating else None
    if rating and mark is None:
        raise ValidationError(f"評価は {' '.join(RATINGS)} のいずれかです ('{rating}')")
    now = datetime.now()
    kpi_to_change(s, who, kpi_id)
    row = s.scalars(select(KpiStatus).where(KpiStatus.kpi_id == kpi_id, KpiStatus.quarter == quarter)).first()
    old = row.rating if row else None
    if old == mark:
        return False
    if row is None:
        row = KpiStatus(kpi_id=kpi_id, quarter=quarter, version=0)
        s.add(row)
    row.rating, row.updated_by, row.updated_at, row.version = mark, who, now, (row.version or 0) + 1
    s.add(ChangeLog(at=now, who=who, entity="kpi_status", key=str(QuarterKey(kpi_id, quarter)), field="rating",
                    old=old, new=mark, source=HAND))
    return True


def write_kpi_result(s, who: str, kpi_id: int, entry, source: str = HAND) -> bool:
    """The result of a KPI with no monthly indicator (健診受診率 …), entered by hand; logged.
    ``entry`` is read like any cell ('57.1%', '57.1', '' to clear). True if it changed."""
    from app.core.values import read_value

    kpi = kpi_to_change(s, who, kpi_id)
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        value = float(entry)
    else:
        reading = read_value(entry, unit=kpi.unit or "", kind="count")
        if reading.problem:
            raise ValidationError(reading.problem)
        value = reading.value
    if value == kpi.manual_result:
        return False
    old, kpi.manual_result = kpi.manual_result, value
    s.add(ChangeLog(at=datetime.now(), who=who, entity="kpi", key=str(KpiKey(kpi_id)), field="manual_result",
                    old=None if old is None else str(old), new=None if value is None else str(value), source=source))
    return True


def write_kpi_month_target(s, who: str, kpi_id: int, month: int, entry, source: str = HAND) -> bool:
    """月次目標: the figure a KPI should have reached by a month, read like any cell in the KPI
    indicator's unit ('1,280', '28.7%', '' to clear); logged. True if it changed."""
    from app.core.values import read_value
    from db.models import KpiMonthTarget

    kpi = kpi_to_change(s, who, kpi_id)
    if month not in range(1, 13):
        raise ValidationError(f"月は 1〜12 です ({month})")
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        value = float(entry)
    else:
        unit = s.get(Indicator, kpi.indicator_code).unit if kpi.indicator_code else kpi.unit or ""
        reading = read_value(entry, unit=unit, kind="count")
        if reading.problem:
            raise ValidationError(f"月次目標（{month}月）: {reading.problem}")
        value = reading.value
    row = s.scalar(select(KpiMonthTarget).where(KpiMonthTarget.kpi_id == kpi_id, KpiMonthTarget.month == month))
    old = row.value if row else None
    if value == old:
        return False
    if value is None:
        s.delete(row)
    elif row is None:
        s.add(KpiMonthTarget(kpi_id=kpi_id, month=month, value=value))
    else:
        row.value = value
    s.add(ChangeLog(at=datetime.now(), who=who, entity="kpi", key=str(KpiKey(kpi_id)), field=f"month_target_{month}",
                    old=None if old is None else str(old), new=None if value is None else str(value), source=source))
    return True


@dataclass(frozen=True)
class KpiReading:
    """How a KPI sentence is read: indicator (None: a result typed by hand), comparison
    ('>=', '<=', '<', '>', '=='), target (None for 前年度 and 定性), rule ('value', 'prev_fy',
    'qualitative') and unit."""
    kpi_id: int
    indicator: str | None
    op: str
    target: float | None
    rule: str
    unit: str = ""


def confirm_kpi(s, catalogue, who: str, reading: KpiReading) -> bool:
    """A KPI's reading confirmed (and corrected where the user changed it), logged. The plan is the
    branch's: 企画総務 in shared mode. True if the reading changed."""
    from app.store.access import check_plan

    if reading.op not in (">=", "<=", "<", ">", "=="):
        raise ValidationError(f"比較は 以上・以下・未満・超・＝ のいずれかです ({reading.op})")
    if reading.rule not in ("value", "prev_fy", "qualitative"):
        raise ValidationError(f"目標の種類が分かりません ({reading.rule})")
    if reading.indicator is not None and reading.indicator not in catalogue:
        raise NotFound(f"指標 {reading.indicator} がありません")
    if reading.rule == "value" and reading.target is None:
        raise ValidationError("目標の値を入れてください（前年度の値と比べるときは「前年度」を選びます）")
    kpi = s.get(Kpi, reading.kpi_id)
    if kpi is None:
        raise NotFound(f"KPI {reading.kpi_id} がありません")
    check_plan(s, who, kpi.item.pillar.branch_code)
    before = [kpi.indicator_code, kpi.op, kpi.target, kpi.target_rule, kpi.unit]
    after = [reading.indicator, reading.op, None if reading.rule != "value" else reading.target, reading.rule,
             reading.unit or (catalogue[reading.indicator].unit if reading.indicator else kpi.unit)]
    now = datetime.now()
    kpi.indicator_code, kpi.op, kpi.target, kpi.target_rule, kpi.unit = after
    kpi.confirmed_by, kpi.confirmed_at = who, now
    s.add(ChangeLog(at=now, who=who, entity="kpi", key=str(KpiKey(kpi.id)), field="reading", old=json.dumps(before, ensure_ascii=False),
                    new=json.dumps(after, ensure_ascii=False), source="KPI の確認"))
    return before != after


def kept_codes(s, item_id: int) -> list[str]:
    """The indicators whose month tables an item keeps, in order."""
    return list(s.scalars(select(ItemIndicator.indicator_code).where(ItemIndicator.item_id == item_id)
                          .order_by(ItemIndicator.position)))


def keep_codes(s, item_id: int, codes: list[str]) -> None:
    """The indicators an item keeps made ``codes``, in this order (not logged: the caller logs)."""
    s.execute(delete(ItemIndicator).where(ItemIndicator.item_id == item_id))
    s.add_all(ItemIndicator(item_id=item_id, indicator_code=c, position=n) for n, c in enumerate(codes, start=1))


def write_item_indicators(s, catalogue, who: str, item_id: int, codes: list[str]) -> bool:
    """Replace the indicators an item keeps (in this order); logged. True if they changed."""
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        raise ValidationError(f"指標一覧にない指標です: {', '.join(unknown)}")
    item = s.get(PlanItem, item_id)
    if item is None:
        raise NotFound(f"項目 {item_id} がありません")
    check_item(s, who, item)
    codes = list(dict.fromkeys(codes))
    old = kept_codes(s, item_id)
    if old == codes:
        return False
    keep_codes(s, item_id, codes)
    s.add(ChangeLog(at=datetime.now(), who=who, entity="item_indicator", key=str(item_id), field="indicators",
                    old=" ".join(old) or None, new=" ".join(codes) or None, source=HAND))
    return True
