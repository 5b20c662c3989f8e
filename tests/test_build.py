"""Building the index: counts, atomic swaps, rebuilds, bad corpus files."""

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from indexer.build import build_index, load_units
from indexer.store import CURRENT, MANIFEST, current_generation
from indexer.errors import CorpusError, IndexUnavailableError, UnknownUnitError
from search import Searcher
from tests.conftest import CORPUS, FIXTURES, parallel_build, two_report_corpus

SAN_JOSE = CORPUS / "san-jose-2025.txt"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SAN_JOSE, folder)
    return folder


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """The index of a corpus of the bundled report, built once for the tests that start from one."""
    folder = tmp_path_factory.mktemp("built")
    corpus = folder / "corpus"
    corpus.mkdir()
    shutil.copy(SAN_JOSE, corpus)
    build_index(corpus, folder / "ix")
    return folder / "ix"


@pytest.fixture
def built(built_once, corpus, tmp_path):
    """``tmp_path/ix``: the index of ``corpus`` as a build leaves it (a copy of ``built_once``)."""
    shutil.copytree(built_once, tmp_path / "ix")
    with Searcher(tmp_path / "ix", corpus) as searcher:  # the copy is up to date for this corpus
        assert not searcher.built
    return tmp_path / "ix"


def test_build_reports_documents_and_units(corpus, tmp_path):
    manifest = build_index(corpus, tmp_path / "ix")
    assert manifest.documents == {"san-jose-2025": {"paragraph": 95, "recommendation": 66}}
    assert manifest.unit_count == 161


def test_several_reports_each_get_their_doc(corpus, tmp_path):
    shutil.copy(FIXTURES / "second_report.txt", corpus / "beyrouth-2025.txt")
    manifest = build_index(corpus, tmp_path / "ix")
    assert manifest.documents["beyrouth-2025"] == {"paragraph": 39, "recommendation": 23}
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert searcher.search("", filters={"doc": "beyrouth-2025"}, limit=100).total == 62
        with pytest.raises(UnknownUnitError, match="'12' is in several reports — say which: "):
            searcher.get("12")
        assert searcher.get("beyrouth-2025:12a").doc == "beyrouth-2025"
        assert searcher.search("captagon").hits[0].doc == "beyrouth-2025"
        assert searcher.search("", filters={"state": "Japon"}).total == 24  # speaks only in beyrouth-2025


def test_rebuild_swaps_generations_and_keeps_the_previous_one(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    first = current_generation(ix)
    build_index(corpus, ix)
    second = current_generation(ix)
    build_index(corpus, ix)
    third = current_generation(ix)
    assert len({first, second, third}) == 3
    assert sorted(p.name for p in ix.glob("gen-*")) == sorted([second.name, third.name])
    assert (ix / CURRENT).read_text().strip() == third.name


def test_leftovers_of_a_killed_build_are_cleaned(corpus, built):
    ix = built
    (ix / ".building-123-456").mkdir()
    (ix / ".building-123-456" / "MAIN_x.seg").write_bytes(b"half")
    build_index(corpus, ix)
    assert not list(ix.glob(".building-*"))


BAD_FILES = [
    ("vide.txt", b"", "empty file"),
    ("binaire.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary file"),
    ("latin1.txt", "1. Réunion à San José.".encode("latin-1"), "not UTF-8"),
    ("lettre.txt", "Chère amie,\n\nvoici des nouvelles.\n".encode(), "no numbered paragraph"),
    ("abc\n.txt", "1. Réunion à San José.\n".encode(), "file names may only use"),  # no id "abc\n"
]


@pytest.mark.parametrize("name, content, message", BAD_FILES)
def test_a_bad_file_is_skipped_and_named_with_its_reason(corpus, built, name, content, message):
    (corpus / name).write_bytes(content)
    manifest = build_index(corpus, built)
    assert manifest.documents == {"san-jose-2025": {"paragraph": 95, "recommendation": 66}}
    [skipped] = manifest.skipped
    assert skipped["file"] == name and message in skipped["reason"] and "\n" not in skipped["reason"]
    assert current_generation(built).name in (built / CURRENT).read_text()


@pytest.mark.parametrize("name, content, message", BAD_FILES)
def test_a_strict_build_names_a_bad_file_and_leaves_the_index_as_it_was(corpus, built, name, content, message):
    ix = built
    before = (ix / CURRENT).read_text()
    (corpus / name).write_bytes(content)
    with pytest.raises(CorpusError, match=message) as error:
        build_index(corpus, ix, strict=True)
    assert name in str(error.value)
    assert (ix / CURRENT).read_text() == before
    assert not list(ix.glob(".building-*"))


def test_crlf_and_bom_are_indexed_like_the_original(corpus, tmp_path):
    windows = tmp_path / "windows"
    windows.mkdir()
    text = SAN_JOSE.read_text("utf-8").replace("\n", "\r\n")
    (windows / "san-jose-2025.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert build_index(windows, tmp_path / "ix").unit_count == 161


def test_missing_or_empty_corpus(tmp_path):
    with pytest.raises(CorpusError, match="corpus folder not found"):
        build_index(tmp_path / "nowhere", tmp_path / "ix")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no report in"):
        build_index(tmp_path / "empty", tmp_path / "ix")


def test_index_path_that_is_a_file(corpus, tmp_path):
    (tmp_path / "file").write_text("not an index")
    with pytest.raises(IndexUnavailableError, match="is a file"):
        build_index(corpus, tmp_path / "file")
    with pytest.raises(IndexUnavailableError, match="is a file"):
        Searcher(tmp_path / "file", corpus)


def test_searcher_builds_a_missing_index_once(corpus, tmp_path):
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert searcher.built
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert not searcher.built
        assert searcher.search("", limit=1).total == 161


def test_searcher_rebuilds_when_the_corpus_changes(corpus, built, tmp_path):
    text = SAN_JOSE.read_text("utf-8").replace("INTERPOL", "INTERPOLE")
    (corpus / "san-jose-2025.txt").write_text(text, "utf-8")
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert searcher.built
        assert searcher.search("interpole").total == 1


def test_an_index_of_another_corpus_is_kept_when_no_corpus_is_named(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(FIXTURES / "second_report.txt", reports / "beyrouth-2025.txt")
    build_index(reports, tmp_path / "ix")
    with Searcher(tmp_path / "ix") as searcher:  # no corpus named: the one the index records
        assert not searcher.built
        assert searcher.corpus_dir == reports.resolve()
        assert searcher.search("captagon").total == 2
    with Searcher(tmp_path / "ix", CORPUS) as searcher:  # another corpus named: rebuilt from it
        assert searcher.built and searcher.search("captagon").total == 0


@pytest.mark.parametrize("field, old_value", [("schema_version", 0), ("indexer", "an older analyzer")])
def test_searcher_rebuilds_an_index_of_an_older_version(corpus, built, tmp_path, field, old_value):
    manifest_path = current_generation(tmp_path / "ix") / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, field: old_value}))
    with Searcher(tmp_path / "ix", corpus) as searcher:
        assert searcher.built


