"""The Searcher's promises beyond ranking: what a closed one says, that only the project's errors
leave it, which generation answered, and that every engine is reached through the same seam."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types

import pytest

from indexer.build import build_index
from indexer.errors import CongresError, IndexUnavailableError, InvalidRequestError, UnknownUnitError
from indexer.store import Generation
from search import Searcher, engines
from search.engines.whoosh import WhooshEngine
from tests.conftest import CORPUS, FIXTURES, ROOT


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
    def broken(self, query, memo=None):
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

    def match(self, query, memo=None):
        self.calls.append("match")
        return super().match(query, memo)

    def rank(self, scoring, strict, found, needed, memo=None):
        self.calls.append("rank")
        return super().rank(scoring, strict, found, needed, memo)


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


@pytest.mark.parametrize("path, reason", [("/tmp/a\0b", "embedded null byte"), ("/tmp/" + "a" * 5000, "too long")])
def test_a_path_the_system_refuses_is_one_clear_error(path, reason):
    with pytest.raises(IndexUnavailableError, match=f"^cannot use .* or its corpus: .*{reason}"):
        Searcher(path, auto_build=False)


@pytest.mark.parametrize("call, message", [
    (lambda s: s.get(10 ** 5000), "not a number that long"),
    (lambda s: s.search("", {"state": [10 ** 5000]}), "not a number that long"),
    (lambda s: s.search("", {"state": [None]}), "expected text, not NoneType"),
    (lambda s: s.get(["28"]), "expected text, not list"),
])
def test_odd_values_are_the_callers_error_not_the_index(searcher, call, message):
    with pytest.raises(InvalidRequestError, match=message):
        call(searcher)


def test_a_page_far_beyond_the_end_is_empty(searcher):
    for query in ("", "traite"):
        results = searcher.search(query, offset=2 ** 63, limit=10)
        assert results.hits == [] and results.total == (161 if not query else searcher.search(query).total)


def test_a_damaged_rebuild_leaves_the_open_searcher_answering_from_the_last_good_one(index_copy):
    with Searcher(index_copy, CORPUS, auto_build=False) as searcher:
        good = searcher.search("traite", {"state": "Brésil"})
        build_index(CORPUS, index_copy)
        damaged = Generation.current(index_copy)
        for segment in damaged.segment_files():
            segment.write_bytes(segment.read_bytes()[:200])
        for _ in range(3):
            again = searcher.search("traite", {"state": "Brésil"})
            assert again.generation == good.generation and again.to_dict() == good.to_dict()
        assert len(searcher.warnings) == 1 and searcher.warnings[0].endswith(f"still answering from {good.generation}")
        assert "is damaged" in searcher.warnings[0]
        build_index(CORPUS, index_copy)  # repaired: the next search reads it
        repaired = searcher.search("traite", {"state": "Brésil"})
    assert repaired.generation == Generation.current(index_copy).name not in (good.generation, damaged.name)
    assert [h.id for h in repaired.hits] == [h.id for h in good.hits]


def test_a_generation_pruned_while_it_is_opened_is_not_used(index_copy, monkeypatch):
    """Two rebuilds finish while a search opens the new generation: it opens the newest instead."""
    from search import snapshot as snapshot_module

    with Searcher(index_copy, CORPUS, auto_build=False) as searcher:
        expected = searcher.search("criminalté").to_dict()
        build_index(CORPUS, index_copy)
        opening = snapshot_module.FacetTable.of_index
        rebuilt = []

        def slow_opening(generation, reader):
            if not rebuilt:
                rebuilt.append(generation.name)
                build_index(CORPUS, index_copy)
                build_index(CORPUS, index_copy)  # prunes the generation being opened
            return opening(generation, reader)

        monkeypatch.setattr(snapshot_module.FacetTable, "of_index", staticmethod(slow_opening))
        results = searcher.search("criminalté")
    assert results.generation == Generation.current(index_copy).name != rebuilt[0]
    data = results.to_dict()
    assert data.pop("generation") != expected.pop("generation") and data == expected


def test_a_rebuild_keeps_the_generation_it_replaced_whatever_the_clock_says(index_copy):
    previous = Generation.current(index_copy)
    ahead = index_copy / "gen-99999999999999999999"  # named as if built later: a clock set back since
    shutil.copytree(previous.path, ahead)
    build_index(CORPUS, index_copy)
    assert sorted(p.name for p in index_copy.glob("gen-*")) == sorted([previous.name, Generation.current(index_copy).name])


@pytest.mark.parametrize("names", [[".bashrc"], [".bashrc", ".config/"], ["CURRENT.bak"]])
def test_a_folder_of_dotfiles_or_other_files_is_not_an_index(tmp_path, names):
    folder = tmp_path / "home"
    folder.mkdir()
    for name in names:
        (folder / name.rstrip("/")).mkdir() if name.endswith("/") else (folder / name).write_text("x")
    with pytest.raises(IndexUnavailableError, match=r"is not an index folder — pass another --index$"):
        Searcher(folder, CORPUS)
    assert sorted(p.name for p in folder.iterdir()) == sorted(n.rstrip("/") for n in names)  # untouched


def test_the_placeholder_of_a_checkouts_index_folder_is_allowed(tmp_path):
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / ".gitkeep").write_text("")
    with Searcher(folder, CORPUS) as searcher:
        assert searcher.built and searcher.search("").total == 161


@pytest.mark.parametrize("name, content, reason", [
    ("binaire.txt", b"\x00\x01PK" * 50, "binaire.txt was not indexed: binary file, not a text report"),
    ("vide.txt", b"", "vide.txt was not indexed: empty file"),
])
def test_an_automatic_rebuild_skips_a_bad_file_and_says_so(tmp_path, name, content, reason):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "ix")
    (corpus / name).write_bytes(content)  # the corpus changed: the good report is still indexed
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert searcher.built and searcher.search("traite").total == 8
        assert searcher.warnings == [reason]
    with Searcher(tmp_path / "ix", corpus) as searcher:  # up to date now: not rebuilt at every search
        assert not searcher.built


def test_a_failed_automatic_rebuild_searches_the_index_as_it_is(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "ix")
    before = Generation.current(tmp_path / "ix")
    (corpus / "san-jose-2025.txt").write_bytes(b"")  # the corpus changed, and no report of it can be read
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert not searcher.built and searcher.search("traite").total == 8
        assert len(searcher.warnings) == 1 and "san-jose-2025.txt: empty file" in searcher.warnings[0]
        assert searcher.warnings[0].endswith("— searching the index as it is")
    assert Generation.current(tmp_path / "ix") == before


def test_a_failed_rebuild_is_a_warning_for_the_cli_too(tmp_path):
    from click.testing import CliRunner

    from search.cli import cli

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "ix")
    (corpus / "san-jose-2025.txt").write_bytes(b"\x00" * 10)
    result = CliRunner().invoke(cli, ["search", "traite", "--index", str(tmp_path / "ix"), "--corpus", str(corpus)])
    assert result.exit_code == 0 and result.stdout.startswith("8 results for « traite »")
    assert result.stderr.startswith("Warning: the index is out of date and was not rebuilt: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_single_report_file_is_kept_in_step_with(tmp_path):
    report = tmp_path / "beyrouth-2025.txt"
    shutil.copy(FIXTURES / "second_report.txt", report)
    with Searcher(tmp_path / "ix", report) as searcher:
        assert searcher.built and searcher.search("captagon").total == 2
    with Searcher(tmp_path / "ix") as searcher:  # the file the index records
        assert not searcher.built and searcher.corpus_dir == report.resolve() and searcher.warnings == []
    report.write_text(report.read_text("utf-8").replace("captagon", "captagone"), "utf-8")
    with Searcher(tmp_path / "ix") as searcher:
        assert searcher.built and searcher.search("captagone").total == 2


OPEN_AND_TELL = """
import sys
from search import Searcher
with Searcher(sys.argv[1], sys.argv[2]) as searcher:
    print("built" if searcher.built else "opened", searcher.search("traite").total)
