"""The search API on the San José report: ranking, filters, facet counts, browsing, hostile input."""

import re

import pytest

from search import FACETS, InvalidRequestError, Searcher, UnknownFacetValueError, UnknownUnitError
from tests.conftest import CORPUS, ids
from tests.test_cli import FACET_NAMES, FACET_ROW_KEYS, HIT_KEYS, SEARCH_KEYS

MAIN_THEME_AND_POINT_6 = (
    [str(n) for n in range(7, 25)] + [f"24{c}" for c in "abcdefghijkl"]
    + [str(n) for n in range(67, 77)] + [f"76{c}" for c in "abcdefgh"]
)


@pytest.mark.parametrize("query, top", [
    ("traite des personnes", ["37h", "24h", "66k"]),
    ('"armes à feu"', ["34", "24e", "62"]),
    ("justice réparatrice", ["49r", "44", "15"]),
    ("blanchiment d'argent", ["66d", "66e"]),
    ("recouvrement d’avoirs", ["24d", "76a", "17"]),
    ("assistance juridique gratuite", ["49q"]),
    ("violence fondée sur le genre", ["37m", "49g", "12"]),
    ("personnes privées de liberté", ["21", "49m"]),
    ("INTERPOL", ["60"]),
    ("cybercriminalite", ["66g", "20"]),
])
def test_real_queries_rank_the_right_units_first(searcher, query, top):
    assert ids(searcher.search(query))[:len(top)] == top


def test_units_with_all_words_rank_before_units_with_some(searcher):
    results = searcher.search("traite des personnes", limit=100)
    both = [h.id for h in results.hits if re.search(r"\btraite\b", h.text) and "personnes" in h.text]
    assert ids(results)[:len(both)] == both
    assert results.total > len(both)  # units with only "personnes" follow


def test_trafficking_is_not_treatment(searcher):
    assert "66l" not in ids(searcher.search('"traite des personnes"', limit=100))  # "traitement des personnes"


@pytest.mark.parametrize("with_accents, without", [
    ("criminalité", "criminalite"),
    ("États", "etats"),
    ("réinsertion", "REINSERTION"),
    ("l'extradition", "extradition"),
])
def test_accents_and_case_do_not_change_results(searcher, with_accents, without):
    a, b = searcher.search(with_accents, limit=200), searcher.search(without, limit=200)
    assert a.total == b.total > 0
    assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits]


def test_hits_carry_metadata_and_a_highlighted_snippet(searcher):
    hit = searcher.search("criminalite", filters={"agenda": ["5"]}).hits[0]
    assert hit.doc == "san-jose-2025"
    assert hit.agenda.startswith("Point 5 – ")
    assert "<mark>criminalité</mark>" in hit.snippet()  # the accented word, whole
    assert "Brésil" in hit.states and "France" in hit.states
    assert hit.score > 0


def test_snippet_marks_the_noun_not_the_elided_article(searcher):
    hit = searcher.search("environnement", filters={"state": "France"}).hits[0]
    assert "l'<mark>environnement</mark>" in hit.snippet()


def test_browse_with_a_filter_lists_units_in_document_order(searcher):
    results = searcher.search("", filters={"state": ["Honduras"]}, limit=200)
    assert results.total == 48
    assert ids(results) == MAIN_THEME_AND_POINT_6
    assert all(h.score is None for h in results.hits)


def test_browse_everything(searcher):
    results = searcher.search("", limit=5)
    assert results.total == 161
    assert ids(results) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("typed", ["Honduras", "honduras", "HND", "hnd"])
def test_state_input_is_case_accent_and_code_insensitive(searcher, typed):
    assert searcher.search("", filters={"state": typed}, limit=200).total == 48


@pytest.mark.parametrize("typed, canonical", [("bresil", "Brésil"), ("BRA", "Brésil"), ("pays-bas", "Pays-Bas (Royaume des)")])
def test_filters_report_the_canonical_value(searcher, typed, canonical):
    assert searcher.search("", filters={"state": [typed]}).filters == {"state": [canonical]}


def test_several_values_of_one_facet_are_alternatives(searcher):
    france = searcher.search("", filters={"state": ["France"]}, limit=200).total
    viet_nam = searcher.search("", filters={"state": ["Viet Nam"]}, limit=200).total
    both = searcher.search("", filters={"state": ["France", "Viet Nam"]}, limit=200).total
    assert (france, viet_nam, both) == (29, 30, 59)  # point 5: 50–66, 66a–l


def test_different_facets_combine(searcher):
    results = searcher.search("", filters={"state": ["Brésil"], "agenda": ["5"], "theme": ["cybercriminalité"]})
    assert ids(results) == ["57", "63", "66g", "66h"]


