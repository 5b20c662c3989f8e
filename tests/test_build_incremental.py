"""Incremental builds: only changed reports are parsed, and the index is the one a full build gives."""

import json
import os
import shutil
import threading
from dataclasses import asdict

import pytest

from indexer import build, corpus as corpus_module
from indexer.build import build_index, load_units
from indexer.corpus import changed
from indexer.errors import CorpusError, UnknownFacetValueError
from indexer.store import CURRENT, MANIFEST, Generation, current_generation
from search import Searcher
from tests.conftest import CORPUS, FIXTURES

SAN_JOSE, BEYROUTH = CORPUS / "san-jose-2025.txt", FIXTURES / "second_report.txt"
QUERIES = [("", {}), ("traite des personnes", {}), ("captagon", {}), ('"armes à feu"', {"state": "Brésil"}),
           ("drogues", {"doc": "b-beyrouth"}), ("coopération internationale", {"agenda": "5"})]
LOOKUPS = ["facet_units.bin", "vocabulary.tsv", *(f"postings/{name}" for name in (
    "terms.txt", "term_starts.npy", "key_starts.npy", "docs.npy", "freqs.npy", "keys.npy", "lengths.npy",
    "meta.json"))]


@pytest.fixture(params=["one segment", "a segment per report"])
def layout(request, monkeypatch):
    """Small corpora get one segment; with smaller segments, each report gets its own, and
    unchanged segments are linked into the new generation rather than written again."""
    if request.param == "a segment per report":
        monkeypatch.setattr(build, "GROUP_MIN", 100)
        monkeypatch.setattr(build, "SEGMENT_UNITS", 150)
    return request.param


@pytest.fixture
def parsed(monkeypatch):
    """The files each build parses, by name."""
    names = []
    report_units = build.report_units

    def counted(path):
        names.append(path.name)
        return report_units(path)

    monkeypatch.setattr(build, "report_units", counted)
    return names


def corpus_of(folder, **reports):
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in reports.items():
        shutil.copy(source, folder / f"{name}.txt")
    return folder


@pytest.fixture
def corpus(tmp_path):
    return corpus_of(tmp_path / "corpus", **{"a-san-jose": SAN_JOSE, "b-beyrouth": BEYROUTH, "c-san-jose": SAN_JOSE})


def answers(ix, corpus_dir) -> dict:
    """What searching the index shows, for comparing two indexes of the same corpus."""
    with Searcher(ix, corpus_dir, auto_build=False) as searcher:
        found = {}
        for query, filters in QUERIES:
            try:
                results = searcher.search(query, filters, limit=1000)
            except UnknownFacetValueError as error:  # a report removed: both indexes must say so
                found[query] = str(error)
                continue
            found[query] = (results.total, [(h.doc, h.id, h.score, h.text, h.agenda, h.section, h.states,
                                             h.organisations, h.themes) for h in results.hits], results.facets)
        facets = {facet: searcher.facet_values(facet) for facet in ("state", "theme", "report", "doc")}
        unit = searcher.get("c-san-jose:37f")
    manifest = Generation(current_generation(ix)).read_manifest()
    return {"found": found, "facets": facets, "unit": unit, "documents": manifest.documents,
            "reports": manifest.reports, "notes": manifest.notes, "units": manifest.unit_count}


def assert_same_as_a_full_build(ix, corpus_dir, tmp_path):
    full = tmp_path / "full-build"
    shutil.rmtree(full, ignore_errors=True)
    build_index(corpus_dir, full)
    assert answers(ix, corpus_dir) == answers(full, corpus_dir)
    ours, theirs = current_generation(ix), current_generation(full)
    for name in LOOKUPS:
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    for doc in Generation(theirs).read_manifest().documents:
        assert json.loads(Generation(ours).units_path(doc).read_text("utf-8")) == \
            json.loads(Generation(theirs).units_path(doc).read_text("utf-8"))


