"""The knowledge kept as data: states, themes, agenda labels, stop words, stem overrides."""

import pytest

from indexer.agenda import agenda_of
from indexer.analysis import analyze
from indexer.datafiles import DataFileError, parse_tsv, read_tsv
from indexer.states import GAZETTEER
from indexer.themes import taxonomy


def test_gazetteer_covers_the_un_members_and_observer_states():
    assert len(GAZETTEER.states) == 195
    assert len({s.iso3 for s in GAZETTEER.states}) == 195


@pytest.mark.parametrize("typed, name", [
    ("bresil", "Brésil"),
    ("BRA", "Brésil"),
    ("bra", "Brésil"),
    ("Pays-Bas", "Pays-Bas (Royaume des)"),
    ("NLD", "Pays-Bas (Royaume des)"),
    ("saint-kitts-et-nevis", "Saint-Kitts-et-Nevis"),
    ("TTO", "Trinité-et-Tobago"),
    ("viet nam", "Viet Nam"),
    ("Royaume-Uni", "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord"),
    ("Türkiye", "Türkiye"),
    ("emirats arabes unis", "Émirats arabes unis"),
    ("Atlantide", None),
])
def test_gazetteer_lookup(typed, name):
    assert GAZETTEER.lookup(typed) == name


def test_every_state_has_an_english_name_and_no_english_name_is_two_states():
    english = read_tsv("indexer", "states_en.tsv")
    assert [row["iso3"] for row in english] == [row["iso3"] for row in read_tsv("indexer", "states.tsv")]
    owners: dict[str, str] = {}
    for row in english:
        for name in row["names"].split("|"):
            assert owners.setdefault(name.lower(), row["iso3"]) == row["iso3"], name


@pytest.mark.parametrize("typed, name", [
    ("Netherlands", "Pays-Bas (Royaume des)"), ("Brazil", "Brésil"), ("Mexico", "Mexique"),
    ("United States", "États-Unis d'Amérique"), ("Holland", "Pays-Bas (Royaume des)"), ("Trinidad and Tobago", "Trinité-et-Tobago"),
])
def test_english_names_resolve_but_are_never_found_in_report_text(typed, name):
    assert GAZETTEER.lookup(typed) == name
    assert GAZETTEER.find_all(f"la délégation de {typed} et du Chili") == ["Chili"]  # French text: French names only


def test_gazetteer_prefers_the_longest_name():
    assert GAZETTEER.find_all("la Guinée équatoriale, la Papouasie-Nouvelle-Guinée et la Guinée") == [
        "Guinée équatoriale", "Papouasie-Nouvelle-Guinée", "Guinée",
    ]
    assert GAZETTEER.find_all("le Niger et le Nigéria, la Dominique et la République dominicaine") == [
        "Niger", "Nigéria", "Dominique", "République dominicaine",
    ]


@pytest.mark.parametrize("family", [
    ("confiscation", "confisquer"), ("réinsertion", "réinsérer"), ("environnement", "environnementale"),
    ("migration", "migrants", "migratoire"), ("extradition", "extrader"), ("présider", "président"),
])
def test_derivation_families_share_one_term(family):
    assert len({tuple(analyze(word)) for word in family}) == 1


def test_taxonomy_size_and_labels():
    assert 15 <= len(taxonomy().themes) <= 25
    for label in ("traite des personnes", "cybercriminalité", "armes à feu", "criminalité environnementale",
                  "corruption", "justice réparatrice", "terrorisme", "drogues", "recouvrement d'avoirs"):
        assert label in taxonomy().labels
    assert taxonomy().lookup("Cybercriminalite") == "cybercriminalité"
    assert taxonomy().lookup("armes") == "armes à feu"


def test_theme_rules_are_phrase_matches_on_analysed_text():
    assert taxonomy().themes_of("la traite des êtres humains et la TRAITE DES PERSONNES") == ["traite des personnes"]
    assert taxonomy().themes_of("le traitement des personnes détenues") == ["prisons et réinsertion"]
    assert taxonomy().themes_of("le feu a détruit les armes") == []  # words present, not as a phrase


@pytest.mark.parametrize("heading, key, label", [
    ("4. Mieux travailler ensemble … (point 6 de l'ordre du jour) ; et tirer parti de l'ère numérique (atelier 4)",
     "6", "Point 6 – Coopération, assistance technique et ère numérique (atelier 4)"),
    ("1. Examiner les défis (point 9 de l’ordre du jour)", "9", "Point 9 – Examiner les défis"),
])
def test_agenda_labels_show_the_point_number(heading, key, label):
    assert agenda_of(("II. Recommandations", "B. Questions de fond et ateliers", heading)) == (key, label)


def test_agenda_main_theme_and_procedural_parts():
    assert agenda_of(("II. Recommandations", "A. Thème principal du quinzième Congrès : « … »")) == (
        "theme", "Thème principal")
    assert agenda_of(("III. Participation et organisation des travaux", "B. Participation")) == (
        None, "Participation et organisation des travaux")


@pytest.mark.parametrize("package, name, columns", [
    ("indexer", "states.tsv", ["iso3", "name", "aliases"]),
    ("indexer", "states_en.tsv", ["iso3", "names"]),
    ("indexer", "stem_overrides.tsv", ["word", "term"]),
    ("indexer", "derivations.tsv", ["family"]),
    ("search", "thesaurus_fr.tsv", ["group"]),
    ("search", "glossary_en_fr.tsv", ["english", "french"]),
])
def test_every_data_file_has_a_header_and_full_rows(package, name, columns):
    rows = read_tsv(package, name)
    assert rows and all(list(row) == columns for row in rows)


def test_tsv_rule_first_line_after_comments_is_the_header():
    text = "# about the file\n\n# another comment\nword\tterm\n# a comment among rows\ntraite\ttraite\n\n"
    assert parse_tsv(text, "x.tsv") == [{"word": "traite", "term": "traite"}]
    assert parse_tsv('a\tb\n"x\ty"\n', "x.tsv") == [{"a": '"x', "b": 'y"'}]  # quotes are text
    assert parse_tsv("a\tb\nx\t\n", "x.tsv") == [{"a": "x", "b": ""}]  # an empty last field


@pytest.mark.parametrize("text, message", [
    ("# comment\nword\tterm\ntraite\ttraite\ntraitement\n", r"x\.tsv, line 4: 1 field\(s\) where the header has 2"),
    ("word\tterm\ntraite\ttraite\textra\n", r"x\.tsv, line 2: 3 field\(s\)"),
    ("# only a comment\n\n", r"x\.tsv: no header line"),
    ("word\tword\n", r"x\.tsv, line 1: the header needs distinct"),
])
def test_a_malformed_data_file_names_the_file_and_line(text, message):
    with pytest.raises(DataFileError, match=message):
        parse_tsv(text, "x.tsv")
