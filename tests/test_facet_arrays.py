"""The NumPy facet counts (search.facet_arrays) are the integer bitsets' counts (search.facets).

Both tables are read from the same index file (and, for an index without it, from the same
Whoosh postings), then asked the same questions on random sets of units: which units carry
some values, each facet's counts with values selected, the disjunctive counts of a search.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.bitsets import to_bits
from indexer.build import build_index
from indexer.facets import FACETS
from indexer.store import Generation
from search import facet_arrays
from search.facet_arrays import ArrayFacetTable
from search.facets import FacetTable
from tests.conftest import stress, two_report_corpus


@pytest.fixture(scope="module")
def generation(tmp_path_factory):
    corpus = two_report_corpus(tmp_path_factory.mktemp("corpus"))
    folder = tmp_path_factory.mktemp("index")
    build_index(corpus, folder)
    return Generation.current(folder)


@pytest.fixture(params=[(facet_arrays.MATRIX_MOST, True), (0, True), (facet_arrays.MATRIX_MOST, False)],
                ids=["few-values-as-rows", "one-value-facets-as-ids", "numpy-without-bitwise-count"])
def tables(generation, request, monkeypatch):
    """Both ways of counting a facet with one value per unit (rows of bits, or value ids), and
    the bits of a row counted without ``np.bitwise_count`` (NumPy before 2.0)."""
    matrix_most, bitwise_count = request.param
    monkeypatch.setattr(facet_arrays, "MATRIX_MOST", matrix_most)
    monkeypatch.setattr(facet_arrays, "BITWISE_COUNT", bitwise_count and facet_arrays.BITWISE_COUNT)
    with generation.open_whoosh().reader() as reader:
        return FacetTable.of_index(generation, reader), ArrayFacetTable.of_index(generation, reader), reader.doc_count_all()


def rows(counts):
    return [(c.value, c.count, c.selected, c.observer) for c in counts]


def test_both_tables_know_the_same_values_and_observers(tables):
    bits, arrays, _ = tables
    assert {f: bits.values(f) for f in FACETS} == {f: arrays.values(f) for f in FACETS}
    assert bits.observers == arrays.observers
    assert len(bits.values("doc")) == 2 and "Brésil" in bits.values("state")


def test_every_value_counts_the_same_over_all_units(tables):
    bits, arrays, size = tables
    for facet in FACETS:
        assert rows(bits.counts(facet, (1 << size) - 1, [])) == rows(arrays.counts(facet, np.ones(size, bool), []))


@st.composite
def searches(draw, tables):
    bits, _, size = tables
    units = draw(st.lists(st.integers(0, size - 1), max_size=size, unique=True))
    selected = {}
    for facet in draw(st.lists(st.sampled_from(FACETS), max_size=3, unique=True)):
        known = st.sampled_from(bits.values(facet)) if bits.values(facet) else st.just("Atlantide")
        selected[facet] = draw(st.lists(st.one_of(known, st.just("Atlantide")), min_size=1, max_size=3, unique=True))
    return units, selected


def test_random_sets_and_filters_give_the_same_counts(tables):
    bits, arrays, size = tables

    @settings(max_examples=stress(ci=300, quick=60))
    @given(search=searches(tables))
    def check(search):
        units, selected = search
        mask = np.zeros(size, bool)
        mask[units] = True
        allowed_bits = {f: bits.units_with(f, v) for f, v in selected.items()}
        allowed_masks = {f: arrays.units_with(f, v) for f, v in selected.items()}
        for facet in selected:
            assert np.flatnonzero(allowed_masks[facet]).tolist() == [
                d for d in range(size) if allowed_bits[facet] >> d & 1]
        expected = bits.disjunctive_counts(to_bits(units), allowed_bits, selected)
        got = arrays.disjunctive_counts(mask, allowed_masks, selected)
        assert {f: rows(c) for f, c in got.items()} == {f: rows(c) for f, c in expected.items()}

    check()


def test_an_index_without_the_file_counts_the_same(tables, tmp_path):
    bits, _, size = tables
    corpus = two_report_corpus(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index")
    generation = Generation.current(tmp_path / "index")
    generation.facet_units_path.unlink()
    with generation.open_whoosh().reader() as reader:
        arrays = ArrayFacetTable.of_index(generation, reader)
    for facet in FACETS:
        assert rows(arrays.counts(facet, np.ones(size, bool), [])) == rows(bits.counts(facet, (1 << size) - 1, []))
