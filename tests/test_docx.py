"""Word reports (.docx, and .doc through LibreOffice) read as their .txt: the same units, word for word."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.errors import UnreadableReportError
from indexer.formats import read_document
from indexer.formats import doc as doc_format
from indexer.formats.docx import NumberingResolver, format_number
from indexer.report_units import report_units
from tests.conftest import CORPUS, FIXTURES, ROOT
from tests.fixtures.un_docx import FOOTNOTES, JOB_NUMBER, compound_file, variants_of, write_bad_files

REPORTS = {"san-jose-2025": (CORPUS / "san-jose-2025.txt", "A/CONF.241/RPM.2/1"),
           "second_report": (FIXTURES / "second_report.txt", "A/CONF.241/RPM.3/1")}
VARIANTS = ("manual", "automatic")
FIELDS = ("id", "text", "headings", "subheading", "states", "observers", "organisations", "agenda", "themes")


@pytest.fixture(scope="session")
def word_reports(tmp_path_factory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("word")
    return {(name, variant): path for name, (txt, symbol) in REPORTS.items()
            for variant, path in variants_of(txt, folder / name, symbol).items()}


@pytest.fixture(scope="session")
def txt_results():
    return {name: report_units(txt) for name, (txt, _) in REPORTS.items()}


def facets(units):
    return [tuple(getattr(unit, name) for name in FIELDS) for unit in units]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("report", REPORTS)
def test_units_are_the_txt_units_word_for_word(word_reports, txt_results, report, variant):
    expected = txt_results[report]
    got = report_units(word_reports[report, variant])
    assert len(got.units) == len(expected.units)
    assert facets(got.units) == facets(expected.units)
    assert got.problems == expected.problems == []


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("report", REPORTS)
def test_symbol_and_metadata(word_reports, txt_results, report, variant):
    symbol = REPORTS[report][1]
    assert read_document(word_reports[report, variant]).symbol == symbol
    expected = dict(txt_results[report].metadata, symbol=symbol, cited_as=symbol)
    assert report_units(word_reports[report, variant]).metadata == expected


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("report", REPORTS)
def test_footnotes_are_listed_and_not_unit_text(word_reports, report, variant):
    document = read_document(word_reports[report, variant])
    assert document.footnotes == list(FOOTNOTES.values())
    units = report_units(word_reports[report, variant]).units
    for phrase, note in FOOTNOTES.items():
        assert not any(note in unit.text for unit in units)
        assert any(phrase in unit.text for unit in units)  # the call after it is gone, the phrase stays


@pytest.mark.parametrize("variant", VARIANTS)
def test_headers_footers_and_typography(word_reports, variant):
    text = read_document(word_reports["san-jose-2025", variant]).text
    assert JOB_NUMBER not in text  # the footer
    assert "PAGE" not in text and "\u00ad" not in text
    assert "Trinité-et-Tobago" in text  # w:noBreakHyphen in the automatic variant
    assert "cybercriminalité" in text  # a soft hyphen inside it in the manual one
    units = {unit.id: unit for unit in report_units(word_reports["san-jose-2025", variant]).units}
    assert units["91"].text.startswith("À la 1re séance, le 4 février 2025")  # superscript run "re"
    assert units["91"].text.endswith(":\nPrésident : Gerald Campos Valverde (Costa Rica)\nVice-Présidente : "
                                     "Erin Leslie McKey (Canada)\nRapporteur : Rodrigo Bertoglio Cardoso (Brésil)")
    assert "\n5. Questions de fond inscrites" in units["92"].text and "\n- d) Mieux travailler" in units["92"].text
    second = read_document(word_reports["second_report", variant]).text
    assert "Original\u00a0: arabe" in second and "«\u00a0Accélérer" in second  # non-breaking spaces kept


def test_annex_table_and_first_page_block(word_reports):
    for variant in VARIANTS:
        lines = read_document(word_reports["san-jose-2025", variant]).text.split("\n")
        assert "A/CONF.241/RPM.2/INF.2\tListe des personnes participantes" in lines
        distr = lines.index("Distr. générale")
        assert lines[distr + 1:distr + 4] == ["12 février 2025", "Français", "Original : anglais"]


BAD_FILES = {
    "zip_of_something_else": "a zip archive of something else, not a Word document",
    "text_file": "not a Word document (a .docx is a zip package; this file is not one)",
    "empty_file": "empty file",
    "empty_document": "the Word document has no text",
    "spreadsheet": "an Office file of another kind (application/vnd.openxmlformats-officedocument.spreadsheetml",
    "password_protected": "password-protected Word document — remove the password",
    "old_word": "an old Word .doc file named .docx — rename it to .doc",
}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    return write_bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_files_are_named_with_their_reason(bad_files, kind):
    path = bad_files[kind]
    with pytest.raises(UnreadableReportError) as raised:
        report_units(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and BAD_FILES[kind] in message
    assert "\n" not in message


def test_search_commands_never_import_python_docx():
    code = ("import sys, indexer.formats.docx, indexer.formats.doc, search.cli, indexer.build; "
            "print(sorted(m for m in sys.modules if m == 'docx' or m.startswith('docx.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- the numbering resolver

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def level(ilvl, fmt="decimal", text=None, start=1, extra=""):
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text or f"%{ilvl + 1}."}"/>{extra}</w:lvl>')


def numbering(abstracts: dict[int, str], nums: dict[int, tuple[int, str]]):
    xml = "".join(f'<w:abstractNum w:abstractNumId="{a}">{levels}</w:abstractNum>' for a, levels in abstracts.items())
    xml += "".join(f'<w:num w:numId="{n}"><w:abstractNumId w:val="{a}"/>{overrides}</w:num>'
                   for n, (a, overrides) in nums.items())
    return f"<w:numbering {W}>{xml}</w:numbering>"


def paragraph(num=None, ilvl=None, style=None):
    from docx.oxml.parser import parse_xml

    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num is not None or ilvl is not None:
        ppr += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + \
               (f'<w:numId w:val="{num}"/>' if num is not None else "") + "</w:numPr>"
    return parse_xml(f"<w:p {W}><w:pPr>{ppr}</w:pPr><w:r><w:t>texte</w:t></w:r></w:p>")


PARAGRAPHS = level(0) + level(1, "lowerLetter", "%2)")


@pytest.mark.parametrize("value, fmt, printed", [
    (12, "decimal", "12"), (1, "lowerLetter", "a"), (26, "lowerLetter", "z"), (27, "lowerLetter", "aa"),
    (28, "upperLetter", "BB"), (4, "upperRoman", "IV"), (14, "lowerRoman", "xiv"), (1999, "upperRoman", "MCMXCIX"),
    (7, "decimalZero", "07"), (3, "cardinalText", "3"), (5, "none", ""),
])
def test_number_formats(value, fmt, printed):
    assert format_number(value, fmt) == printed


def test_levels_count_and_lower_levels_restart():
    resolver = NumberingResolver.from_xml(numbering({0: PARAGRAPHS}, {1: (0, "")}))
    labels = [resolver.count("1", ilvl) for ilvl in (0, 1, 1, 0, 0, 1, 1, 1)]
    assert labels == ["1.", "a)", "b)", "2.", "3.", "a)", "b)", "c)"]


def test_start_values_multilevel_text_and_lvl_restart():
    levels = level(0, start=5) + level(1, text="%1.%2.") + level(2, "lowerRoman", "(%3)", extra='<w:lvlRestart w:val="0"/>')
    resolver = NumberingResolver.from_xml(numbering({0: levels}, {1: (0, "")}))
    labels = [resolver.count("1", ilvl) for ilvl in (0, 1, 2, 1, 2, 0, 1, 2)]
    assert labels == ["5.", "5.1.", "(i)", "5.2.", "(ii)", "6.", "6.1.", "(iii)"]  # level 2 never restarts


def test_start_override_restarts_and_instances_of_one_list_share_their_count():
    overrides = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="77"/></w:lvlOverride>'
    resolver = NumberingResolver.from_xml(numbering({0: PARAGRAPHS, 1: PARAGRAPHS},
                                                    {1: (0, ""), 2: (0, overrides), 3: (0, ""), 4: (1, "")}))
    labels = [resolver.count(num, 0) for num in ("1", "1", "2", "2", "1", "3", "4")]
    assert labels == ["1.", "2.", "77.", "78.", "79.", "80.", "1."]  # list 4 is another definition
    assert resolver.count("2", 1) == "a)"


def test_numbering_through_paragraph_styles():
    styles = (f'<w:styles {W}>'
              '<w:style w:type="paragraph" w:styleId="Para"><w:name w:val="Para"/>'
              '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="Reco"><w:name w:val="Reco"/><w:basedOn w:val="Para"/>'
              '<w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="Plain"><w:name w:val="Plain"/></w:style></w:styles>')
    resolver = NumberingResolver.from_xml(numbering({0: PARAGRAPHS}, {1: (0, "")}), styles)
    labels = [resolver.label(p) for p in (paragraph(style="Para"), paragraph(style="Reco"), paragraph(style="Reco"),
                                          paragraph(style="Plain"), paragraph(num="0", style="Para"),
                                          paragraph(style="Para"), paragraph(ilvl=1, style="Para"))]
    assert labels == ["1.", "a)", "b)", "", "", "2.", "a)"]


def test_list_style_links_bullets_and_unnumbered_levels():
    styles = (f'<w:styles {W}><w:style w:type="numbering" w:styleId="Liste"><w:name w:val="Liste"/>'
              '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>')
    xml = numbering({0: '<w:styleLink w:val="Liste"/>' + level(0, "upperLetter", "%1.") + level(1, "bullet", "•")
                     + level(2, "none", "%3"), 1: '<w:numStyleLink w:val="Liste"/>'}, {1: (0, ""), 2: (1, "")})
    resolver = NumberingResolver.from_xml(xml, styles)
    assert [resolver.count("2", 0), resolver.count("2", 1), resolver.count("2", 2), resolver.count("1", 0)] == \
        ["A.", "•", "", "B."]


# ---------------------------------------------------------------- old .doc files

FAKE_SOFFICE = """#!{python}
import json, os, shutil, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_SOFFICE_LOG"], "w") as log:
    json.dump(args, log)
