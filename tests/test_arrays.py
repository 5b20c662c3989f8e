"""The NumPy engine gives what Whoosh gives: same units, same order, same scores and counts.

Large indexes are searched on posting arrays (``search.engines.arrays``), small ones by Whoosh;
both engines are opened here on the same index and asked the same questions: every
query of the relevance benchmark, the query syntax, and random combinations.
"""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.build import build_index
from indexer.errors import IndexUnavailableError, InvalidRequestError
from indexer.store import Generation, current_generation
from search import Searcher
from search import engines as engines_module
from tests.conftest import CORPUS, ROOT, parallel_build, stress, two_report_corpus

RELEVANCE = json.loads((ROOT / "bench" / "relevance" / "queries.json").read_text("utf-8"))["queries"]
SYNTAX = ['"armes à feu"', '"traite des personnes" Brésil', "cyber*", "crim* organisée", "traite -drogues",
          "(traite OR drogues) -armes", "corruption OR blanchiment", "state:Brésil migrants", "-corruption",
          "justice (réparatrice OR restaurative)", "que recommande-t-on sur la corruption ?", "theme:corruption",
          "trafficking in persons", "criminalite organisee", "victimes victimes victimes", '"victimes de la traite"',
          "enfants -(traite OR exploitation)", "agenda:5 cybercriminalité", "l'État", "emprisonnement prison",
          "(traite -drogues) armes", "(traite OR -drogues)", "personnes personnes corruption"]
FILTERS = [{}, {"state": ["Brésil"]}, {"state": ["Mexique", "Pérou"], "agenda": ["4"]}]


@pytest.fixture(scope="module")
def engines(index_dir):
    with Searcher(index_dir, CORPUS, engine="whoosh") as whoosh, Searcher(index_dir, CORPUS, engine="arrays") as arrays:
        yield whoosh, arrays


def assert_same(engines, query, filters=None, limit=40, offset=0):
    whoosh, arrays = (engine.search(query, filters=filters, limit=limit, offset=offset) for engine in engines)
    assert arrays.total == whoosh.total, query
    assert [h.id for h in arrays.hits] == [h.id for h in whoosh.hits], query
    assert [h.score for h in arrays.hits] == pytest.approx([h.score for h in whoosh.hits], abs=1e-4), query
    assert ({f: [(c.value, c.count) for c in counts] for f, counts in arrays.facets.items()}
            == {f: [(c.value, c.count) for c in counts] for f, counts in whoosh.facets.items()}), query
    return whoosh


@pytest.mark.parametrize("query", [q["query"] for q in RELEVANCE], ids=[q["id"] for q in RELEVANCE])
def test_relevance_queries_rank_the_same(engines, query):
    assert_same(engines, query, limit=100)


@pytest.mark.parametrize("query", SYNTAX)
@pytest.mark.parametrize("filters", FILTERS, ids=["none", "state", "states-agenda"])
def test_query_syntax_and_filters_give_the_same_results(engines, query, filters):
    assert_same(engines, query, filters)


def test_a_later_page_is_the_same(engines):
    first = assert_same(engines, "criminalité", limit=10, offset=0)
    later = assert_same(engines, "criminalité", limit=10, offset=20)
    assert first.total == later.total == 50 and len(later.hits) == 10


def test_ties_break_by_document_order(engines):
    """Units of equal score come in document order in both engines (here: a constant-score field query)."""
    results = assert_same(engines, "state:Honduras", limit=60)
    assert [h.id for h in results.hits][:3] == ["7", "8", "9"]


WORDS = ["traite", "personnes", "armes", "feu", "criminalité", "victimes", "corruption", "justice", "enfants",
         "migrants", "cyber*", "prison", "Brésil", "drogues", "femmes", "État", "coopération", "internationale"]
piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS).map(lambda w: "-" + w),
                  st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
                  st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(lambda ws: "(" + " OR ".join(ws) + ")"))


@settings(max_examples=stress(ci=200, quick=30))
@given(pieces=st.lists(piece, min_size=1, max_size=5), filters=st.sampled_from(FILTERS))
def test_random_queries_give_the_same_results(engines, pieces, filters):
    assert_same(engines, " ".join(pieces), filters, limit=15)


def test_the_engine_is_chosen_by_size_unless_named(index_dir, monkeypatch):
    with Searcher(index_dir, CORPUS) as searcher:  # 161 units: Whoosh, no NumPy import for a one-off search
        assert searcher.engine == "whoosh"
    monkeypatch.setattr(engines_module, "ARRAYS_FROM", 100)
    with Searcher(index_dir, CORPUS) as searcher:
        assert searcher.engine == "arrays"
        assert searcher.search("traite des personnes").hits[0].id == "37h"
    with pytest.raises(InvalidRequestError, match="unknown engine 'fast' — engines are whoosh, arrays"):
        Searcher(index_dir, CORPUS, engine="fast")


def test_an_index_without_arrays_is_searched_by_whoosh_unless_arrays_are_asked_for(index_copy, monkeypatch):
    shutil.rmtree(Generation.current(index_copy).postings_dir)
    monkeypatch.setattr(engines_module, "ARRAYS_FROM", 100)
    with Searcher(index_copy, CORPUS, auto_build=False) as searcher:
        assert searcher.engine == "whoosh" and searcher.search("criminalité").total == 50
    with pytest.raises(IndexUnavailableError, match="is damaged"):
        Searcher(index_copy, CORPUS, auto_build=False, engine="arrays")


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """Two reports and two more copies, in segments of at most 40 units, as a large corpus is written
    (a segment holds whole reports: one each here)."""
    corpus = two_report_corpus(tmp_path_factory.mktemp("corpus"))
    shutil.copy(corpus / "san-jose-2025.txt", corpus / "san-jose-copie.txt")
    shutil.copy(corpus / "beyrouth-2025.txt", corpus / "beyrouth-copie.txt")
    folder = tmp_path_factory.mktemp("segmented")
    with parallel_build(segment_units=40):
        build_index(corpus, folder)
    assert len(Generation.current(folder).segment_files()) == 4
    with Searcher(folder, corpus, engine="whoosh") as whoosh, Searcher(folder, corpus, engine="arrays") as arrays:
        yield whoosh, arrays


@pytest.mark.parametrize("query", SYNTAX + ["captagon", "drogues synthétiques", "beyrouth"])
def test_several_segments_give_the_same_results(segmented, query):
    assert_same(segmented, query, limit=60)


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_arrays_are_reported_in_one_line(index_copy, damage):
    keys = Generation.current(index_copy).postings_dir / "keys.npy"
    if damage == "truncate":
        keys.write_bytes(keys.read_bytes()[:100])
    else:
        keys.unlink()
    with pytest.raises(IndexUnavailableError, match=r"is damaged \(\w+\) — rebuild it with `congres index`"):
        Searcher(index_copy, CORPUS, auto_build=False, engine="arrays")


def test_an_open_searcher_follows_rebuilds_that_delete_its_mapped_arrays(index_copy):
    with Searcher(index_copy, CORPUS, auto_build=False, engine="arrays") as searcher:
        before = searcher.search("traite des personnes", {"state": "Brésil"})
        first = current_generation(index_copy)
        for _ in range(2):  # the second build prunes the generation whose arrays are mapped
            build_index(CORPUS, index_copy)
        assert not first.exists()
        after = searcher.search("traite des personnes", {"state": "Brésil"})
    assert [(h.id, h.score) for h in after.hits] == [(h.id, h.score) for h in before.hits]
    assert after.total == before.total == 32