def test_facet_counts_are_disjunctive(searcher):
    results = searcher.search("", filters={"state": ["France"]})
    states = {row.value: row for row in results.facets["state"]}
    # The state facet ignores its own filter: other states stay visible with their counts.
    assert states["France"].selected and states["France"].count == 29
    assert states["Honduras"].count == 48 and not states["Honduras"].selected
    # Other facets are counted within the selection.
    assert [(row.value[:7], row.count) for row in results.facets["agenda"]] == [("Point 5", 29)]


def test_facet_counts_follow_the_query(searcher):
    results = searcher.search("armes à feu")
    agenda = {row.value.split(" – ")[0]: row.count for row in results.facets["agenda"]}
    assert agenda == {"Point 3": 2, "Point 5": 2, "Thème principal": 2}
    themes = {row.value: row.count for row in results.facets["theme"]}
    assert themes["armes à feu"] == 6
    assert list(results.facets) == list(FACETS)


def test_observers_are_flagged(searcher):
    rows = {row.value: row for row in searcher.facet_values("state")}
    assert rows["Viet Nam"].observer and rows["Émirats arabes unis"].observer
    assert not rows["Brésil"].observer
    assert rows["Viet Nam"].to_dict() == {"value": "Viet Nam", "count": 30, "selected": False, "observer": True}


def test_agenda_shortcuts(searcher):
    for typed in ("5", "point 5", "Point 5"):
        assert searcher.search("", filters={"agenda": typed}).filters["agenda"][0].startswith("Point 5 – ")
    assert searcher.search("", filters={"agenda": "theme"}).filters == {"agenda": ["Thème principal"]}
    assert searcher.search("", filters={"agenda": "introduction"}, limit=50).total == 6


def test_unknown_facet_value_suggests(searcher):
    with pytest.raises(UnknownFacetValueError, match="did you mean Brésil"):
        searcher.search("", filters={"state": ["Bresill"]})
    with pytest.raises(UnknownFacetValueError, match="did you mean cybercriminalité"):
        searcher.search("", filters={"theme": ["cybercriminalte"]})


def test_a_real_state_that_did_not_speak_gives_zero_results(searcher):
    results = searcher.search("", filters={"state": ["Japon"]})
    assert results.total == 0
    assert [r.to_dict() for r in results.facets["state"] if r.selected] == [
        {"value": "Japon", "count": 0, "selected": True}]


def test_query_syntax(searcher):
    assert ids(searcher.search('"armes à feu" -violence')) == ["62", "37n", "53"]
    assert searcher.search("armes OR drogues", limit=50).total == 7
    assert set(ids(searcher.search("féminicide OR féminicides"))) == {"23", "65"}
    assert ids(searcher.search("extradition state:France")) == ["54"]
    assert searcher.search("extradition -state:France").total == 3
    assert searcher.search("cyber*").total == 7
    assert "<mark>cybercriminalité</mark>" in searcher.search("cyber*").hits[0].snippet()


@pytest.mark.parametrize("query, total", [
    ("NOT (state:France)", 161 - 29),
    ("-(state:France)", 161 - 29),
    ("-state:France", 161 - 29),
    ("corruption OR state:France", 35),            # either: 29 units of point 5 and 6 others
    ('(state:France OR state:"Viet Nam") extradition', 29 + 30 + 1),  # + §76 a), on extradition
])
def test_facet_terms_inside_groups_keep_their_logic(searcher, query, total):
    assert searcher.search(query).total == total


def test_a_filter_in_the_query_is_selected_like_an_option(searcher):
    results = searcher.search("extradition state:fra")
    assert results.filters == {"state": ["France"]}
    assert ids(results) == ["54"]


@pytest.mark.parametrize("typed, suggestions", [
    ("Royaume", ["Pays-Bas (Royaume des)", "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord"]),
    ("unis", ["Émirats arabes unis", "États-Unis d'Amérique"]),
])
def test_an_ambiguous_part_of_a_name_is_not_guessed(searcher, typed, suggestions):
    with pytest.raises(UnknownFacetValueError) as error:
        searcher.search("", filters={"state": typed})
    assert error.value.suggestions == suggestions


def test_none_browses_and_other_types_are_refused(searcher):
    assert searcher.search(None).total == 161
    with pytest.raises(InvalidRequestError, match="must be text"):
        searcher.search(42)


@pytest.mark.parametrize("query", ["l'*", "a*", "d’*", "*"])
def test_too_short_prefixes_are_ignored(searcher, query):
    results = searcher.search(query)
    assert results.total == 161 and results.hits[0].score is None


def test_decomposed_accents_in_a_query(searcher):
    import unicodedata
    assert searcher.search(unicodedata.normalize("NFD", "États")).total == searcher.search("États").total == 22


