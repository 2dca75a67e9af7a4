"""Each importer names its layout for the window and the history (one home for the names)."""


def test_every_importer_names_its_layout_for_the_window():
    from importers import IMPORTERS, display_name

    assert [display_name(i.layout) for i in IMPORTERS] == ["月次実績", "本部 支部別", "事業計画", "進捗状況"]
    assert display_name("kpi") == "不明"
