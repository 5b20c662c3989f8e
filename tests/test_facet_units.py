"""The facet table written at build time is the one Whoosh's postings give."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from indexer.errors import IndexUnavailableError
from indexer.facet_units import read_facet_units
from indexer.facets import REGISTRY
from indexer.store import Generation
from search import Searcher
from search.facets import _units_by_value
from tests.conftest import CORPUS, two_report_corpus


@pytest.fixture(scope="module")
def two_reports_index(tmp_path_factory):
    corpus = two_report_corpus(tmp_path_factory.mktemp("corpus"))
    folder = tmp_path_factory.mktemp("index")
    build_index(corpus, folder)
    return corpus, Generation.current(folder)


def test_the_file_holds_whoosh_s_units_for_every_value(two_reports_index):
    _, generation = two_reports_index
    with generation.open_whoosh().reader() as reader:
        assert read_facet_units(generation.facet_units_path) == {
            facet.name: _units_by_value(reader, facet.name) for facet in REGISTRY}
    assert len(read_facet_units(generation.facet_units_path)["doc"]) == 2


def test_an_index_without_the_file_reads_whoosh_s_postings(index_copy):
    with Searcher(index_copy, CORPUS, auto_build=False) as searcher:
        expected = searcher.search("traite", {"state": "Brésil"})
    Generation.current(index_copy).facet_units_path.unlink()
    with Searcher(index_copy, CORPUS, auto_build=False) as searcher:
        results = searcher.search("traite", {"state": "Brésil"})
    assert results.facets == expected.facets and results.total == expected.total == 8


def test_a_damaged_file_is_reported_in_one_line(index_copy):
    Generation.current(index_copy).facet_units_path.write_bytes(b"\x80\x05garbage")
    with pytest.raises(IndexUnavailableError, match=r"is damaged \(\w+\) — rebuild it with `congres index`"):
        Searcher(index_copy, CORPUS, auto_build=False)


class _Payload:
    """What an attacker would put in a pickle: unpickling it creates a file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("name", ["facet_units.bin", "facet_units.pickle"])
def test_a_pickle_planted_in_an_index_is_never_unpickled(index_copy, tmp_path, name):
    import pickle

    marker = tmp_path / "ran"
    generation = Generation.current(index_copy)
    (generation.path / name).write_bytes(pickle.dumps(_Payload(marker)))
    # In place of a file of the index, or beside them: not what the build signed, so never opened.
    with pytest.raises(IndexUnavailableError, match=r"is damaged \(ChangedFileError\) — rebuild it"):
        Searcher(index_copy, CORPUS, auto_build=False)
    assert not marker.exists()


def test_the_file_holds_no_pickle(index_dir):
    data = Generation.current(index_dir).facet_units_path.read_bytes()
    header = data[:data.index(b"\n")]
    assert header.startswith(b'{"format": 1, "units": 161, "values": {"agenda": [')
    assert not data.startswith(b"\x80")  # a pickle's first byte