def test_exclusion_only_browses_the_rest(searcher):
    assert searcher.search("-criminalité", limit=200).total == 161 - searcher.search("criminalité").total


def test_pagination(searcher):
    first, second = searcher.search("justice", limit=5), searcher.search("justice", limit=5, offset=5)
    assert first.total == second.total > 10
    assert not set(ids(first)) & set(ids(second))
    assert ids(searcher.search("justice", limit=10)) == ids(first) + ids(second)


@pytest.mark.parametrize("query", [
    '"', '"traite des', "((", ")", "(armes", "armes)", "OR", "AND", "NOT", "- -", "*", "?", ":", "state:",
    "theme:", "-state:", "OR OR armes", "armes OR", "NOT NOT armes", "\x00", "\u202e\u05e9\u05dc\u05d5\u05dd",
    "🚀 crime", "a" * 10_000, "la des les", "E/CN.15/2007/6", "A/CONF.241/RPM.2/L.1", "\ud800", "c'", "’",
    "field:value", "*:*", "[a TO b]", "armes^5", "~2", "\\", "%s %d {}",
])
def test_hostile_queries_never_raise(searcher, query):
    results = searcher.search(query)
    assert len(results.hits) == min(10, results.total)
    assert sum(row.count for row in results.facets["doc"]) == results.total  # counts agree with the hits
    assert results.to_dict()["query"] == query.replace("\ud800", "\ufffd")  # printable


def test_very_long_queries_are_cut_with_a_notice(searcher):
    results = searcher.search(" ".join(f"mot{i}" for i in range(200)) + " extradition")
    assert results.notices[0] == "query too long: only its first 64 words are searched"
    assert searcher.search("(" * 500 + "extradition" + ")" * 500).total == 4


def test_unbalanced_quotes_and_brackets_are_searched_as_words(searcher):
    assert ids(searcher.search('"armes à feu')) == ids(searcher.search("armes à feu"))
    assert ids(searcher.search("(armes feu")) == ids(searcher.search("armes feu"))


def test_stop_words_only_browses_with_a_notice(searcher):
    results = searcher.search("les des")
    assert results.total == 161
    assert results.notices and "'les', 'des'" in results.notices[0]


@pytest.mark.parametrize("kwargs", [{"limit": -1}, {"limit": 10**6}, {"offset": -3}, {"limit": "10"},
                                    {"filters": {"country": ["Brésil"]}}, {"filters": ["Brésil"]}])
def test_bad_arguments_raise_the_projects_error(searcher, kwargs):
    with pytest.raises(InvalidRequestError):
        searcher.search("crime", **kwargs)


@pytest.mark.parametrize("typed", ["37f", "37 f)", "§37 f)", "37F", "san-jose-2025:37f"])
def test_get_one_unit(searcher, typed):
    hit = searcher.get(typed)
    assert (hit.id, hit.citation, hit.kind) == ("37f", "§37 f)", "recommendation")
    assert hit.text.startswith("Combattre et prévenir les actes d'abus sexuels")


@pytest.mark.parametrize("typed", ["999", "37z", "hello", "", "other-doc:37f"])
def test_get_unknown_unit(searcher, typed):
    with pytest.raises(UnknownUnitError):
        searcher.get(typed)


def test_to_dict_shape(searcher):
    data = searcher.search("armes à feu", filters={"state": ["Brésil"]}, limit=2).to_dict()
    assert list(data) == SEARCH_KEYS
    assert [list(hit) for hit in data["hits"]] == [HIT_KEYS] * 2
    assert list(data["facets"]) == FACET_NAMES
    assert list(data["facets"]["state"][0]) == FACET_ROW_KEYS


def test_one_searcher_serves_many_queries_without_reopening(index_dir):
    with Searcher(index_dir, CORPUS) as searcher:
        opened = searcher._snapshot
        answers = {searcher.search(query).generation for query in ("crime", "justice", "armes")}
        assert searcher._snapshot is opened and answers == {opened.generation.name}


@pytest.mark.parametrize("symbol, first", [("A/CONF.241/RPM.2/1", "92"), ("A/CONF.241/RPM.2/L.1", "95"),
                                           ("a/conf.241/rpm.2/1", "92")])
def test_a_document_symbol_is_matched_and_marked_whole(searcher, symbol, first):
    results = searcher.search(symbol)
    assert results.hits[0].id == first  # the unit citing that very symbol, not the one citing …/L.1
    marked = [part for part, is_match in results.hits[0].snippet_parts if is_match]
    assert marked[0].lower() == symbol.lower()
    assert not {"CONF", "241", "RPM"} & set(marked)  # not A/**CONF**.**241**/…
