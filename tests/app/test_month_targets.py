"""月次目標: a KPI's target for a month (migration 0014), typed in its indicator's unit, printed on
the ■ line as seed 002 does (``1,272 事業所 (月次目標 1,280 事業所)``, ``10.1%（月次目標12.1%）``)."""
import pytest

from app.core.errors import ValidationError
from app.documents.build import build
from app.operations import ops
from app.reads.queries import plan_items


def kpi(db, item_no, words):
    item = next(i for i in plan_items(db, "10", 2024) if i.item_no == item_no)
    return next(k for k in item.kpis if words in k.text)


def lines(doc) -> list[str]:
    return [line for b in doc.blocks for line in b.status.splitlines() if line.startswith("■")]


def test_a_month_target_on_the_kpi_line_in_its_unit(demo_db):
    declared = kpi(demo_db, 13, "健康宣言事業所数")
    assert ops.set_kpi_month_target(demo_db, declared.id, 12, "1,560")
    assert not ops.set_kpi_month_target(demo_db, declared.id, 12, "1560")            # the same figure
    ops.set_kpi_month_target(demo_db, declared.id, 9, 1_500)
    checkup = next(k for i in plan_items(demo_db, "10", 2024) for k in i.kpis
                   if "生活習慣病予防健診受診率" in k.text)
    ops.set_kpi_month_target(demo_db, checkup.id, 12, "28.7%")
    q3 = lines(build(demo_db, "10", 2024, 3))
    line = next(x for x in q3 if "健康宣言事業所数（累計）" in x)
    assert "事業所（月次目標 1,560事業所）（令和6年12月末現在）／目標 1,580事業所以上" in line
    assert any(x.endswith("生活習慣病予防健診受診率を61.2％以上とする。：－（月次目標 28.7%）") for x in q3)
    q2 = next(x for x in lines(build(demo_db, "10", 2024, 2)) if "健康宣言事業所数（累計）" in x)
    assert "（月次目標 1,500事業所）（令和6年9月末現在）" in q2
    assert "月次目標" not in "".join(lines(build(demo_db, "10", 2024, 1)))     # none set for June
    ops.set_kpi_month_target(demo_db, declared.id, 12, "")                         # cleared
    assert "月次目標" not in next(x for x in lines(build(demo_db, "10", 2024, 3)) if "健康宣言" in x)
    assert [k.month_targets for k in [kpi(demo_db, 13, "健康宣言事業所数")]] == [((9, 1500.0),)]


def test_a_wrong_month_target_is_refused_in_one_line(demo_db):
    declared = kpi(demo_db, 13, "健康宣言事業所数")
    with pytest.raises(ValidationError) as err:
        ops.set_kpi_month_target(demo_db, declared.id, 12, "千五百")
    assert str(err.value).startswith("月次目標（12月）: ") and "\n" not in str(err.value)
    with pytest.raises(ValidationError):
        ops.set_kpi_month_target(demo_db, declared.id, 13, "1")
    assert kpi(demo_db, 13, "健康宣言事業所数").month_targets == ()
