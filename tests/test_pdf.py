"""PDF reports: a UN-style PDF of a .txt report gives that report's units, word for word, its
metadata and symbol, its footnotes apart; a PDF that cannot be read says why."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from indexer.errors import UnreadableReportError
from indexer.formats import read_document
from indexer.formats.pdf import _Lexicon
from indexer.report_units import report_units
from tests.conftest import CORPUS, FIXTURES
from tests.fixtures.un_pdf import build_bad_pdfs, build_un_pdf

REPORTS = {"san-jose-2025": (CORPUS / "san-jose-2025.txt", "A/CONF.241/RPM.2/1", "V.25-01936"),
           "beyrouth-2025": (FIXTURES / "second_report.txt", "A/CONF.241/RPM.3/1", "V.25-03412")}
FIELDS = ("id", "text", "headings", "subheading", "states", "observers", "organisations", "agenda", "themes")


def _plain_spaces(value):
    """The standard PDF fonts' WinAnsiEncoding prints code 0xA0 as the glyph "space", so the
    fixture's PDFs cannot carry a no-break space; the .txt side is compared with plain spaces."""
    if isinstance(value, str):
        return value.replace("\u00a0", " ")
    if isinstance(value, (tuple, list)):
        return type(value)(_plain_spaces(v) for v in value)
    return value


@pytest.fixture(scope="session")
def pdf_reports(tmp_path_factory):
    """Each report as .txt and as its UN-style PDF (same report id), with the PDF's layout."""
    folder = tmp_path_factory.mktemp("pdf-reports")
    built = {}
    for doc, (txt, symbol, job) in REPORTS.items():
        (folder / "txt").mkdir(exist_ok=True)
        shutil.copy(txt, folder / "txt" / f"{doc}.txt")
        layout = build_un_pdf(txt, folder / "pdf" / f"{doc}.pdf", symbol=symbol, job=job)
        built[doc] = (folder / "txt" / f"{doc}.txt", folder / "pdf" / f"{doc}.pdf", layout)
    return built


@pytest.fixture(scope="session")
def bad_pdfs(pdf_reports, tmp_path_factory):
    return build_bad_pdfs(pdf_reports["beyrouth-2025"][1], tmp_path_factory.mktemp("bad-pdfs"))


@pytest.fixture(scope="session")
def read_pdfs(pdf_reports):
    return {doc: (report_units(txt), report_units(pdf), read_document(pdf), layout)
            for doc, (txt, pdf, layout) in pdf_reports.items()}


@pytest.mark.parametrize("doc", REPORTS)
def test_pdf_gives_the_txt_units_word_for_word(read_pdfs, doc):
    from_txt, from_pdf, _, _ = read_pdfs[doc]
    assert [u.id for u in from_pdf.units] == [u.id for u in from_txt.units]
    for expected, got in zip(from_txt.units, from_pdf.units):
        for name in FIELDS:
            assert getattr(got, name) == _plain_spaces(getattr(expected, name)), f"§{expected.id} {name}"
    assert from_pdf.problems == from_txt.problems


@pytest.mark.parametrize("doc", REPORTS)
def test_pdf_metadata_is_the_txt_metadata_plus_its_symbol(read_pdfs, doc):
    from_txt, from_pdf, document, _ = read_pdfs[doc]
    symbol = REPORTS[doc][1]
    assert document.symbol == symbol
    expected = {key: _plain_spaces(value) for key, value in from_txt.metadata.items()}
    expected.update(symbol=symbol, cited_as=symbol)
    assert from_pdf.metadata == expected
    assert from_pdf.metadata["title"].startswith("Rapport de la Réunion régionale")


@pytest.mark.parametrize("doc", REPORTS)
def test_footnotes_are_listed_and_not_in_any_unit(read_pdfs, doc):
    _, from_pdf, document, layout = read_pdfs[doc]
    assert document.footnotes == layout.footnotes and len(document.footnotes) == 2
    for note in document.footnotes:
        assert all(note not in unit.text for unit in from_pdf.units)
    # the call glued to "56/119" is gone: "résolution 56/119, intitulée", not "56/1191,"
    assert from_pdf.units[0].text.startswith("Dans sa résolution 56/119, intitulée")


