"""The parser, on the San José report and on a second report of the series."""

import json

import pytest

from indexer.parse import clean_text, parse_report
from tests.conftest import CORPUS, FIXTURES


@pytest.fixture(scope="module")
def san_jose():
    units = parse_report((CORPUS / "san-jose-2025.txt").read_text("utf-8"), "san-jose-2025")
    return {unit.id: unit for unit in units}, units


@pytest.fixture(scope="module")
def second():
    units = parse_report((FIXTURES / "second_report.txt").read_text("utf-8"), "beyrouth-2025")
    expected = json.loads((FIXTURES / "second_report_expected.json").read_text("utf-8"))
    return {unit.id: unit for unit in units}, units, expected


def test_san_jose_has_95_paragraphs_and_66_recommendations(san_jose):
    _, units = san_jose
    assert len(units) == 161
    assert [u.paragraph for u in units if u.letter is None] == list(range(1, 96))
    letters = {}
    for u in units:
        if u.letter:
            letters.setdefault(u.paragraph, []).append(u.letter)
    assert {p: "".join(ls) for p, ls in letters.items()} == {
        24: "abcdefghijkl", 37: "abcdefghijklmno", 49: "abcdefghijklmnopqrs", 66: "abcdefghijkl", 76: "abcdefgh",
    }


def test_ids_kinds_and_citations(san_jose):
    by_id, units = san_jose
    assert [u.id for u in units[:8]] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert units.index(by_id["24a"]) == units.index(by_id["24"]) + 1
    assert (by_id["37f"].kind, by_id["37f"].citation) == ("recommendation", "§37 f)")
    assert (by_id["28"].kind, by_id["28"].citation) == ("paragraph", "§28")


@pytest.mark.parametrize("unit_id, expected", [
    ("13", "les instruments juridiques internationaux existants, comme la Convention des Nations Unies"),
    ("31", "il convenait d'être prudent pour éviter les possibles effets négatifs"),
    ("37m", "renforcer les mesures de justice pénale qui tiennent compte des questions de genre"),
    ("44", "ont fait part de leur expérience à cet égard"),
    ("49n", "garantir l'accès à la justice pour tous et toutes"),
    ("53", "plusieurs orateurs et oratrices ont souligné que la Convention contre la criminalité organisée"),
    ("65", "tout en respectant le droit à la vie privée"),
    ("66l", "identité, race et groupe socioéconomique, et collaborer"),
    ("76d", "afin d'améliorer les mesures internationales de lutte"),
    ("78", "Pays-Bas (Royaume des), Pérou, République dominicaine, Royaume-Uni"),
])
def test_page_breaks_are_joined_with_one_space(san_jose, unit_id, expected):
    by_id, _ = san_jose
    assert expected in by_id[unit_id].text
    assert "\n" not in by_id[unit_id].text


def test_paragraph_91_keeps_the_bureau(san_jose):
    by_id, _ = san_jose
    assert by_id["91"].text.split("\n") == [
        "À la 1re séance, le 4 février 2025, les membres du Bureau ci-après ont été élus par acclamation :",
        "Président : Gerald Campos Valverde (Costa Rica)",
        "Vice-Présidente : Erin Leslie McKey (Canada)",
        "Rapporteur : Rodrigo Bertoglio Cardoso (Brésil)",
    ]


def test_paragraph_92_keeps_the_agenda_list(san_jose):
    by_id, _ = san_jose
    lines = by_id["92"].text.split("\n")
    assert lines[1] == "1. Ouverture de la réunion."
    assert lines[-1] == "7. Adoption du rapport sur la réunion."
    assert [line[:5] for line in lines if line.startswith("- ")] == ["- a) ", "- b) ", "- c) ", "- d) "]
    assert len(lines) == 1 + 7 + 4
    assert by_id["93"].text.startswith("À la même séance")


@pytest.mark.parametrize("unit_id, headings, subheading", [
    ("1", ("I. Introduction",), None),
    ("11", ("II. Recommandations", "A. Thème principal"), "Résumé des délibérations"),
    ("24c", ("II. Recommandations", "A. Thème principal"), "Résultat des délibérations"),
    ("25", ("II. Recommandations", "B. Questions de fond et ateliers", "1. Favoriser"), None),
    ("66", ("II. Recommandations", "B. Questions de fond et ateliers", "3. Aborder"), "Résultat des délibérations"),
    ("91", ("III. Participation et organisation des travaux", "D. Élection du Bureau"), None),
    ("94", ("III. Participation et organisation des travaux", "E. Adoption"), "Déroulement des séances"),
    ("95", ("IV. Adoption du rapport et clôture de la réunion",), None),
])
def test_sections(san_jose, unit_id, headings, subheading):
    unit = san_jose[0][unit_id]
    assert len(unit.headings) == len(headings)
    assert all(h.startswith(prefix) for h, prefix in zip(unit.headings, headings))
    assert unit.subheading == subheading


def test_headings_and_annex_are_not_units(san_jose):
    _, units = san_jose
    texts = [u.text for u in units]
    assert not any(t.startswith(("Résumé des délibérations", "Favoriser des stratégies", "Annexe")) for t in texts)
    assert units[-1].id == "95"
    assert "Annexe" not in units[-1].text and "Guide de discussion" not in units[-1].text


def test_export_markup_is_cleaned(san_jose):
    by_id, _ = san_jose
    assert "1re séance" in by_id["91"].text and "^{" not in by_id["91"].text
    assert "les 3e et 4e séances" in by_id["94"].text
    assert "(A/CONF.241/RPM.2/L.1, A/CONF.241/RPM.2/L.1/Add.1," in by_id["95"].text