"""


def test_searches_that_find_the_index_out_of_date_at_once_build_it_once(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "ix")
    shutil.copy(FIXTURES / "second_report.txt", corpus / "beyrouth-2025.txt")  # every search must rebuild
    searches = [subprocess.Popen([sys.executable, "-c", OPEN_AND_TELL, str(tmp_path / "ix"), str(corpus)],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(4)]
    outputs = [search.communicate(timeout=120) for search in searches]
    assert all(search.returncode == 0 for search in searches), [err for _, err in outputs]
    said = sorted(out.split()[0] for out, _ in outputs)
    assert said == ["built", "opened", "opened", "opened"]
    assert {out.split()[1] for out, _ in outputs} == {str(Searcher(tmp_path / "ix", corpus).search("traite").total)}


def test_an_id_in_many_reports_names_a_few_then_how_many_more(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(8):
        shutil.copy(FIXTURES / "second_report.txt", corpus / f"rapport-{i}.txt")
    with Searcher(tmp_path / "ix", corpus) as searcher, pytest.raises(UnknownUnitError) as error:
        searcher.get("12")
    assert str(error.value) == ("'12' is in several reports — say which: rapport-0:12, rapport-1:12, rapport-2:12, "
                                "rapport-3:12, rapport-4:12 and 3 more")


def test_a_corpus_folder_that_went_missing_leaves_the_index_as_it_is(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    shutil.copytree(CORPUS, reports)
    shutil.copy(FIXTURES / "second_report.txt", reports / "beyrouth-2025.txt")
    build_index(reports, tmp_path / "ix")
    with Searcher(tmp_path / "ix") as searcher:
        before = searcher.search("captagon").to_dict()
    reports.rename(tmp_path / "unmounted")
    with Searcher(tmp_path / "ix") as searcher:  # no corpus named: the bundled one must not replace it
        assert not searcher.built and searcher.search("captagon").to_dict() == before
        assert searcher.warnings == [f"the corpus this index was built from, {reports.resolve()}, is missing — "
                                     f"searching the index as it is (`congres index --corpus DIR` rebuilds it "
                                     f"from another)"]
    (tmp_path / "unmounted").rename(reports)
    with Searcher(tmp_path / "ix") as searcher:
        assert not searcher.built and searcher.warnings == [] and searcher.search("captagon").to_dict() == before


def test_the_bundled_report_of_another_installation_is_replaced_by_this_ones(tmp_path):
    moved = tmp_path / "old-venv" / "lib" / "indexer" / "data" / "corpus"
    shutil.copytree(CORPUS, moved)
    build_index(moved, tmp_path / "ix")
    shutil.rmtree(tmp_path / "old-venv")
    with Searcher(tmp_path / "ix") as searcher:
        assert searcher.warnings == [] and searcher.corpus_dir == CORPUS and searcher.search("").total == 161


def test_a_full_disk_during_an_automatic_rebuild_is_a_warning(tmp_path, monkeypatch):
    import errno

    from indexer import build

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "ix")
    (corpus / "san-jose-2025.txt").write_text((CORPUS / "san-jose-2025.txt").read_text("utf-8") + "\n", "utf-8")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build, "build_index", full_disk)
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert not searcher.built and searcher.search("traite").total == 8
        assert searcher.warnings == ["the index is out of date and was not rebuilt: No space left on device — "
                                     "searching the index as it is"]