def test_an_added_report_is_the_only_one_parsed(corpus, tmp_path, layout, parsed):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    assert sorted(parsed) == ["a-san-jose.txt", "b-beyrouth.txt", "c-san-jose.txt"]
    parsed.clear()
    shutil.copy(BEYROUTH, corpus / "bb-beyrouth.txt")  # between two reports already indexed
    calls = []
    manifest = build_index(corpus, ix, on_progress=lambda *call: calls.append(call))
    assert parsed == ["bb-beyrouth.txt"]
    assert [call for call in calls if call[0] == "reports"] == [("reports", 1, 1)]
    assert calls[-1][0] == "index" and calls[-1][1] == calls[-1][2] >= 1
    assert list(manifest.documents) == ["a-san-jose", "b-beyrouth", "bb-beyrouth", "c-san-jose"]
    assert manifest.reports["a-san-jose"]["doc"] == "a-san-jose"  # kept for the reports not parsed again
    assert manifest.reports["a-san-jose"]["label"] == "Amérique latine et les Caraïbes — San José, février 2025"
    assert_same_as_a_full_build(ix, corpus, tmp_path)


def test_unchanged_segments_are_kept_not_written(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(build, "GROUP_MIN", 100)
    monkeypatch.setattr(build, "SEGMENT_UNITS", 150)
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    before = {path.name: path.read_bytes() for path in current_generation(ix).glob("*.seg")}
    shutil.copy(BEYROUTH, corpus / "d-beyrouth.txt")
    calls = []
    build_index(corpus, ix, on_progress=lambda *call: calls.append(call))
    after = {path.name: path for path in current_generation(ix).glob("*.seg")}
    assert len(after) == 4 and len(set(after) - set(before)) == 1  # three kept, one new
    assert all(after[name].read_bytes() == data for name, data in before.items())
    assert [call for call in calls if call[0] == "index"] == [("index", 0, 1), ("index", 1, 1)]
    damaged = next(iter(before))  # a copy: damage to the new generation does not reach the previous one
    after[damaged].write_bytes(b"\x00" * 10)
    assert (Generation(ix / sorted(p.name for p in ix.glob("gen-*"))[0]).path / damaged).read_bytes() == before[damaged]


def test_an_edited_report_is_parsed_again_alone(corpus, tmp_path, layout, parsed):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    parsed.clear()
    path = corpus / "b-beyrouth.txt"
    path.write_text(path.read_text("utf-8").replace("captagon", "captagone"), "utf-8")
    build_index(corpus, ix)
    assert parsed == ["b-beyrouth.txt"]
    with Searcher(ix, corpus, auto_build=False) as searcher:
        assert searcher.search("captagone").total == 2
    assert_same_as_a_full_build(ix, corpus, tmp_path)


def test_a_removed_report_leaves_the_index_and_nothing_is_parsed(corpus, tmp_path, layout, parsed):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    parsed.clear()
    (corpus / "b-beyrouth.txt").unlink()
    manifest = build_index(corpus, ix)
    assert parsed == []
    assert list(manifest.documents) == ["a-san-jose", "c-san-jose"] and manifest.unit_count == 322
    assert not Generation(current_generation(ix)).units_path("b-beyrouth").exists()
    with Searcher(ix, corpus, auto_build=False) as searcher:
        assert searcher.search("captagon").total == 0
    assert_same_as_a_full_build(ix, corpus, tmp_path)


def test_what_builds_reuse_is_beside_the_generation_and_only_the_newest_is_kept(corpus, tmp_path):
    """A search hashes every file of the generation it opens: the units and partial lookups,
    read by builds alone, are kept outside it, signed on their own."""
    ix = tmp_path / "ix"
    first = build_index(corpus, ix)
    shutil.copy(BEYROUTH, corpus / "d-beyrouth.txt")
    build_index(corpus, ix)
    generation = Generation(current_generation(ix))
    assert not any(name.startswith(("reuse", "units", "parts")) for name in first.files)
    assert sorted(p.name for p in ix.glob("reuse-*")) == [generation.reuse_dir.name]
    assert generation.units_path("d-beyrouth").is_file() and len(list(ix.glob("gen-*"))) == 2


def test_a_new_indexer_version_parses_everything_again(corpus, tmp_path, parsed):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    manifest_path = current_generation(ix) / MANIFEST
    manifest_path.write_text(json.dumps({**json.loads(manifest_path.read_text()), "indexer": "an older analyzer"}))
    parsed.clear()
    build_index(corpus, ix)
    assert sorted(parsed) == ["a-san-jose.txt", "b-beyrouth.txt", "c-san-jose.txt"]


@pytest.mark.parametrize("damaged, old, new", [("units/a-san-jose.json", "Brésil", "Atlantide"),
                                               ("plan.json", '"paragraph": 95', '"paragraph": 94')])
def test_a_reused_file_changed_since_it_was_signed_is_not_reused(corpus, tmp_path, parsed, damaged, old, new):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    planted = Generation(current_generation(ix)).reuse_dir / damaged
    assert old in planted.read_text("utf-8")
    planted.write_text(planted.read_text("utf-8").replace(old, new), "utf-8")
    parsed.clear()
    shutil.copy(BEYROUTH, corpus / "d-beyrouth.txt")
    build_index(corpus, ix)
    assert sorted(set(parsed)) == ["a-san-jose.txt", "b-beyrouth.txt", "c-san-jose.txt", "d-beyrouth.txt"]
    with Searcher(ix, corpus, auto_build=False) as searcher:
        assert searcher.search("", {"state": "Brésil"}).total == 2 * searcher.search(
            "", {"state": "Brésil", "doc": "a-san-jose"}).total
    assert_same_as_a_full_build(ix, corpus, tmp_path)


def test_reused_units_come_back_with_every_field(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    stored = json.loads(Generation(current_generation(ix)).units_path("b-beyrouth").read_text("utf-8"))
    fresh = [unit for unit in load_units(corpus) if unit.doc == "b-beyrouth"]
    assert stored == [json.loads(json.dumps(asdict(unit), ensure_ascii=False)) for unit in fresh]
    assert {"states", "observers", "organisations", "themes", "headings", "report", "agenda"} <= set(stored[0])


def test_a_strict_build_leaves_the_previous_index(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    before = (ix / CURRENT).read_text()
    shutil.copy(BEYROUTH, corpus / "d-beyrouth.txt")
    (corpus / "notes.odt").write_bytes(b"PK\x03\x04 not a report")
    with pytest.raises(CorpusError, match=r"^1 corpus file cannot be indexed: notes\.odt: unsupported file type"):
        build_index(corpus, ix, strict=True)
    assert (ix / CURRENT).read_text() == before
    assert not list(ix.glob(".building-*"))
    assert "d-beyrouth" not in Generation(current_generation(ix)).read_manifest().documents


def test_good_reports_are_indexed_and_bad_files_named_with_their_reasons(corpus, tmp_path):
    (corpus / "compte-rendu.odt").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (corpus / "rapport-abime.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    (corpus / "lettre.txt").write_text("Chère amie,\n\nvoici des nouvelles du congrès.\n", "utf-8")
    (corpus / "ancien.txt").write_bytes("1. Réunion à San José, où l'on a débattu.\n".encode("cp1252"))
    manifest = build_index(corpus, tmp_path / "ix")
    assert list(manifest.documents) == ["a-san-jose", "b-beyrouth", "c-san-jose"]
    reasons = {entry["file"]: entry["reason"] for entry in manifest.skipped}
    assert sorted(reasons) == ["ancien.txt", "compte-rendu.odt", "lettre.txt", "rapport-abime.pdf"]
    assert reasons["compte-rendu.odt"].startswith("unsupported file type '.odt'")
    assert reasons["lettre.txt"] == "no numbered paragraph found — not a report of the series?"
    assert reasons["ancien.txt"].startswith("not UTF-8 text (byte ")
    assert "pdf" in reasons["rapport-abime.pdf"].lower()
    assert all(reason and "\n" not in reason and str(corpus) not in reason for reason in reasons.values())
    with Searcher(tmp_path / "ix", corpus, auto_build=False) as searcher:
        assert searcher.search("captagon").total == 2


def test_no_readable_report_is_an_error_listing_the_reasons(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "lettre.txt").write_text("Chère amie,\n", "utf-8")
    (folder / "notes.odt").write_bytes(b"PK")
    with pytest.raises(CorpusError, match=rf"^no readable report in {folder}: lettre\.txt: no numbered paragraph"
                                          r" found .*; notes\.odt: unsupported file type '\.odt'"):
        build_index(folder, tmp_path / "ix")
    assert not list((tmp_path / "ix").glob("gen-*"))


def test_a_bad_file_is_not_parsed_again_until_it_changes(corpus, tmp_path, parsed):
    (corpus / "lettre.txt").write_text("Chère amie,\n", "utf-8")
    build_index(corpus, tmp_path / "ix")
    parsed.clear()
    manifest = build_index(corpus, tmp_path / "ix")
    assert parsed == [] and [entry["file"] for entry in manifest.skipped] == ["lettre.txt"]
    shutil.copy(BEYROUTH, corpus / "lettre.txt")  # mended: now a report
    manifest = build_index(corpus, tmp_path / "ix")
    assert parsed == ["lettre.txt"] and manifest.skipped == [] and "lettre" in manifest.documents


def _aged(folder, seconds=60):
    """Files last modified a while ago, as corpus files usually are (no time stamp is ambiguous)."""
    for path in folder.iterdir():
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 10**9))


def test_staleness_hashes_only_the_files_whose_stat_changed(corpus, tmp_path, monkeypatch):
    _aged(corpus)
    manifest = build_index(corpus, tmp_path / "ix")
    hashed = []
    file_digest = corpus_module.file_digest
    monkeypatch.setattr(corpus_module, "file_digest", lambda path: hashed.append(path.name) or file_digest(path))
    assert not changed(manifest, corpus) and hashed == []
    os.utime(corpus / "b-beyrouth.txt")  # touched, same content
    assert not changed(manifest, corpus) and hashed == ["b-beyrouth.txt"]
    path = corpus / "c-san-jose.txt"
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    assert changed(manifest, corpus)
    path.write_text(SAN_JOSE.read_text("utf-8"), "utf-8")
    assert not changed(manifest, corpus)  # the same content again
    shutil.copy(BEYROUTH, corpus / "d-beyrouth.txt")
    assert changed(manifest, corpus)
    (corpus / "d-beyrouth.txt").unlink()
    (corpus / "a-san-jose.txt").unlink()
    assert changed(manifest, corpus)


def test_a_file_modified_just_before_the_build_is_hashed_again(corpus, tmp_path, monkeypatch):
    manifest = build_index(corpus, tmp_path / "ix")  # the files were just copied: their stat is not trusted
    assert {source["mtime_ns"] for source in manifest.sources.values()} == {None}
    hashed = []
    file_digest = corpus_module.file_digest
    monkeypatch.setattr(corpus_module, "file_digest", lambda path: hashed.append(path.name) or file_digest(path))
    assert not changed(manifest, corpus) and len(hashed) == 3


def test_a_single_report_file_is_a_corpus(tmp_path, parsed):
    report = corpus_of(tmp_path / "reports", **{"beyrouth-2025": BEYROUTH}) / "beyrouth-2025.txt"
    ix = tmp_path / "ix"
    manifest = build_index(report, ix)
    assert manifest.corpus == str(report.resolve()) and list(manifest.documents) == ["beyrouth-2025"]
    assert manifest.sources["beyrouth-2025"]["file"] == "beyrouth-2025.txt"
    assert not changed(manifest, report)
    report.write_text(report.read_text("utf-8").replace("captagon", "captagone"), "utf-8")
    assert changed(manifest, report)
    parsed.clear()
    build_index(report, ix)
    assert parsed == ["beyrouth-2025.txt"]
    with Searcher(ix, report, auto_build=False) as searcher:
        assert searcher.search("captagone").total == 2


def test_readers_never_see_a_mixed_index_while_incremental_builds_swap(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(build, "GROUP_MIN", 100)
    monkeypatch.setattr(build, "SEGMENT_UNITS", 150)
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    with_d = corpus_of(tmp_path / "with-d", **{"a-san-jose": SAN_JOSE, "b-beyrouth": BEYROUTH,
                                               "c-san-jose": SAN_JOSE, "bb-beyrouth": BEYROUTH})
    build_index(with_d, tmp_path / "ix-with-d")

    def seen(searcher):
        results = searcher.search("drogues", limit=50)
        return results.total, [(h.doc, h.id, h.score) for h in results.hits], results.facets["doc"]

    with Searcher(ix, corpus, auto_build=False) as old, Searcher(tmp_path / "ix-with-d", with_d,
                                                                 auto_build=False) as new:
        expected = [seen(old), seen(new)]
    assert expected[0] != expected[1]
    stop, observed, failures = threading.Event(), [], []

    def read():
        with Searcher(ix, corpus, auto_build=False) as searcher:
            while not stop.is_set():
                try:
                    observed.append(seen(searcher))
                except Exception as error:  # noqa: BLE001 - any failure fails the test below
                    failures.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            shutil.copy(BEYROUTH, corpus / "bb-beyrouth.txt")
            build_index(corpus, ix)
            (corpus / "bb-beyrouth.txt").unlink()
            build_index(corpus, ix)
    finally:
        stop.set()
        reader.join()
    assert failures == []
    assert observed and all(answer in expected for answer in observed)