def test_searcher_without_index_or_corpus(tmp_path):
    with pytest.raises(IndexUnavailableError, match="no index in .* run `congres index"):
        Searcher(tmp_path / "ix", tmp_path / "no-corpus")


def test_a_damaged_index_says_how_to_rebuild(index_copy, tmp_path):
    generation = current_generation(index_copy)
    for segment_file in generation.glob("*.seg"):
        segment_file.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(IndexUnavailableError, match="damaged.*`congres index`"):
        Searcher(index_copy, tmp_path / "no-corpus")


def test_a_searcher_follows_a_rebuild(corpus, built):
    ix = built
    with Searcher(ix, corpus, auto_build=False) as searcher:
        assert searcher.search("captagon").total == 0
        shutil.copy(FIXTURES / "second_report.txt", corpus / "beyrouth-2025.txt")
        build_index(corpus, ix)
        assert searcher.search("captagon").total == 2


@pytest.fixture
def two_reports(tmp_path):
    return two_report_corpus(tmp_path / "corpus")


def build_in_parallel(corpus, folder):
    with parallel_build(segment_units=50):
        return build_index(corpus, folder)


def test_a_parallel_build_gives_the_same_index(two_reports, tmp_path):
    build_index(two_reports, tmp_path / "one")
    build_in_parallel(two_reports, tmp_path / "many")
    segments = list(current_generation(tmp_path / "many").glob("MAIN_*.seg"))
    assert len(segments) == 2  # at most 50 units a segment, but a report is never cut in two
    assert not list(current_generation(tmp_path / "many").glob("part-*"))
    for engine in ("whoosh", "arrays"):
        with Searcher(tmp_path / "one", two_reports, engine=engine) as one, \
                Searcher(tmp_path / "many", two_reports, engine=engine) as many:
            for query, filters in [("", {}), ("traite des personnes", {}), ("captagon", {}),
                                   ('"armes à feu"', {"state": "Brésil"}), ("drogues", {"doc": "beyrouth-2025"})]:
                a, b = one.search(query, filters, limit=300), many.search(query, filters, limit=300)
                assert [(h.doc, h.id, h.score) for h in a.hits] == [(h.doc, h.id, h.score) for h in b.hits]
                assert a.total == b.total and a.facets == b.facets


