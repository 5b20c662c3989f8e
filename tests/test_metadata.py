"""What a report says about itself (indexer.metadata), read from its first page."""

import pytest

from indexer.corpus import read_report
from indexer.metadata import full_citation, read_metadata, read_metadata_from_text
from tests.conftest import CORPUS, FIXTURES

SAN_JOSE = {
    "doc": "san-jose-2025", "symbol": None, "cited_as": "san-jose-2025",
    "title": "Rapport de la Réunion régionale pour l'Amérique latine et les Caraïbes préparatoire au quinzième "
             "Congrès des Nations Unies pour la prévention du crime et la justice pénale, tenue à San José du 4 au "
             "6 février 2025",
    "meeting": "Réunion régionale pour l'Amérique latine et les Caraïbes préparatoire au quinzième Congrès",
    "region": "Amérique latine et les Caraïbes", "city": "San José", "meeting_dates": ["2025-02-04", "2025-02-06"],
    "date": "2025-02-12", "language": "français", "original_language": "anglais",
    "label": "Amérique latine et les Caraïbes — San José, février 2025",
}


def test_the_bundled_report():
    assert read_metadata(read_report(CORPUS / "san-jose-2025.txt")) == SAN_JOSE


def test_a_second_report_with_typographic_apostrophes():
    meta = read_metadata(read_report(FIXTURES / "second_report.txt"))
    assert (meta["region"], meta["city"], meta["meeting_dates"], meta["date"], meta["original_language"]) == (
        "Asie occidentale", "Beyrouth", ["2025-03-11", "2025-03-13"], "2025-03-17", "arabe")
    assert meta["label"] == "Asie occidentale — Beyrouth, mars 2025"
    assert meta["meeting"] == "Réunion régionale pour l’Asie occidentale préparatoire au quinzième Congrès"


HEAD = "Nations Unies\n{symbol}\nAssemblée générale\nDistr. générale\n{date}\nFrançais\nOriginal : {original}\n\n{title}\n"


@pytest.mark.parametrize("title, city, dates, label", [
    ("Rapport de la Réunion régionale pour l'Afrique préparatoire au quinzième Congrès des Nations Unies pour la "
     "prévention du crime et la justice pénale, tenue à Addis-Abeba du 30 avril au 2 mai 2025",
     "Addis-Abeba", ["2025-04-30", "2025-05-02"], "Afrique — Addis-Abeba, avril 2025"),
    ("Rapport de la Réunion préparatoire régionale pour l'Asie et le Pacifique préparatoire au quinzième Congrès, "
     "tenue à Bangkok le 1er mars 2025", "Bangkok", ["2025-03-01"], "Asie et le Pacifique — Bangkok, mars 2025"),
    ("Rapport de la Réunion régionale pour l'Europe préparatoire au quinzième Congrès, tenue à Vienne du 30 "
     "décembre 2024 au 2 janvier 2025", "Vienne", ["2024-12-30", "2025-01-02"], "Europe — Vienne, décembre 2024"),
])
def test_meetings_over_months_years_and_single_days(title, city, dates, label):
    text = HEAD.format(symbol="A/CONF.241/RPM.3/1", date="1er juin 2025", original="français", title=title)
    meta = read_metadata_from_text(text, "rapport")
    assert (meta["city"], meta["meeting_dates"], meta["label"]) == (city, dates, label)
    assert (meta["symbol"], meta["cited_as"], meta["date"]) == ("A/CONF.241/RPM.3/1", "A/CONF.241/RPM.3/1", "2025-06-01")


def test_a_symbol_from_the_file_header_wins_over_the_text():
    text = HEAD.format(symbol="A/CONF.241/RPM.3/1", date="3 mars 2025", original="anglais", title="Rapport")
    assert read_metadata_from_text(text, "doc", symbol="A/CONF.241/RPM.4/1")["symbol"] == "A/CONF.241/RPM.4/1"


def test_a_text_that_says_nothing_about_itself_is_named_by_its_file():
    meta = read_metadata_from_text("1. Un paragraphe.\n", "notes-2025")
    assert meta["label"] == meta["cited_as"] == "notes-2025"
    assert meta["symbol"] is meta["date"] is meta["city"] is None and meta["meeting_dates"] == []


@pytest.mark.parametrize("cited_as, paragraph, letter, expected", [
    ("A/CONF.241/RPM.3/1", 14, "a", "A/CONF.241/RPM.3/1, par. 14 a)"),
    ("A/CONF.241/RPM.3/1", 14, None, "A/CONF.241/RPM.3/1, par. 14"),
    ("san-jose-2025", 37, "f", "san-jose-2025, par. 37 f)"),
])
def test_full_citation_in_the_un_style(cited_as, paragraph, letter, expected):
    assert full_citation(cited_as, paragraph, letter) == expected
