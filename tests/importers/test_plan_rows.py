"""The plan template (layout C) knows its rated rows: 計画内容 cut into sub-points at their markers
((１)/(1)/①/・, full- or half-width), 【KPI】 and 【業績評価】 lines recognised, each KPI on its row;
stored, re-imported without change, and each KPI shown under its row when confirming."""
from app.operations import ops
from app.operations.imports import read_workbook
from app.reads.queries import plan_items
from importers.layouts.rows import split_rows
from tests.importers.build import PlanItem, catalogue, full_width, write_plan

PLAN = ("（１）現金給付の申請受付から支給までの標準期間を\n遵守する。\n"
        "【KPI】【業績評価】サービススタンダードの達成状況を100％とする。\n"
        "・朝礼で確認する（内訳）\n"
        "（２）郵送による申請を促進する。\n"
        "【業績評価】事務処理誤り発生件数状況")


def rows_of(text, kpis=()):
    return [(r.plan_text.splitlines()[0], r.is_kpi, r.is_performance, r.kpis) for r in split_rows(text, kpis)]


def test_sub_points_kpi_and_performance_lines_become_rows():
    assert rows_of(PLAN) == [("（１）現金給付の申請受付から支給までの標準期間を", True, True, ()),
                             ("（２）郵送による申請を促進する。", False, False, ()),
                             ("【業績評価】事務処理誤り発生件数状況", False, True, ())]
    assert split_rows(PLAN)[0].plan_text.splitlines()[1:] == [
        "遵守する。", "【KPI】【業績評価】サービススタンダードの達成状況を100％とする。", "・朝礼で確認する（内訳）"]


def test_every_marker_kind_full_or_half_width_cuts_rows():
    for a, b in (("(1)", "(2)"), ("①", "②"), ("・", "・"), ("1)", "2)"), (full_width("(1)"), full_width("(2)"))):
        assert [t for t, *_ in rows_of(f"{a}一つ目。\n続き\n{b}二つ目。")] == [f"{a}一つ目。", f"{b}二つ目。"]
    assert [t for t, *_ in rows_of("ただ一つの計画。")] == ["ただ一つの計画。"]


def test_kpis_in_their_own_column_go_to_the_row_that_names_them(tmp_path):
    kpi = "【KPI】郵送化率を95.0％以上とする。\n（２）【KPI】サービススタンダードの達成状況を100％とする。"
    ext = read_workbook(write_plan(tmp_path / "p.xlsx", [
        PlanItem(1, "業務改革", kpi, plan="（１）郵送化を進める。\n（２）標準期間を守る。\n（３）研修。")]), catalogue())
    rows = ext.plan[0].rows
    assert [(r.is_kpi, r.kpis) for r in rows] == [(True, (1,)), (True, (2,)), (False, ())]


def test_the_plan_stores_rows_reimports_unchanged_and_keeps_a_rows_quarter(empty_db, tmp_path):
    path = write_plan(tmp_path / "plan.xlsx", [PlanItem(1, "サービス水準の向上", None, plan=PLAN),
                                               PlanItem(2, "業務改革", "【KPI】郵送化率を95.0％以上とする。")])
    who = "admin" if empty_db.is_sqlite else None
    assert ops.import_workbook(empty_db, path, "10", who=who).stored
    one, two = plan_items(empty_db, "10", 2024)
    assert [(r.position, r.tags) for r in one.rows] == [(1, ("KPI", "業績評価")), (2, ()), (3, ("業績評価",))]
    assert [r.kpi_ids for r in two.rows] == [(two.kpis[0].id,)] and two.rows[0].tags == ("KPI",)
    ops.save_row_status(empty_db, one.rows[1].id, 4, text="進めた", rating="○", who=who)
    again = ops.import_workbook(empty_db, path, "10", who=who)
    assert not again.stored and again.plan_items == 0
    assert [r.id for r in plan_items(empty_db, "10", 2024)[0].rows] == [r.id for r in one.rows]