def test_a_bad_file_is_named_by_a_parallel_build(two_reports, tmp_path):
    (two_reports / "notes.txt").write_text("Pas un rapport.\n", "utf-8")
    with pytest.raises(CorpusError, match="notes.txt: no numbered paragraph found"):
        with parallel_build(segment_units=50):
            build_index(two_reports, tmp_path / "ix", strict=True)
    assert current_generation(tmp_path / "ix") is None
    assert build_in_parallel(two_reports, tmp_path / "ix").skipped[0]["file"] == "notes.txt"


def test_a_failed_segment_process_leaves_the_index_as_it_was(two_reports, tmp_path, monkeypatch):
    from indexer import build

    build_index(two_reports, tmp_path / "ix")
    before = (tmp_path / "ix" / CURRENT).read_text()
    write_segment = build._write_segment

    def dies_on_the_second(folder, units):
        if folder.name == "part-1":
            os._exit(3)
        write_segment(folder, units)

    monkeypatch.setattr(build, "_write_segment", dies_on_the_second)
    for report in two_reports.iterdir():  # both changed: both segments are written again
        report.write_text(report.read_text("utf-8") + "\n", "utf-8")
    with pytest.raises(IndexUnavailableError, match=r"a process writing the index failed \(exit code 3\)"):
        build_in_parallel(two_reports, tmp_path / "ix")
    assert (tmp_path / "ix" / CURRENT).read_text() == before
    assert not list((tmp_path / "ix").glob(".building-*"))


def test_a_link_planted_where_the_build_writes_its_pointer_is_never_written_through(corpus, tmp_path, monkeypatch):
    """In a shared folder, a link at the pointer's old, predictable name (planted during the build)
    made the build overwrite its target; the pointer now gets a name of its own, made exclusively."""
    from indexer import build

    ix, precious = tmp_path / "ix", tmp_path / "precious.txt"
    precious.write_text("precious data", "utf-8")
    build_index(corpus, ix)
    merge_parts = build.merge_parts

    def plant_then_write(building, parts):  # during the build, once the leftovers are removed
        for name in (f"{CURRENT}.{os.getpid()}.tmp", f"{CURRENT}.tmp"):
            (ix / name).symlink_to(precious)
        merge_parts(building, parts)

    monkeypatch.setattr(build, "merge_parts", plant_then_write)
    build_index(corpus, ix)
    assert precious.read_text("utf-8") == "precious data"
    assert (ix / CURRENT).read_text("utf-8").strip() == current_generation(ix).name
    assert not (ix / CURRENT).is_symlink()


def test_a_link_planted_at_the_lock_is_refused_in_one_line(corpus, tmp_path):
    ix, precious = tmp_path / "ix", tmp_path / "precious.txt"
    precious.write_text("precious data", "utf-8")
    ix.mkdir()
    (ix / ".lock").symlink_to(precious)
    with pytest.raises(IndexUnavailableError, match=r"^cannot lock .*\.lock: .* — remove it if it is not a file"):
        build_index(corpus, ix)
    assert precious.read_text("utf-8") == "precious data"


def _report_with(tmp_path, name, inserted: str):
    """A corpus of the bundled report with ``inserted`` at the start of paragraph 28."""
    folder = tmp_path / name
    folder.mkdir()
    text = (CORPUS / "san-jose-2025.txt").read_text("utf-8")
    start = text.index("\n28. ") + len("\n28. ")
    (folder / "san-jose-2025.txt").write_text(text[:start] + inserted + text[start:], "utf-8")
    return folder


def _indexing_time(corpus) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        units = load_units(corpus)
        best = min(best, time.perf_counter() - started)
    assert units[-1].id == "95"  # read to the end
    return best


PLAIN = "Les orateurs ont souligné l'importance de la coopération internationale. "


@pytest.mark.parametrize("name, crafted", [
    ("declarations", "déclarations " * 4_000),                 # made the speakers' pattern quadratic
    ("spaces", "Les participants" + " " * 20_000 + "ont débattu, puis" + " " * 20_000 + "et conclu."),
    ("brackets", "[" * 40_000),                                # the link pattern
    ("lines", "\n".join(["suite du texte sans point"] * 4_000)),  # one paragraph over 4,000 lines
])
def test_a_crafted_report_indexes_in_time_proportional_to_its_size(tmp_path, name, crafted):
    plain = PLAIN * (len(crafted) // len(PLAIN) + 1)
    ratio = _indexing_time(_report_with(tmp_path, name, crafted)) / _indexing_time(_report_with(tmp_path, "plain", plain))
    assert ratio < 5, f"{name}: {ratio:.1f} times a plain report of the same size"


def test_a_report_with_an_upper_case_extension_is_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "san-jose-2025.txt", corpus / "san-jose-2025.TXT")
    manifest = build_index(corpus, tmp_path / "ix")
    assert manifest.documents == {"san-jose-2025": {"paragraph": 95, "recommendation": 66}}


