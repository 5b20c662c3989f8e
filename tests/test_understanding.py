"""How queries are understood: thesaurus, English glossary, typos, questions, --explain."""

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.glossary import GLOSSARY
from search.query import parse_query
from search.thesaurus import THESAURUS
from indexer.analysis import analyze
from tests.conftest import CORPUS, ids
from tests.test_cli import SEARCH_KEYS


# --- data files -------------------------------------------------------------------

def test_glossary_covers_the_main_concepts():
    assert len(GLOSSARY.entries) >= 150
    for english, french in [("money laundering", "blanchiment d'argent"), ("restorative justice", "justice réparatrice"),
                            ("legal aid", "assistance juridique"), ("asset recovery", "recouvrement d'avoirs"),
                            ("firearms", "armes à feu"), ("cybercrime", "cybercriminalité")]:
        assert french in GLOSSARY.entries[english]


def test_every_french_expression_of_the_glossary_occurs_in_the_report(corpus_units):
    text_terms = [analyze(u.text) for u in corpus_units.values()]

    def occurs(expression):
        terms = analyze(expression)
        return any(terms == t[i:i + len(terms)] for t in text_terms for i in range(len(t)))
    missing = {f for alternatives in GLOSSARY.entries.values() for f in alternatives if not occurs(f)}
    assert missing == set()


@pytest.mark.parametrize("typed, synonym", [
    ("prisons", "établissements pénitentiaires"),
    ("IA", "intelligence artificielle"),
    ("ONUSD", "ONUDC"),
    ("blanchiment de capitaux", "blanchiment d'argent"),
    ("traite des êtres humains", "traite des personnes"),
])
def test_thesaurus_groups(typed, synonym):
    assert synonym in [e.text for e in THESAURUS.alternatives_for(analyze(typed))]


# --- behaviour ----------------------------------------------------------------------

@pytest.mark.parametrize("english, top", [
    ("money laundering", "66d"),
    ("restorative justice", "49r"),
    ("firearms trafficking", "24e"),
])
def test_english_queries_find_the_french_passages(searcher, english, top):
    results = searcher.search(english)
    assert ids(results)[0] == top
    assert results.notices[0].startswith(f"translated from English: {english.split()[0]}")


def test_french_words_are_not_translated(searcher):
    for query in ("prison", "corruption", "justice", "victimes"):
        assert not any(n.startswith("translated") for n in searcher.search(query).notices)


@pytest.mark.parametrize("typo, word, top", [
    ("extraditon", "extradition", "24a"),
    ("blanchimant", "blanchiment", "66d"),
    ("corupption", "corruption", "47"),
    ("féminicde", "féminicide", "23"),
])
def test_typos_are_corrected_and_said(searcher, typo, word, top):
    results = searcher.search(typo)
    assert f"results for « {word} » (you typed « {typo} »)" in results.notices
    assert ids(results)[0] == top


def test_a_rare_real_word_is_not_corrected_into_another(searcher):
    assert not any(n.startswith("results for") for n in searcher.search("meurtres de femmes").notices)


def test_nothing_found_suggests_words(searcher):
    results = searcher.search("juztisse")  # too far from "justice" to be corrected silently
    assert results.total == 0
    assert results.notices == ["did you mean « justice »?"]


@pytest.mark.parametrize("query, expected", [
    ("prisons", {"32", "21", "46"}),                   # emprisonnement, personnes privées de liberté…
    ("IA", {"31", "71", "73"}),                        # intelligence artificielle
    ("ONUDC", {"57", "76c"}),                          # printed ONUSC and ONUSD
])
def test_synonyms_and_acronyms_widen_the_query(searcher, query, expected):
    assert expected <= set(ids(searcher.search(query, limit=20)))


def test_synonyms_weigh_less_than_the_words_typed(searcher):
    results = searcher.search("prisons", limit=20)
    assert ids(results)[0] == "32"  # the only unit saying "prisons"


@pytest.mark.parametrize("verb, noun", [("confisquer", "confiscation"), ("réinsérer", "réinsertion")])
def test_verbs_find_nouns(searcher, verb, noun):
    # the verb alone: with a phrase ("confisquer les avoirs") the other words would find units anyway
    found = searcher.search(verb, limit=100)
    assert found.total == 4 and set(ids(found)) == set(ids(searcher.search(noun, limit=100)))
    assert analyze(verb) == analyze(noun)


def test_question_words_do_not_dilute_the_query(searcher):
    parsed = parse_query("quels États ont parlé de la cybercriminalité ?")
    assert parsed.explanation.question_words == ["parlé"]
    assert {"63", "20"} <= set(ids(searcher.search("quels États ont parlé de la cybercriminalité ?"))[:3])
    assert {"91", "94"} <= set(ids(searcher.search("qui a présidé la réunion ?"))[:3])


def test_units_with_every_concept_rank_first(searcher):
    ranked = searcher.search("personnes privées de liberté santé", limit=30)
    assert ids(ranked)[0] == "21"  # the only unit with both concepts


