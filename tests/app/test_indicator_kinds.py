"""The indicator kinds registry: one entry per kind, the rules the other modules ask it."""
from app.core.catalogue import load_catalogue
from app.core.indicator_kinds import KINDS, kind_of
from app.core.values import format_value, read_value


def test_every_catalogue_kind_is_registered_and_h_mm_is_a_duration():
    assert {i.kind for i in load_catalogue()} <= set(KINDS)
    assert kind_of("count", "h:mm") is KINDS["duration"]
    assert kind_of("unknown") is KINDS["count"]
    assert [k.name for k in KINDS.values() if k.summed] == ["count", "amount"]


def test_a_count_in_h_mm_reads_and_prints_as_a_duration():
    assert read_value("3:05", unit="h:mm", kind="count").value == 185
    assert format_value(185, unit="h:mm", kind="count") == "3:05"
    assert read_value("12/11、1/8", unit="回", kind="event").value == 2