mode = os.environ.get("FAKE_SOFFICE_MODE", "convert")
if mode == "hang":
    time.sleep(60)
if mode == "fail":
    print("Error: source file could not be loaded")
    sys.exit(1)
out = args[args.index("--outdir") + 1]
os.makedirs(out, exist_ok=True)
source = args[-1]
shutil.copy(os.environ["FAKE_SOFFICE_DOCX"], os.path.join(out, os.path.splitext(os.path.basename(source))[0] + ".docx"))
"""


@pytest.fixture
def old_doc(tmp_path) -> Path:
    path = tmp_path / "reports" / "san-jose-2025.doc"
    path.parent.mkdir()
    path.write_bytes(compound_file(["WordDocument", "1Table"]))
    return path


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch, word_reports):
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(tmp_path / "argv.json"))
    monkeypatch.setenv("FAKE_SOFFICE_DOCX", str(word_reports["san-jose-2025", "automatic"]))
    return tmp_path / "argv.json"


def test_doc_without_libreoffice_says_how_to_convert(old_doc, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice, no libreoffice
    with pytest.raises(UnreadableReportError) as raised:
        report_units(old_doc)
    message = str(raised.value)
    assert message.startswith(f"{old_doc}: old Word .doc files are read through LibreOffice, which is not installed")
    assert "`soffice --headless --convert-to docx san-jose-2025.doc`" in message


def test_doc_through_libreoffice_command_line(old_doc, fake_soffice, txt_results):
    got = report_units(old_doc)
    assert facets(got.units) == facets(txt_results["san-jose-2025"].units)
    assert got.metadata["symbol"] == "A/CONF.241/RPM.2/1"
    args = json.loads(fake_soffice.read_text())
    assert args[0].startswith("-env:UserInstallation=file:///") and args[0].endswith("/profile")
    assert args[1:4] == ["--headless", "--norestore", "--convert-to"] and args[4] == "docx"
    outdir = Path(args[args.index("--outdir") + 1])
    assert args[-1] == str(old_doc.resolve())
    assert Path(args[0].split("file://", 1)[1]).parent == outdir.parent  # one temporary folder for both
    assert not outdir.parent.exists()  # removed after reading


def test_doc_conversion_failure_and_timeout(old_doc, fake_soffice, monkeypatch):
    monkeypatch.setenv("FAKE_SOFFICE_MODE", "fail")
    with pytest.raises(UnreadableReportError, match=r"LibreOffice could not convert it to .docx "
                                                    r"\(Error: source file could not be loaded\)"):
        report_units(old_doc)
    monkeypatch.setenv("FAKE_SOFFICE_MODE", "hang")
    monkeypatch.setattr(doc_format, "TIMEOUT", 1)
    with pytest.raises(UnreadableReportError, match=r"did not convert the file within 1 s"):
        report_units(old_doc)


def test_doc_that_is_a_docx_is_read_directly(tmp_path, word_reports, txt_results, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    path = tmp_path / "san-jose-2025.doc"
    shutil.copy(word_reports["san-jose-2025", "manual"], path)
    assert facets(report_units(path).units) == facets(txt_results["san-jose-2025"].units)


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_real_libreoffice_round_trip(tmp_path, word_reports, txt_results):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(word_reports["san-jose-2025", "manual"])],
                   check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)})
    got = report_units(tmp_path / "san-jose-2025.doc")
    assert [unit.id for unit in got.units] == [unit.id for unit in txt_results["san-jose-2025"].units]