def test_explain_shows_how_the_query_was_understood(index_dir):
    result = CliRunner().invoke(cli, ["search", "--explain", "--index", str(index_dir), "--corpus", str(CORPUS),
                                      "extraditon", "prisons", "--state", "BRA"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "How the query was understood"
    assert "  corrected  extraditon → extradition" in lines
    assert any(line.startswith("  synonyms   prisons → emprisonnement, établissements pénitentiaires") for line in lines)
    assert "  filter     state: Brésil" in lines
    assert any(line.startswith("  all words  ") and "text:extradit" in line for line in lines)


def test_explain_in_json_adds_a_field_and_renames_none(searcher):
    plain = searcher.search("money laundering").to_dict()
    explained = searcher.search("money laundering").to_dict(explain=True)
    assert list(plain) == SEARCH_KEYS and list(explained) == [*SEARCH_KEYS, "explain"]
    assert explained["explain"]["translated"] == [{"english": "money laundering", "french": ["blanchiment d'argent"]}]


@pytest.mark.parametrize("query", ["procès équitable", "enlèvement", "quelles recommandations sur la corruption ?"])
def test_real_words_are_never_corrected_into_others(searcher, query):
    assert not any(n.startswith("results for") for n in searcher.search(query).notices)


@pytest.mark.parametrize("typo", ["l'extraditon", "d’extraditon"])
def test_typos_after_an_elision_are_corrected(searcher, typo):
    assert ids(searcher.search(typo)) == ids(searcher.search("extradition"))


@pytest.mark.parametrize("english, french", [
    ("organized crime", "criminalité organisée"),
    ("criminal justice", "justice pénale"),
    ("victims of crime", "victimes"),
    ("NGOs", "organisations non gouvernementales"),
])
def test_english_words_printed_in_organisation_names_do_not_hide_an_english_query(searcher, english, french):
    results = searcher.search(english)
    assert any(n.startswith("translated from English") and french in n for n in results.notices)


def test_english_query_keeps_numbers_and_names(searcher):
    results = searcher.search("firearms Brazil", limit=50)
    assert ids(results)[0] == "34"  # "Brazil" is kept and understood as Brésil: firearms, then Brésil
    assert set(ids(searcher.search("armes à feu", limit=50))) <= set(ids(results))
    assert results.suggested_filters == {"state": ["Brésil"]}


def test_an_english_acronym_finds_what_its_french_acronym_finds(searcher):
    assert set(ids(searcher.search("UNODC", limit=20))) == set(ids(searcher.search("ONUDC", limit=20)))
    assert set(ids(searcher.search("AI", limit=5))) <= set(ids(searcher.search("intelligence artificielle", limit=20)))


def test_donnees_is_not_etant_donne(searcher):
    assert not {"7", "35"} & set(ids(searcher.search("données", limit=100)))


def test_a_question_about_recommendations_favours_them(searcher):
    results = searcher.search("quelles recommandations sur la corruption ?")
    assert [h.kind for h in results.hits[:2]] == ["recommendation", "recommendation"]


def test_a_query_of_syntax_only_says_so(searcher):
    assert searcher.search("NOT").notices == ["nothing to search for in « NOT »; listing units in document order"]


def test_output_that_cannot_show_accents_does_not_fail(index_dir):
    import os
    import subprocess
    import sys
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "CONGRES_INDEX": str(index_dir), "CONGRES_CORPUS": str(CORPUS)}
    done = subprocess.run([sys.executable, "-m", "search", "search", "cybercriminalité", "--limit", "1"],
                          env=env, capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith(b"7 results")


@pytest.mark.parametrize("query, state", [
    ("Mexique", "Mexique"), ("Viet Nam", "Viet Nam"), ("Pays-Bas", "Pays-Bas (Royaume des)"),
    ("Netherlands", "Pays-Bas (Royaume des)"), ("what did Mexico say?", "Mexique"), ("Brazil", "Brésil"),
])
def test_a_state_named_in_a_query_is_the_state_never_a_correction(searcher, query, state):
    results = searcher.search(query, limit=50)
    assert not results.explanation.corrections  # never « Amérique » or « vie »
    assert results.suggested_filters == {"state": [state]}
    printed = state.split(" (")[0]
    assert results.hits and all(printed in hit.text for hit in results.hits)  # units that name it
    assert any(notice.startswith(f"{state} is a state: --state '{state}'") for notice in results.notices)


def test_no_state_is_suggested_once_it_is_the_filter(searcher):
    results = searcher.search("Mexique", filters={"state": ["Mexique"]})
    assert results.suggested_filters == {} and not any("is a state" in n for n in results.notices)


@pytest.mark.parametrize("word", ["est", "can", "per"])
def test_a_word_that_is_also_an_iso_code_is_a_word(searcher, word):
    assert searcher.search(f"criminalité {word}").suggested_filters == {}


def test_an_expression_of_the_thesaurus_is_never_corrected_word_by_word(searcher):
    results = searcher.search("droits de l'homme", limit=50)
    assert not results.explanation.corrections  # not « l'comme »
    saying_it = {h.id for h in searcher.search('"droits humains"', limit=50).hits}
    assert saying_it and saying_it <= set(ids(results))  # the report's wording of it


def test_english_question_words_are_not_corrected_into_french(searcher):
    results = searcher.search("which states spoke about migrants?", limit=50)
    assert not results.explanation.corrections  # not « stades », « août »
    assert set(ids(searcher.search("migrants", limit=50))) <= set(ids(results))


def test_an_english_expression_is_searched_as_its_french_would_be(searcher):
    english = searcher.search("violence against women", limit=100)
    french = searcher.search("violence contre les femmes", limit=100)
    assert english.total == french.total > 1 and ids(english)[:5] == ids(french)[:5]
