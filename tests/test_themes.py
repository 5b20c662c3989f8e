"""Themes of hand-checked units of the San José report (read, not grepped)."""

import pytest


@pytest.mark.parametrize("unit_id, themes", [
    ("24e", ["armes à feu"]),
    ("62", ["armes à feu"]),
    ("37h", ["traite des personnes", "victimes"]),
    ("24h", ["traite des personnes", "victimes"]),
    ("37o", ["blanchiment et flux financiers illicites"]),
    ("66d", ["blanchiment et flux financiers illicites", "recouvrement d'avoirs"]),
    ("49r", ["justice réparatrice"]),
    ("66g", ["cybercriminalité"]),
    ("66c", ["criminalité environnementale", "criminalité organisée"]),
    ("24f", ["accès à la justice et assistance juridique"]),
    ("37j", ["enfants et jeunes"]),
    ("21", ["prisons et réinsertion"]),
    ("14", ["coopération internationale"]),
    ("37m", ["violence fondée sur le genre et droits des femmes", "victimes"]),
    ("76f", ["technologies et intelligence artificielle"]),
    ("44", ["justice réparatrice", "enfants et jeunes", "prisons et réinsertion"]),
    ("37b", []),
])
def test_themes_of_hand_checked_units(corpus_units, unit_id, themes):
    assert corpus_units[unit_id].themes == themes


def test_a_list_of_crimes_gets_each_theme(corpus_units):
    assert {"traite des personnes", "drogues", "terrorisme", "armes à feu", "corruption"} <= set(
        corpus_units["53"].themes)


@pytest.mark.parametrize("unit_id", ["10", "69", "82", "92"])
def test_lists_of_names_and_agenda_items_give_no_theme(corpus_units, unit_id):
    # Speakers ("Institut … de technologie"), participants, the adopted agenda's items.
    assert corpus_units[unit_id].themes == []


def test_institution_names_do_not_make_themes(corpus_units):
    # "Congrès des Nations Unies pour la prévention du crime", "Office … contre la drogue et le crime"
    assert "prévention de la criminalité" not in corpus_units["1"].themes
    assert "drogues" not in corpus_units["3"].themes
