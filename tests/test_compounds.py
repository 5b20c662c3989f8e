"""Compounds written joined, hyphenated or apart find the same units (search.compounds)."""

import pytest

from search.compounds import PREFIXES


def ids(searcher, query):
    return {hit.id for hit in searcher.search(query, limit=200).hits}


@pytest.mark.parametrize("forms", [
    ("cybercriminalité", "cyber-criminalité", "cyber criminalité", "Cyber-Criminalite"),
    ("multisectorielles", "multi-sectorielles", "multi sectorielles"),
    ("interinstitutions", "inter-institutions", "inter institutions"),
])
def test_joined_hyphenated_and_split_forms_find_the_same_units(searcher, forms):
    found = [ids(searcher, form) for form in forms]
    assert found[0] and all(f == found[0] for f in found), dict(zip(forms, found))


@pytest.mark.parametrize("typed", ["anti-corruption", "anticorruption"])
def test_a_compound_no_unit_writes_finds_what_it_is_about(searcher, typed):
    results = searcher.search(typed, limit=200)
    assert {hit.id for hit in results.hits} == ids(searcher, "corruption")
    assert not results.notices  # no "did you mean « tant »?"


def test_a_hyphenated_name_stays_a_phrase(searcher):
    hits = searcher.search("Trinité-et-Tobago", limit=50).hits
    assert hits and all("Trinité-et-Tobago" in hit.text for hit in hits)


def test_the_prefixes_are_data():
    assert {"anti", "cyber", "inter", "multi"} <= set(PREFIXES)
    assert "non" not in PREFIXES  # "non-violence" is not about violence