@pytest.mark.parametrize("ending", ["féminicides.^{2}", "« féminicides »"])
def test_a_heading_never_joins_a_paragraph_that_ends_oddly(ending):
    text = (CORPUS / "san-jose-2025.txt").read_text("utf-8").replace("mettre fin aux féminicides.", f"mettre fin aux {ending}")
    units = {u.id: u for u in parse_report(text, "d")}
    assert units["23"].text.endswith(("féminicides.", "« féminicides »"))
    assert units["24"].subheading == "Résultat des délibérations"


def test_clean_text_handles_bom_and_crlf():
    assert clean_text("\ufeffI. Introduction\r\n\r\n1. Texte.\r\n") == "I. Introduction\n\n1. Texte.\n"


def test_crlf_and_bom_give_the_same_units():
    text = (CORPUS / "san-jose-2025.txt").read_text("utf-8")
    plain = parse_report(text, "d")
    windows = parse_report("\ufeff" + text.replace("\n", "\r\n"), "d")
    assert [(u.id, u.text) for u in windows] == [(u.id, u.text) for u in plain]


def test_text_without_paragraphs_gives_no_units():
    assert parse_report("Ceci n'est pas un rapport.\n\nJuste du texte.", "d") == []


# --- a second report of the series: ’ apostrophes, NBSP, other page breaks --------

def test_second_report_ids_and_counts(second):
    by_id, units, expected = second
    assert [u.id for u in units] == expected["ids"]
    assert len(units) == expected["doc_units"]
    assert sum(1 for u in units if u.letter is None) == expected["paragraphs"]
    for paragraph, span in expected["recommendations"].items():
        first, last = span.split("-")
        letters = [u.letter for u in units if u.paragraph == int(paragraph) and u.letter]
        assert (letters[0], letters[-1], len(letters)) == (first, last, ord(last) - ord(first) + 1)


def test_second_report_page_breaks(second):
    by_id, _, expected = second
    for unit_id, text in expected["joined"].items():
        assert by_id[unit_id].text == text


def test_second_report_bureau_and_agenda_paragraphs(second):
    by_id, _, expected = second
    bureau = by_id[expected["bureau_paragraph"]].text.split("\n")
    assert bureau[1:] == expected["bureau_lines"]
    agenda = by_id[expected["agenda_paragraph"]].text.split("\n")
    assert agenda[1] == expected["agenda_list_first_line"]
    assert agenda[-1] == expected["agenda_list_last_line"]


def test_second_report_headings_are_not_units(second):
    _, units, expected = second
    texts = {u.text for u in units}
    starts = {u.text.split("\n")[0] for u in units}
    for line in expected["not_units"]:
        assert line not in texts and line not in starts


def _report_with_paragraph_20(replace):
    """The bundled report with the line of paragraph 20 rewritten (None: deleted)."""
    lines = (CORPUS / "san-jose-2025.txt").read_text("utf-8").split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("20. "))
    lines[i:i + 1] = [] if replace is None else [replace(lines[i])]
    return "\n".join(lines)


@pytest.mark.parametrize("replace, units, ids, problem", [
    (None, 160, ["19", "21", "22"], "san-jose-2025: paragraph 20 missing (19 is followed by 21)"),
    (lambda line: "21. " + line[4:], 161, ["19", "20", "21", "22"],
     "san-jose-2025: paragraph 20 is numbered 21 (the next paragraph is 21)"),
    (lambda line: "19. " + line[4:], 161, ["19", "20", "21", "22"],
     "san-jose-2025: paragraph 20 is numbered 19 (the next paragraph is 21)"),
    (lambda line: "25. " + line[4:], 161, ["19", "20", "21", "22"],
     "san-jose-2025: paragraph 20 is numbered 25 (the next paragraph is 21)"),
])
def test_a_paragraph_numbered_out_of_sequence_loses_nothing_and_is_reported(replace, units, ids, problem):
    problems = []
    parsed = parse_report(_report_with_paragraph_20(replace), "san-jose-2025", problems)
    assert len(parsed) == units
    paragraphs = [u.id for u in parsed if u.letter is None]
    assert paragraphs[18:18 + len(ids)] == ids
    assert problems[0] == problem
    assert [u.id for u in parsed][-1] == "95"  # the end of the report is all there


def test_reports_numbered_in_sequence_have_no_problem():
    for path, doc in ((CORPUS / "san-jose-2025.txt", "s"), (FIXTURES / "second_report.txt", "b")):
        problems = []
        parse_report(path.read_text("utf-8"), doc, problems)
        assert problems == []


def test_several_paragraphs_missing_are_reported_as_a_range():
    lines = (CORPUS / "san-jose-2025.txt").read_text("utf-8").split("\n")
    kept = [line for line in lines if not any(line.startswith(f"{n}. ") for n in range(20, 25))]
    problems = []
    parsed = parse_report("\n".join(kept), "san-jose-2025", problems)
    assert [u.id for u in parsed if u.letter is None][18:20] == ["19", "25"]
    assert problems == ["san-jose-2025: paragraphs 20 to 24 missing (19 is followed by 25)"]
    assert parsed[-1].id == "95"


def test_paragraph_numbers_past_9999_are_paragraphs():
    text = "I. Introduction\n\n" + "\n".join(f"{n}. Le texte du paragraphe {n} de ce long rapport." for n in range(1, 10_003))
    units = parse_report(text, "long")
    assert len(units) == 10_002 and [u.id for u in units[-4:]] == ["9999", "10000", "10001", "10002"]
    assert units[9_998].text == "Le texte du paragraphe 9999 de ce long rapport."