@pytest.mark.parametrize("kind, reason", [
    ("damaged", "damaged PDF (truncated"),
    ("scanned", "scanned PDF without a text layer — run OCR first (e.g. `ocrmypdf"),
    ("encrypted", "encrypted PDF (password protected)"),
    ("empty", "empty file (0 bytes)"),
])
def test_a_pdf_that_cannot_be_read_says_why(bad_pdfs, kind, reason):
    path = bad_pdfs[kind]
    with pytest.raises(UnreadableReportError) as error:
        report_units(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and reason in message and "\n" not in message


# --- one artefact at a time, where the fixture printed it ----------------------------------

@pytest.mark.parametrize("doc", REPORTS)
def test_running_header_page_numbers_and_job_numbers_are_removed(read_pdfs, doc):
    _, _, document, layout = read_pdfs[doc]
    lines = [line for line in document.text.split("\n") if line.strip()]
    assert lines[:3] == ["Nations Unies", layout.symbol, "Assemblée générale"]
    assert lines.count(layout.symbol) == 1          # the masthead's, not one per page
    assert layout.pages > 5 and document.pages == layout.pages
    assert not [line for line in lines if re.fullmatch(r"\d+/\d+", line)]
    assert layout.job not in document.text and "*25" not in document.text


@pytest.mark.parametrize("doc", REPORTS)
def test_superscript_ordinals_are_kept(read_pdfs, doc):
    _, from_pdf, _, layout = read_pdfs[doc]
    assert "1re" in layout.ordinals
    assert any(unit.text.startswith("À la 1re séance") for unit in from_pdf.units)


@pytest.mark.parametrize("doc", REPORTS)
def test_paragraphs_cut_by_a_page_break_are_one_line(read_pdfs, doc):
    _, _, document, layout = read_pdfs[doc]
    assert layout.split_paragraphs
    for before, after in layout.split_paragraphs:
        if not before.endswith("-"):  # a hyphen there: test_every_line_end_hyphen_is_resolved_as_printed
            assert _plain_spaces(f"{before} {after}") in document.text


@pytest.mark.parametrize("doc", REPORTS)
def test_every_line_end_hyphen_is_resolved_as_printed(read_pdfs, doc):
    _, _, document, layout = read_pdfs[doc]
    text = document.text
    soft = [(head, tail) for head, tail, kind, _ in layout.hyphenations if kind == "soft"]
    compound = [(head, tail) for head, tail, kind, _ in layout.hyphenations if kind == "compound"]
    assert soft and compound
    for head, tail in soft:
        assert head[:-1] + tail in text and f"{head} {tail}" not in text
    for head, tail in compound:
        assert head + tail in text


def test_trinite_et_tobago_keeps_its_hyphen_across_a_line_end(read_pdfs):
    _, from_pdf, document, layout = read_pdfs["san-jose-2025"]
    assert ("Trinité-et-", "Tobago") in [(h, t) for h, t, _, _ in layout.hyphenations]
    assert "Trinité-et-Tobago" in document.text and "Trinité-etTobago" not in document.text
    assert "Trinité-et-Tobago" in next(u for u in from_pdf.units if u.id == "8").states


@pytest.mark.parametrize("head, tail, word", [
    ("coopé-", "ration", "coopération"),          # the document prints "coopération" unbroken
    ("Trinité-et-", "Tobago", "Trinité-et-Tobago"),  # a state's name
    ("Vice-", "Présidente", "Vice-Présidente"),    # a capital after the hyphen: a compound
    ("trente-", "troisième", "trente-troisième"),  # a compound head
    ("lui-", "même", "lui-même"),
    ("crimi-", "nalité,", "criminalité,"),        # punctuation stays with the word
    ("l’organi-", "sation", "l’organisation"),
    ("plate-", "formes", "plateformes"),          # printed unbroken elsewhere
    ("incon-", "nu", "inconnu"),                  # unknown both ways: a line-end hyphen
])
def test_hyphen_rule(head, tail, word):
    from indexer.formats.pdf import _Line, _Word

    printed = "la coopération et les plateformes de la criminalité"
    lexicon = _Lexicon([_Line([_Word(w, 0, 1) for w in printed.split()], 0, 10, False)])
    assert lexicon.join(head, tail) == word


def test_the_search_commands_never_import_a_pdf_library():
    import subprocess
    import sys

    code = ("import sys, search.cli, indexer.formats, indexer.corpus; "
            "print(any(m.split('.')[0] in ('pypdfium2', 'pdfplumber', 'pdfminer') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "False"
