"""Real documents in (the acceptance of the corpus workflow): the PDF and the Word file of the
bundled report index to the .txt's units, and a folder with bad files indexes the good ones."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from indexer.store import Generation
from search import Searcher
from search.cli import cli
from tests.conftest import CORPUS, FIXTURES
from tests.fixtures.un_docx import variants_of
from tests.fixtures.un_pdf import build_bad_pdfs, build_un_pdf

SYMBOL = "A/CONF.241/RPM.2/1"
SHOWN = ("id", "doc", "citation", "agenda", "section", "states", "observers", "organisations", "themes", "text",
         "report")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    """The bundled report as .txt, as a UN-style PDF and as a .docx with automatic numbering,
    each in a corpus folder of its own, indexed."""
    root = tmp_path_factory.mktemp("formats")
    txt = CORPUS / "san-jose-2025.txt"
    folders = {name: root / name for name in ("txt", "pdf", "docx")}
    for folder in folders.values():
        folder.mkdir()
    shutil.copy(txt, folders["txt"])
    build_un_pdf(txt, folders["pdf"] / "san-jose-2025.pdf", symbol=SYMBOL)
    docx = variants_of(txt, root / "word", SYMBOL)["automatic"]
    shutil.copy(docx, folders["docx"] / "san-jose-2025.docx")
    searchers = {}
    for name, folder in folders.items():
        build_index(folder, root / f"index-{name}")
        searchers[name] = Searcher(root / f"index-{name}", folder, auto_build=False)
    yield folders, searchers
    for searcher in searchers.values():
        searcher.close()


def _shown(results):
    return [{key: hit.to_dict()[key] for key in SHOWN} for hit in results.hits]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_pdf_and_the_docx_index_to_the_txt_units_word_for_word(formats, fmt):
    _, searchers = formats
    txt, other = searchers["txt"].search("", limit=500), searchers[fmt].search("", limit=500)
    assert other.total == txt.total == 161
    assert _shown(other) == _shown(txt)
    assert other.facets == txt.facets  # same agenda items, states, themes, organisations, report
    for query in ("traite des personnes", "armes à feu", "cybercriminalité"):
        assert [h.id for h in searchers[fmt].search(query).hits] == [h.id for h in searchers["txt"].search(query).hits]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_symbol_read_from_the_file_is_in_the_citation_and_the_report(formats, fmt):
    _, searchers = formats
    hit = searchers[fmt].get("37f")
    assert (hit.symbol, hit.citation_full) == (SYMBOL, f"{SYMBOL}, par. 37 f)")
    assert hit.report == "Amérique latine et les Caraïbes — San José, février 2025"
    assert searchers[fmt].get(f"{SYMBOL}, par. 37 f)").id == "37f"
    assert searchers[fmt].reports["san-jose-2025"]["symbol"] == SYMBOL
    assert searchers["txt"].get("37f").citation_full == "san-jose-2025, par. 37 f)"  # no symbol: the file name


def test_one_report_in_two_formats_is_indexed_once(formats, tmp_path):
    folders, _ = formats
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(folders["pdf"] / "san-jose-2025.pdf", both)
    shutil.copy(folders["docx"] / "san-jose-2025.docx", both)
    manifest = build_index(both, tmp_path / "index")
    assert manifest.unit_count == 161
    assert [(e["file"], e["reason"]) for e in manifest.skipped] == [
        ("san-jose-2025.pdf", "same report id as san-jose-2025.docx (one file per report; san-jose-2025.docx is read)")]


@pytest.fixture(scope="module")
def mixed_corpus(formats, tmp_path_factory):
    """3 good reports (a .txt, a .pdf, a .docx) and 4 bad files of different kinds."""
    folders, _ = formats
    corpus = tmp_path_factory.mktemp("mixed")
    shutil.copy(CORPUS / "san-jose-2025.txt", corpus)
    build_un_pdf(FIXTURES / "second_report.txt", corpus / "beyrouth-2025.pdf", symbol="A/CONF.241/RPM.3/1")
    shutil.copy(folders["docx"] / "san-jose-2025.docx", corpus / "san-jose-copie.docx")
    bad = build_bad_pdfs(folders["pdf"] / "san-jose-2025.pdf", tmp_path_factory.mktemp("bad"))
    shutil.copy(bad["damaged"], corpus / "vienne-2025.pdf")
    shutil.copy(bad["scanned"], corpus / "scan.pdf")
    (corpus / "bangkok-2025.odt").write_bytes(b"PK\x03\x04 not a report")
    (corpus / "notes.txt").write_text("Quelques notes sans paragraphe numéroté.\n", "utf-8")
    return corpus


def _index(corpus, index, *extra):
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(index), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_good_reports_are_indexed_and_bad_files_named_with_their_reasons(mixed_corpus, tmp_path):
    code, out, err = _index(mixed_corpus, tmp_path / "index")
    assert code == 3, err
    assert out.startswith(f"Indexed 3 reports from {mixed_corpus} into {tmp_path / 'index'}: ")
    skipped = [line for line in err.splitlines() if line.startswith("Skipped: ")]
    assert sorted(line.split(":")[1].strip() for line in skipped) == [
        "bangkok-2025.odt", "notes.txt", "scan.pdf", "vienne-2025.pdf"]
    reasons = "\n".join(skipped)
    assert "unsupported file type '.odt'" in reasons and "ocrmypdf" in reasons
    assert "no numbered paragraph found" in reasons
    assert err.splitlines()[-1] == ("Warning: 4 files of the corpus could not be indexed (listed above); "
                                    "the others were")
    code, out, _ = _index(mixed_corpus, tmp_path / "index", "--json")
    data = json.loads(out)
    assert code == 3 and data["complete"] is False and len(data["skipped"]) == 4
    assert sorted(data["reports"]) == ["beyrouth-2025", "san-jose-2025", "san-jose-copie"]
    assert data["reports"]["beyrouth-2025"]["symbol"] == "A/CONF.241/RPM.3/1"
    with Searcher(tmp_path / "index", mixed_corpus) as searcher:  # searching is not blocked by the bad files
        assert searcher.search("traite des personnes").total > 0 and not searcher.built


def test_strict_fails_and_leaves_the_previous_index_untouched(mixed_corpus, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(CORPUS / "san-jose-2025.txt", good)
    assert _index(good, tmp_path / "index")[0] == 0
    before = Generation.current(tmp_path / "index").name
    code, _, err = _index(mixed_corpus, tmp_path / "index", "--strict")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("Error: ") and "bangkok-2025.odt" in err
    assert Generation.current(tmp_path / "index").name == before


def test_a_single_report_file_is_a_corpus(tmp_path):
    code, out, err = _index(CORPUS / "san-jose-2025.txt", tmp_path / "index")
    assert code == 0, err
    assert out.startswith(f"Indexed 1 report from {CORPUS / 'san-jose-2025.txt'}")
    code, out, err = CliRunner().invoke(cli, ["index", "--index", str(tmp_path / "index")]).exit_code, None, None
    assert code == 0  # without --corpus: the file the index was built from
