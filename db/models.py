"""The database schema: SQLAlchemy 2.0 typed models.

Nothing here is SQLite-only; the same models run on PostgreSQL. Alembic migrations in
``db/migrations`` create these tables; a test checks that the models and the migrations agree.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean, DateTime, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Text, UniqueConstraint, false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Branch(Base):
    """支部: the 47 branches by prefecture code, and '00' 全国 for national figures."""
    __tablename__ = "branch"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


class FiscalYear(Base):
    """年度, stored as the western year it starts in (令和6年度 = 2024)."""
    __tablename__ = "fiscal_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Setting(Base):
    """Key/value settings of this database (home branch, …)."""
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Indicator(Base):
    """月次指標: a row of the monthly tables; synced from the catalogue (resources/)."""
    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    group_name: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(12))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class LabelAlias(Base):
    """A label a user mapped once to an indicator (kept for the next import)."""
    __tablename__ = "label_alias"
    label: Mapped[str] = mapped_column(String(200), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))


class PlanPillar(Base):
    """事業計画の柱 (1. 基盤的保険者機能の盤石化 …) of one branch and fiscal year."""
    __tablename__ = "plan_pillar"
    __table_args__ = (UniqueConstraint("branch_code", "fiscal_year", "no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_code: Mapped[str] = mapped_column(ForeignKey("branch.code"))
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("fiscal_year.year"))
    no: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    items: Mapped[list[PlanItem]] = relationship(back_populates="pillar", order_by="PlanItem.item_no")


class PlanItem(Base):
    """項番: a numbered item of the plan with its owner group, plan text and flags."""
    __tablename__ = "plan_item"
    __table_args__ = (UniqueConstraint("pillar_id", "item_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("plan_pillar.id", ondelete="CASCADE"))
    item_no: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    owner_group: Mapped[str] = mapped_column(String(40), default="")
    plan_text: Mapped[str] = mapped_column(Text, default="")
    important: Mapped[bool] = mapped_column(Boolean, default=False)   # 【重要度：高】
    difficult: Mapped[bool] = mapped_column(Boolean, default=False)   # 【困難度：高】
    incentive: Mapped[bool] = mapped_column(Boolean, default=False)   # インセンティブ関連
    evaluation: Mapped[str] = mapped_column(Text, default="")         # 【業績評価】
    pillar: Mapped[PlanPillar] = relationship(back_populates="items")
    kpis: Mapped[list[Kpi]] = relationship(back_populates="item", order_by="Kpi.position",
                                           cascade="all, delete-orphan")
    rows: Mapped[list[RatedRow]] = relationship(back_populates="item", order_by="RatedRow.position",
                                                cascade="all, delete-orphan")


class RatedRow(Base):
    """評価行: a rated row of an item — a sub-point （１）（２）… with its plan text, a 【KPI】 line or a
    【業績評価】 line; each has per quarter its own progress text, rating and rank (seed 004)."""
    __tablename__ = "rated_row"
    __table_args__ = (UniqueConstraint("item_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)              # 1, 2, … within the item
    plan_text: Mapped[str] = mapped_column(Text, default="")    # as written
    is_kpi: Mapped[bool] = mapped_column(Boolean, default=False)
    is_performance: Mapped[bool] = mapped_column(Boolean, default=False)   # 【業績評価】
    is_incentive: Mapped[bool] = mapped_column(Boolean, default=False)     # インセンティブ
    item: Mapped[PlanItem] = relationship(back_populates="rows")
    kpis: Mapped[list[Kpi]] = relationship(back_populates="row", order_by="Kpi.position")


class Kpi(Base):
    """KPI of an item: indicator, comparison and target, and the sentence as written."""
    __tablename__ = "kpi"
    __table_args__ = (UniqueConstraint("item_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    indicator_code: Mapped[str | None] = mapped_column(ForeignKey("indicator.code"))
    op: Mapped[str] = mapped_column(String(2))              # '>=', '<=', '=='
    target: Mapped[float | None] = mapped_column(Float)     # None with prev_fy or qualitative
    target_rule: Mapped[str] = mapped_column(String(12))    # 'value' | 'prev_fy' | 'qualitative'
    unit: Mapped[str] = mapped_column(String(10), default="")
    text: Mapped[str] = mapped_column(Text)
    manual_result: Mapped[float | None] = mapped_column(Float)  # result entered by hand
    confirmed_by: Mapped[str | None] = mapped_column(String(100))   # who confirmed how it is read
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    row_id: Mapped[int | None] = mapped_column(ForeignKey("rated_row.id", ondelete="SET NULL"))  # its row
    item: Mapped[PlanItem] = relationship(back_populates="kpis")
    row: Mapped[RatedRow | None] = relationship(back_populates="kpis")
    month_targets: Mapped[list[KpiMonthTarget]] = relationship(order_by="KpiMonthTarget.month",
                                                               cascade="all, delete-orphan")


class KpiMonthTarget(Base):
    """月次目標: the figure a KPI should have reached by a month of its fiscal year (seed 002:
    ``健康宣言事業所数 1,272 事業所 (月次目標 1,280 事業所)``), in the KPI indicator's unit."""
    __tablename__ = "kpi_month_target"
    __table_args__ = (UniqueConstraint("kpi_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    month: Mapped[int] = mapped_column(Integer)                # calendar month 1..12
    value: Mapped[float] = mapped_column(Float)


class ItemIndicator(Base):
    """An indicator whose month tables an item keeps (進捗状況 prints them under the item), in order."""
    __tablename__ = "item_indicator"
    __table_args__ = (UniqueConstraint("item_id", "indicator_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)


class ImportBatch(Base):
    """取込: one import of one file, all of it or nothing; undo removes it."""
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(100))
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class MonthlyValue(Base):
    """月次実績: one indicator's value for one branch, fiscal year and month, with its origin."""
    __tablename__ = "monthly_value"
    __table_args__ = (UniqueConstraint("branch_code", "fiscal_year", "month", "indicator_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_code: Mapped[str] = mapped_column(ForeignKey("branch.code"))
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("fiscal_year.year"))
    month: Mapped[int] = mapped_column(Integer)              # calendar month 1..12
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    source_file: Mapped[str | None] = mapped_column(Text)
    source_sheet: Mapped[str | None] = mapped_column(String(100))
    source_cell: Mapped[str | None] = mapped_column(String(20))
    edited_by: Mapped[str | None] = mapped_column(String(100))   # set by a hand edit
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class YearValue(Base):
    """年度計: the year figure as a workbook printed it (計 / 合計 / 平均)."""
    __tablename__ = "year_value"
    __table_args__ = (UniqueConstraint("branch_code", "fiscal_year", "indicator_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_code: Mapped[str] = mapped_column(ForeignKey("branch.code"))
    fiscal_year: Mapped[int] = mapped_column(ForeignKey("fiscal_year.year"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    value: Mapped[float] = mapped_column(Float)
    decimals: Mapped[int | None] = mapped_column(Integer)     # the precision it was printed at
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    source_file: Mapped[str | None] = mapped_column(Text)
    source_sheet: Mapped[str | None] = mapped_column(String(100))
    source_cell: Mapped[str | None] = mapped_column(String(20))


class QuarterlyStatus(Base):
    """四半期の実施状況: status text, rating ◎○△×□ and national rank of an item; on 第4四半期 also the
    year's texts of 目標達成状況 (seed 001): 取組内容・結果 and 課題・次年度の取組."""
    __tablename__ = "quarterly_status"
    __table_args__ = (UniqueConstraint("item_id", "quarter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"))
    quarter: Mapped[int] = mapped_column(Integer)
    status_text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(1))
    national_rank: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    results_text: Mapped[str] = mapped_column(Text, default="", server_default="")      # 取組内容・結果
    next_year_text: Mapped[str] = mapped_column(Text, default="", server_default="")    # 課題・次年度の取組


class RowStatus(Base):
    """A rated row's quarter: progress text, rating ◎○△×□ and national rank (1..47)."""
    __tablename__ = "row_status"
    __table_args__ = (UniqueConstraint("row_id", "quarter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int] = mapped_column(ForeignKey("rated_row.id", ondelete="CASCADE"))
    quarter: Mapped[int] = mapped_column(Integer)
    progress_text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(1))
    national_rank: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the progress text was carried over from the previous quarter and not edited since (0012)
    carried: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class KpiStatus(Base):
    """A KPI's rating for a quarter (seed 004 rates each KPI line), and a result entered by hand."""
    __tablename__ = "kpi_status"
    __table_args__ = (UniqueConstraint("kpi_id", "quarter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    quarter: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str | None] = mapped_column(String(1))
    national_rank: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AppUser(Base):
    """利用者 (shared mode): a login, the branch and group it belongs to, and whether it is an
    admin (registers users, imports the plan and headquarters' tables, maps labels). On SQLite
    with no rows, the database is a single user's and every write is allowed; on PostgreSQL the
    server login is the user, and the server enforces the same rules (migration 0006)."""
    __tablename__ = "app_user"
    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    branch_code: Mapped[str] = mapped_column(ForeignKey("branch.code"))
    group_name: Mapped[str] = mapped_column(String(20))       # 業務, レセプト, 保健, 企画総務
    admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Operation(Base):
    """One thing a user did (an edit of some cells, its undo or redo): the change-log lines it
    wrote carry its id, so undoing it puts back exactly the rows it changed."""
    __tablename__ = "operation"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))           # 'edit', 'undo', 'redo'
    at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(100))
    undoes: Mapped[int | None] = mapped_column(ForeignKey("operation.id"))   # for an undo or redo


class ChangeLog(Base):
    """変更履歴: who changed what when, old → new, and from which file."""
    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    who: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(30))     # 'monthly_value', 'quarterly_status', …
    key: Mapped[str] = mapped_column(String(200), index=True)  # e.g. '10/2024/4/mail_rate'
    field: Mapped[str] = mapped_column(String(30))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    source: Mapped[str | None] = mapped_column(Text)    # 'file.xlsx:業務!B6' or '手入力'
    op_id: Mapped[int | None] = mapped_column(ForeignKey("operation.id"), index=True)   # an undo reads its lines
    row_before: Mapped[str | None] = mapped_column(Text)   # the whole row before / after (JSON), so
    row_after: Mapped[str | None] = mapped_column(Text)    # that an undo restores it with its origin


class ValueCheck(Base):
    """点検の確認: a plausibility warning on a month's figure that a person looked at and kept,
    with a short comment. It holds while the figure is the one acknowledged (``value``)."""
    __tablename__ = "value_check"
    __table_args__ = (UniqueConstraint("branch_code", "fiscal_year", "month", "indicator_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_code: Mapped[str] = mapped_column(String(2))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    indicator_code: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text)
    checked_by: Mapped[str] = mapped_column(String(100))
    checked_at: Mapped[datetime] = mapped_column(DateTime)


class Submission(Base):
    """提出: a branch's quarter submitted by an admin (who, when, a note). While it is not unlocked
    its months' figures and its rated rows' statuses cannot change (migration 0012: triggers, on
    SQLite and on the server alike). An unlock keeps who, when and why; submitting again makes a
    new row."""
    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_code: Mapped[str] = mapped_column(ForeignKey("branch.code"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    unlocked_by: Mapped[str | None] = mapped_column(String(100))
    unlocked_at: Mapped[datetime | None] = mapped_column(DateTime)
    unlock_reason: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[list[SubmissionDocument]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionDocument.id")


class SubmissionDocument(Base):
    """A document of a submission as it was written then (status, progress, summary; pdf, xlsx),
    its bytes kept: `submitted --out` gives them back as they were."""
    __tablename__ = "submission_document"
    __table_args__ = (UniqueConstraint("submission_id", "kind", "format"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))        # status, progress, summary
    format: Mapped[str] = mapped_column(String(10))      # pdf, xlsx
    file_name: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    submission: Mapped[Submission] = relationship(back_populates="documents")