def test_reports_whose_names_differ_only_by_case_are_refused(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("Rapport.txt", "rapport.txt"):
        shutil.copy(CORPUS / "san-jose-2025.txt", corpus / name)
    manifest = build_index(corpus, tmp_path / "ix")
    assert manifest.documents == {"Rapport": {"paragraph": 95, "recommendation": 66}}
    assert manifest.skipped == [{"file": "rapport.txt", "reason": "same report id as Rapport.txt (one file per "
                                 "report; Rapport.txt is read)", "digest": manifest.sources["Rapport"]["digest"],
                                 "size": manifest.sources["Rapport"]["size"], "mtime_ns": None}]
    with pytest.raises(CorpusError, match=r"^1 corpus file cannot be indexed: rapport\.txt: same report id as "
                                          r"Rapport\.txt .* — fix or remove them \(the index is unchanged\)$"):
        build_index(corpus, tmp_path / "strict", strict=True)
    assert not list((tmp_path / "strict").glob("gen-*"))


def test_a_reader_failing_unexpectedly_on_one_file_does_not_stop_the_others(tmp_path, monkeypatch):
    import indexer.formats.docx as docx_reader

    def broken(path):
        raise IndexError("list index out of range")

    monkeypatch.setattr(docx_reader, "read", broken)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "san-jose-2025.txt", corpus)
    (corpus / "odd.docx").write_bytes(b"PK\x03\x04")
    manifest = build_index(corpus, tmp_path / "ix")
    assert manifest.unit_count == 161
    assert [(e["file"], e["reason"]) for e in manifest.skipped] == [
        ("odd.docx", "could not be read (IndexError: list index out of range) — please report it")]


def _corpus_with(tmp_path, name: str, data: bytes = b"%PDF-1.4\n") -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "san-jose-2025.txt", corpus)
    (corpus / name).write_bytes(data)
    return corpus


def _reasons(manifest):
    return {entry["file"]: entry["reason"] for entry in manifest.skipped}


@pytest.mark.parametrize("behaviour, reason", [
    ("abort", "its reader crashed (signal 6) — the file may be damaged or hostile"),
    ("memory", "reading it needs more than 3 GiB of memory — the file may be damaged or hostile"),
])
def test_a_pdf_reader_that_crashes_or_takes_all_memory_skips_only_that_file(tmp_path, monkeypatch, behaviour, reason):
    """What a hostile PDF of a few hundred bytes does to pdfium: the reader runs in a child process."""
    import indexer.formats.pdf as pdf_reader

    def hostile(path):
        if behaviour == "abort":
            os.abort()
        return bytearray(8 << 30)  # beyond the child's address space

    monkeypatch.setattr(pdf_reader, "read", hostile)
    manifest = build_index(_corpus_with(tmp_path, "hostile.pdf"), tmp_path / "ix")
    assert manifest.unit_count == 161 and _reasons(manifest) == {"hostile.pdf": reason}


def test_a_reader_that_hangs_is_stopped(tmp_path, monkeypatch):
    import time as clock

    import indexer.build as build
    import indexer.formats.pdf as pdf_reader

    monkeypatch.setattr(build, "READER_SECONDS", 1)
    monkeypatch.setattr(pdf_reader, "read", lambda path: clock.sleep(30))
    manifest = build_index(_corpus_with(tmp_path, "slow.pdf"), tmp_path / "ix")
    assert _reasons(manifest) == {"slow.pdf": "reading it took more than 1 s — the file may be damaged"}


def test_a_file_skipped_for_this_machine_is_tried_again_by_the_next_build(tmp_path, monkeypatch):
    """A missing library or tool is not the file's fault: once installed, the file is read."""
    import indexer.formats.pdf as pdf_reader
    from indexer.formats import Document

    corpus = _corpus_with(tmp_path, "second.pdf")

    def missing(path):
        raise ImportError("No module named 'pypdfium2'")

    monkeypatch.setattr(pdf_reader, "read", missing)
    first = build_index(corpus, tmp_path / "ix")
    assert _reasons(first) == {"second.pdf": "cannot read .pdf files here (No module named 'pypdfium2')"}
    text = (FIXTURES / "second_report.txt").read_text("utf-8")
    monkeypatch.setattr(pdf_reader, "read", lambda path: Document(text))
    second = build_index(corpus, tmp_path / "ix")
    assert second.skipped == [] and "second" in second.documents


def test_a_file_removed_during_a_build_is_recorded_so_the_next_build_drops_it(tmp_path):
    from indexer.corpus import source_record

    assert source_record(tmp_path / "gone.txt", "abc", 0) == {"file": "gone.txt", "digest": "abc", "size": None,
                                                              "mtime_ns": None}
