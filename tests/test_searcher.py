"""The Searcher's promises beyond ranking: what a closed one says, that only the project's errors
leave it, which generation answered, and that every engine is reached through the same seam."""

from __future__ import annotations

import sys
import types

import pytest

from indexer.build import build_index
from indexer.errors import CongresError, IndexUnavailableError, InvalidRequestError
from indexer.store import Generation
from search import Searcher, engines
from search.engines.whoosh import WhooshEngine
from tests.conftest import CORPUS


def test_a_closed_searcher_says_so_for_every_call(index_dir):
    searcher = Searcher(index_dir, CORPUS)
    searcher.close()
    for call in (lambda: searcher.search("traite"), lambda: searcher.get("28"),
                 lambda: searcher.facet_values("state"), lambda: searcher.documents):
        with pytest.raises(InvalidRequestError, match="^this Searcher is closed — open a new one$"):
            call()
    searcher.close()  # closing twice is harmless


@pytest.mark.parametrize("path", [123, ["index"]])
def test_a_path_that_is_not_a_path_is_refused(path):
    with pytest.raises(InvalidRequestError, match="^index_dir must be a path, not "):
        Searcher(path)


def test_an_unexpected_failure_of_the_engine_comes_out_as_the_projects_error(index_dir, monkeypatch):
    def broken(self, query):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(WhooshEngine, "match", broken)
    with Searcher(index_dir, CORPUS, engine="whoosh") as searcher:
        with pytest.raises(IndexUnavailableError, match=r"could not answer \(RuntimeError: disk on fire\)") as error:
            searcher.search("traite")
        assert isinstance(error.value, CongresError)
        assert searcher.search("").total == 161  # browsing needs no matching: still answers


def test_results_name_the_generation_that_answered(index_copy):
    with Searcher(index_copy, CORPUS, auto_build=False) as searcher:
        first = searcher.search("traite")
        assert first.generation == Generation.current(index_copy).name == first.to_dict()["generation"]
        build_index(CORPUS, index_copy)
        second = searcher.search("traite")
    assert second.generation == Generation.current(index_copy).name != first.generation
    assert [h.id for h in second.hits] == [h.id for h in first.hits]


class CountingEngine(WhooshEngine):
    """An engine of the test's own: Whoosh's answers, and a count of what the Searcher asked."""

    name = "counting"
    calls: list[str] = []

    def match(self, query):
        self.calls.append("match")
        return super().match(query)

    def rank(self, scoring, strict, found, needed):
        self.calls.append("rank")
        return super().rank(scoring, strict, found, needed)


def test_an_engine_plugs_in_through_the_seam_alone(index_dir, monkeypatch):
    module = types.ModuleType("search.engines.counting")
    module.ENGINE = CountingEngine
    monkeypatch.setitem(sys.modules, "search.engines.counting", module)
    monkeypatch.setattr(engines, "ENGINES", (*engines.ENGINES, "counting"))
    CountingEngine.calls.clear()
    with Searcher(index_dir, CORPUS, engine="counting") as searcher, \
            Searcher(index_dir, CORPUS, engine="whoosh") as reference:
        assert searcher.engine == "counting"
        results = searcher.search("traite des personnes -drogues", {"state": "Brésil"})
        expected = reference.search("traite des personnes -drogues", {"state": "Brésil"})
    assert CountingEngine.calls == ["match", "match", "rank"]  # the words, the exclusion, the ranking
    assert results.to_dict() == expected.to_dict()


@pytest.mark.parametrize("requested, units, has_arrays, chosen", [
    (None, 161, True, "whoosh"),
    (None, 5_000, True, "arrays"),
    (None, 16_100, False, "whoosh"),   # an index written without arrays
    ("arrays", 161, True, "arrays"),
    ("whoosh", 16_100, True, "whoosh"),
])
def test_the_engine_is_chosen_by_name_else_by_size(requested, units, has_arrays, chosen):
    assert engines.choose(requested, units, has_arrays) == chosen
