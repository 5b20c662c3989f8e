"""The French analyzer: one pipeline for the index and the queries."""

import re

import pytest

from whoosh.analysis import CompositeAnalyzer, RegexTokenizer

from indexer import vocabulary
from indexer.analysis import (
    FAST_FRENCH_ANALYZER, FRENCH_ANALYZER, NORMALISING_FILTERS, STOP_WORDS, WORD_PATTERN, analyze, fold, stem,
    word_key,
)
from search.query import parse_query
from tests.conftest import CORPUS, FIXTURES


@pytest.mark.parametrize("text, terms", [
    ("criminalité", ["criminalit"]),
    ("criminalite", ["criminalit"]),          # typed without accents
    ("CRIMINALITÉS", ["criminalit"]),         # plural, capitals
    ("États", ["etat"]),
    ("Etats", ["etat"]),
    ("l'Assemblée", ["assembl"]),            # elision with '
    ("l’Assemblée", ["assembl"]),            # elision with ’
    ("d’armes à feu", ["arme", "feu"]),
    ("qu’il", []),                            # elided conjunction + stop word
    ("jusqu'à lorsqu'elle puisqu'on quoiqu'il", []),
    ("aujourd’hui", ["aujourd'hui"]),        # not an elision
    ("mise en œuvre", ["mis", "oeuvr"]),      # ligature folded
    ("mise en oeuvre", ["mis", "oeuvr"]),
    ("traite des personnes", ["traite", "person"]),
    ("traitement des personnes", ["traitement", "person"]),  # not trafficking (stem override)
    ("avocats commis d’office", ["avocat", "commis", "offic"]),
    ("les organisations", ["organisation"]),
    ("criminalité organisée", ["criminalit", "organis"]),
    ("public-privé", ["public", "priv"]),
    ("résolution 56/119", ["resolu", "56", "119"]),
    ("point 6", ["point", "6"]),
    ("la, le, les, des, du, de, à, où, et, ou", []),
])
def test_terms(text, terms):
    assert analyze(text) == terms


@pytest.mark.parametrize("masculine, feminine", [
    ("organisé", "organisée"), ("organisés", "organisées"), ("protégé", "protégée"), ("adopté", "adoptées"),
    ("marginalisés", "marginalisées"), ("fondé", "fondées"), ("engagé", "engagée"),
])
def test_masculine_and_feminine_participles_meet(masculine, feminine):
    assert analyze(masculine) == analyze(feminine)


def test_feminine_participle_of_traiter_is_not_trafficking():
    assert analyze("traitée") == analyze("traiter") != analyze("traite")


def test_decomposed_accents_are_one_word():
    import unicodedata
    assert analyze(unicodedata.normalize("NFD", "États criminalité")) == ["etat", "criminalit"]


def test_auxiliaries_do_not_meet_nouns():
    assert analyze("avoir des avoirs") == ["avoir"]
    assert analyze("être des êtres humains") == ["etre", "humain"]


def test_positions_skip_stop_words_so_phrases_match():
    # "armes à feu" in a query and "armes à feu" in the text give adjacent terms.
    assert analyze("trafic d'armes à feu") == ["trafic", "arme", "feu"]


def test_stop_words_are_folded_and_complete():
    assert {"les", "a", "ou", "ete", "etaient", "comment", "notamment"} <= STOP_WORDS
    assert all(word == fold(word) for word in STOP_WORDS)


def _vocabulary():
    words = set()
    for path in [*CORPUS.glob("*.txt"), FIXTURES / "second_report.txt"]:
        words |= set(re.findall(r"\w+(?:['’]\w+)*", path.read_text("utf-8")))
    return sorted(words)


def test_the_word_cached_analyzer_gives_exactly_the_pipelines_tokens():
    texts = [path.read_text("utf-8") for path in [*CORPUS.glob("*.txt"), FIXTURES / "second_report.txt"]]
    texts += _vocabulary() + [w.upper() for w in _vocabulary()] + ["l’", "qu'", "L'É", "aujourd’hui", "œuvre"]

    def tokens(analyzer, text):
        return [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)]
    assert [tokens(FAST_FRENCH_ANALYZER, t) for t in texts] == [tokens(FRENCH_ANALYZER, t) for t in texts]


def test_every_word_and_its_unaccented_form_give_the_same_terms():
    vocabulary = _vocabulary()
    assert len(vocabulary) > 2000
    different = [w for w in vocabulary if analyze(w) != analyze(fold(w)) or analyze(w) != analyze(w.upper())]
    assert different == []


def test_the_c_stemmer_gives_snowballstemmers_stems():
    from snowballstemmer.french_stemmer import FrenchStemmer

    from indexer.analysis import _stemmer
    pure_python = FrenchStemmer()
    words = {fold(w.lower()) for w in _vocabulary()}
    assert [w for w in words if _stemmer.stemWord(w) != pure_python.stemWord(w)] == []


#: The pipeline cut after its normalising filters: what a lookup key must equal.
_NORMALISING = CompositeAnalyzer(RegexTokenizer(WORD_PATTERN), *NORMALISING_FILTERS)

#: (word, its lookup key, the prefix a query "word*" searches, None if too short).
_KEYS = [
    ("L’État", "etat", "etat"),
    ("qu'il", "il", "il"),                   # a stop word: prefixed all the same
    ("Œuvre", "oeuvre", "oeuvr"),
    ("jusqu'à", "a", None),                  # "a*" would match half the vocabulary
    ("CRIMINALITÉ", "criminalite", "criminalit"),
    ("e\u0301tat", "etat", "etat"),          # decomposed (NFD) accent
]


@pytest.mark.parametrize("word, key, prefix", _KEYS)
def test_the_lookup_key_is_the_pipelines_word_before_stop_words_and_stemming(word, key, prefix):
    assert [t.text for t in _NORMALISING(word)] == [word_key(word)] == [vocabulary.key(word)] == [key]
    [token] = [(t.text, t.stopped) for t in FRENCH_ANALYZER(word, removestops=False)]
    assert token == ((key, True) if key in STOP_WORDS else (stem(key), False))


@pytest.mark.parametrize("word, key, prefix", _KEYS)
def test_a_prefix_query_starts_from_the_pipelines_term(word, key, prefix):
    query = parse_query(word + "*")
    assert query.prefixes == ({prefix} if prefix else set())
    assert query.ignored == ([] if prefix else [word + "*"])
    if key not in STOP_WORDS:
        assert analyze(word) == [prefix]


def test_every_words_lookup_key_is_the_normalising_pipelines_output():
    words = _vocabulary() + [w.upper() for w in _vocabulary()] + ["L'É", "aujourd’hui", "œuvre", "e\u0301tat"]
    assert all(re.fullmatch(WORD_PATTERN, w) for w in words)
    assert [word_key(w) for w in words] == [" ".join(t.text for t in _NORMALISING(w)) for w in words]
