"""Snippets of long units: a word that matched is shown, and the work grows with the text, not
with the square of its matches (ratios measured in the same test, not absolute times)."""

from __future__ import annotations

import time

import pytest

from indexer.analysis import analyze
from search.snippets import SCANNED_CHARS, make_snippet

CORRUPTION = analyze("corruption")[0]


def is_corruption(term: str) -> bool:
    return term == CORRUPTION


def quickest(text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        make_snippet(text, is_corruption)
        best = min(best, time.perf_counter() - start)
    return best


def marked(parts) -> list[str]:
    return [text for text, is_match in parts if is_match]


def test_ten_times_the_matches_costs_about_ten_times_the_work():
    few, many = quickest("corruption " * 2_000), quickest("corruption " * 20_000)
    assert many / few < 30  # linear: about 10; the old window search was quadratic: about 100


def test_a_unit_of_megabytes_costs_what_its_first_part_does():
    sentence = "La corruption reste un défi majeur pour les États de la région, selon plusieurs orateurs. "
    part = sentence * (SCANNED_CHARS // len(sentence))
    whole = sentence * 70_000  # 6 MB
    assert quickest(whole) / quickest(part) < 3
    assert marked(make_snippet(whole, is_corruption)) == ["corruption"] * 3


def test_a_match_past_the_scanned_part_is_still_shown():
    text = "Les États ont débattu longuement. " * 10_000 + "Ils ont condamné la corruption."
    assert len(text) > SCANNED_CHARS
    parts = make_snippet(text, is_corruption)
    assert marked(parts) == ["corruption"] and parts[0] == ("…", False)


@pytest.mark.parametrize("text, expected", [
    ("corruption " * 5, ["corruption"] * 5),
    ("rien " * 100 + "corruption " * 3 + "rien " * 100, ["corruption"] * 3),
])
def test_the_densest_window_is_shown(text, expected):
    assert marked(make_snippet(text, is_corruption)) == expected


def test_a_match_inside_a_long_run_without_spaces_is_in_the_snippet():
    """A list of symbols printed without spaces ("A/CONF.241/RPM.2/L.1/Add.1/…"): the window is not
    moved past the match to find a word start."""
    text = "Début. " + "A/CONF.241/RPM.2/L.1/Add.1/" * 8 + "traite/" + "Add.2/" * 20 + " et " + "fin " * 100
    parts = make_snippet(text, lambda term: term == "traite")
    assert any(marked and part == "traite" for part, marked in parts)
