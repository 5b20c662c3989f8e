"""Typo correction's cost: words past the query's limit are never corrected, and a correction is
made once per index generation (counted in calls, not timed)."""

from __future__ import annotations

import pytest

from search.query import MAX_TERMS
from search.spelling import Speller


@pytest.fixture
def lookups(monkeypatch):
    """How many times the vocabulary is searched for close words."""
    calls = []
    close = Speller._close

    def counted(self, typed, cutoff):
        calls.append(typed)
        return close(self, typed, cutoff)

    monkeypatch.setattr(Speller, "_close", counted)
    return calls


def test_a_huge_query_corrects_only_the_words_it_searches(searcher, lookups):
    typos = [f"extraditon{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(10_000)]
    results = searcher.search(" ".join(typos))
    assert "query too long: only its first 64 words are searched" in results.notices
    # At most one correction and one "did you mean" for each searched word, not 10,000 of each.
    assert 0 < len(lookups) <= 2 * MAX_TERMS


def test_a_correction_is_made_once_per_generation(searcher, lookups):
    first = searcher.search("extraditoin ressemblances")
    made = len(lookups)
    again = searcher.search("extraditoin ressemblances")
    assert made >= 1 and len(lookups) == made
    assert again.notices == first.notices and [h.id for h in again.hits] == [h.id for h in first.hits]
    assert ("extraditoin", "extradition") in first.explanation.corrections


@pytest.mark.parametrize("query", ["Housing Works", "Instituto Brasileiro", "Saint-Kitts-et-Nevis", "Tobago"])
def test_a_word_printed_anywhere_in_the_index_is_never_corrected(searcher, query):
    """Words of the lists of speakers and of the headings are not in the thematic vocabulary, but
    they are words of the index all the same."""
    results = searcher.search(query)
    assert not results.explanation.corrections and results.total > 0


def test_a_word_of_a_heading_is_never_corrected(searcher):
    assert not searcher.search("délibérations").explanation.corrections  # "Résumé des délibérations"


def test_an_elided_word_is_corrected_only_into_a_word_that_takes_the_elision():
    speller = Speller({"comme": ("comme", 9), "homicide": ("homicide", 1), "extradition": ("extradition", 3)},
                      {"comm", "homicid", "extradit"})
    assert speller.correct("l'homme") is None  # never « l'comme »
    assert speller.correct("l'extraditon") == "l'extradition"
    assert Speller({"comme": ("comme", 9)}, {"comm"}).correct("homme") is None  # "comme" is a stop word


def test_a_word_printed_only_in_names_stays_as_typed():
    speller = Speller({"amerique": ("Amérique", 4)}, {"amer"}, printed=frozenset({"amerique", "mexique"}))
    assert speller.correct("Mexique") is None
    assert speller.correct("Ameriqe") == "Amérique"
