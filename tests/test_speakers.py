"""The state, observer and organisation facets: who spoke in each agenda section."""

import json

import pytest

from indexer.analysis import normalize
from indexer.parse import parse_report
from indexer.speakers import assign_speakers, read_speakers
from tests.conftest import FIXTURES

SECTIONS = {"theme": "7", "3": "25", "4": "38", "5": "50", "6": "67"}


def sections_where(units, state):
    return sorted({u.agenda_key for u in units.values() if state in u.states + u.observers}, key=str)


@pytest.mark.parametrize("state, sections", [
    ("Honduras", ["6", "theme"]),
    ("France", ["5"]),
    ("Viet Nam", ["theme"]),
    ("Brésil", ["3", "4", "5", "6", "theme"]),
    ("Pays-Bas (Royaume des)", ["3", "5"]),
    ("Saint-Kitts-et-Nevis", ["3", "4", "6"]),
    ("Trinité-et-Tobago", ["5", "theme"]),
    ("Uruguay", ["3", "5", "theme"]),
    ("Émirats arabes unis", ["3", "5", "6", "theme"]),
])
def test_states_spoke_where_the_report_says(corpus_units, state, sections):
    assert sections_where(corpus_units, state) == sections


def test_every_unit_of_a_section_carries_its_speakers(corpus_units):
    main_theme = [u for u in corpus_units.values() if u.agenda_key == "theme"]
    assert len(main_theme) == 30
    assert all("Honduras" in u.states for u in main_theme)
    assert corpus_units["7"].states == corpus_units["24l"].states  # before and after the statements


def test_main_theme_speakers_as_printed(corpus_units):
    unit = corpus_units["12"]
    assert unit.states == [
        "Argentine", "Brésil", "Canada", "Chili", "Colombie", "Cuba", "Équateur", "Guatemala", "Guyana",
        "Honduras", "Mexique", "Panama", "Paraguay", "Pérou", "République dominicaine", "Trinité-et-Tobago",
        "Uruguay",
    ]
    assert unit.observers == ["Émirats arabes unis", "Viet Nam"]
    assert unit.organisations[:2] == ["Instituto Brasileiro de Direitos Humanos",
                                      "Global Initiative against Transnational Organized Crime"]
    assert unit.organisations[-1] == "Association pour la prévention de la torture"
    assert len(unit.organisations) == 8


def test_organisations_named_one_by_one(corpus_units):
    assert corpus_units["27"].organisations == ["Alliance of NGOs on Crime Prevention and Criminal Justice"]
    assert corpus_units["69"].organisations == [
        "Institut panaméricain de droit et de technologie",
        "Alliance of NGOs on Crime Prevention and Criminal Justice",
    ]


def test_procedural_sections_have_no_speakers(corpus_units):
    # Par. 78 lists the states represented at the meeting, not those that spoke.
    for unit_id in ("1", "78", "79", "84", "91", "95"):
        unit = corpus_units[unit_id]
        assert (unit.states, unit.observers, unit.organisations) == ([], [], [])


@pytest.mark.parametrize("sentence, states, observers, organisations", [
    ("Le représentant du Japon, État observateur, a fait une déclaration.", [], ["Japon"], []),
    ("Des déclarations ont été faites par les représentants de l’Algérie, de l’Égypte et du Maroc.",
     ["Algérie", "Égypte", "Maroc"], [], []),
    ("Des déclarations ont été faites par les représentants des États suivants : "
     "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord, Bosnie-Herzégovine et Fidji.",
     ["Royaume-Uni de Grande-Bretagne et d'Irlande du Nord", "Bosnie-Herzégovine", "Fidji"], [], []),
    ("Des déclarations ont été faites par les représentants des États suivants : Atlantide et Chili.",
     ["Atlantide", "Chili"], [], []),
    ("Une déclaration a aussi été faite par l’observateur de l’Organisation internationale de police "
     "criminelle (INTERPOL).", [], [], ["Organisation internationale de police criminelle (INTERPOL)"]),
    ("La Secrétaire exécutive de la Commission a également fait une déclaration liminaire.", [], [], []),
    ("Les représentants des pays suivants ont fait des déclarations : Argentine, Brésil et Chili.",
     ["Argentine", "Brésil", "Chili"], [], []),
    ("On a évoqué la Déclaration sur les générations futures.", [], [], []),
])
def test_statement_sentences(sentence, states, observers, organisations):
    speakers = read_speakers(sentence)
    assert (speakers.states, speakers.observers, speakers.organisations) == (states, observers, organisations)


def test_second_report_speakers():
    units = parse_report((FIXTURES / "second_report.txt").read_text("utf-8"), "beyrouth-2025")
    expected = json.loads((FIXTURES / "second_report_expected.json").read_text("utf-8"))
    assign_speakers(units)
    by_id = {u.id: u for u in units}
    first_unit = {key: next(i for i, s in expected["sections"].items() if s["point"] == (int(key) if key.isdigit() else key))
                  for key in expected["states"]}
    for key, unit_id in first_unit.items():
        unit = by_id[unit_id]
        assert unit.states == expected["states"][key], key
        assert [normalize(s) for s in unit.observers] == [normalize(s) for s in expected["observer_states"][key]], key
        assert unit.organisations == expected["organisations"][key], key


def test_a_bulleted_list_of_organisations_gives_one_value_a_line():
    text = ("I. Introduction\n\n1. Des déclarations ont été faites par les observateurs des organisations "
            "suivantes :\n- Institut Alpha pour la justice pénale\n- Fondation Beta\n\n2. La réunion a pris fin.\n")
    units = parse_report(text, "d")
    assign_speakers(units)
    assert units[0].organisations == ["Institut Alpha pour la justice pénale", "Fondation Beta"]
    assert units[0].text.endswith(":\n- Institut Alpha pour la justice pénale\n- Fondation Beta")  # as printed
