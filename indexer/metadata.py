"""What a report says about itself: symbol, title, meeting, region, city and dates, languages.

Read from the first page's block as the series prints it ("Assemblée générale / Distr.
générale / 12 février 2025 / Français / Original : anglais", then the title "Rapport de la
Réunion régionale pour … préparatoire au quinzième Congrès …, tenue à San José du 4 au 6
février 2025"). The symbol comes from the file's running header when it has one, else from
a symbol line of that block; a report without one (the bundled ``.txt``) is cited by its
file name.

>>> meta = read_metadata_from_text("Distr. générale\\n12 février 2025\\nFrançais\\nOriginal : anglais\\n"
...     "Rapport de la Réunion régionale pour l'Afrique préparatoire au quinzième Congrès des Nations Unies "
...     "pour la prévention du crime et la justice pénale, tenue à Addis-Abeba du 3 au 5 mars 2025\\n", "addis")
>>> meta["label"], meta["date"], meta["meeting_dates"], meta["city"]
('Afrique — Addis-Abeba, mars 2025', '2025-02-12', ['2025-03-03', '2025-03-05'], 'Addis-Abeba')
>>> meta["symbol"], meta["cited_as"], meta["original_language"]
(None, 'addis', 'anglais')
"""

from __future__ import annotations

import re

#: Lines of the first page looked at; the body starts long before that ends.
HEAD_LINES = 60
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
_MONTH = "|".join(MONTHS)
#: What a UN document symbol looks like: one definition, for the metadata and the file readers.
SYMBOL = re.compile(r"^(?:[A-Z]{1,4}/)+(?:[A-Z0-9.]+/)*[A-Z0-9.]+$")  # A/CONF.241/RPM.2/1, E/CN.15/2025/1
_DATE = re.compile(rf"^(\d{{1,2}})(?:er)? ({_MONTH}) (\d{{4}})$", re.I)
_LANGUAGES = ("Français", "Anglais", "Arabe", "Chinois", "Espagnol", "Russe")
_ORIGINAL = re.compile(r"^Original\s*:\s*(\w+)", re.I)
_MEETING = re.compile(r"(Réunion\b.*?\bpréparatoire au \w+ Congrès)")
_REGION = re.compile(r"Réunion (?:préparatoire )?régionale (?:préparatoire )?pour (?:l['’]|la |le |les )?(.+?) "
                     r"préparatoire\b")
_PLACE = re.compile(rf"tenue à (?P<city>[^,]+?) (?:du (?P<d1>\d{{1,2}})(?:er)?(?: (?P<m1>{_MONTH}))?(?: (?P<y1>\d{{4}}))?"
                    rf" au (?P<d2>\d{{1,2}})|le (?P<d>\d{{1,2}})(?:er)?) (?P<m2>{_MONTH}) (?P<y2>\d{{4}})")


def read_metadata(report) -> dict:
    """The metadata of an ``indexer.corpus.Report``."""
    return read_metadata_from_text(report.text, report.doc, report.symbol)


def read_metadata_from_text(text: str, doc: str, symbol: str | None = None) -> dict:
    lines = [line.strip() for line in text.splitlines()[:HEAD_LINES] if line.strip()]
    symbol = symbol or next((line for line in lines[:12] if SYMBOL.match(line)), None)
    date = None
    for before, line in zip([""] + lines, lines):
        if before.startswith("Distr.") and (found := _DATE.match(line)):
            date = _iso(found.group(3), found.group(2), found.group(1))
            break
    language = next((line for line in lines[:15] if line in _LANGUAGES), None)
    original = next((m.group(1) for line in lines[:15] if (m := _ORIGINAL.match(line))), None)
    title = next((line for line in lines if line.startswith("Rapport ")), None)
    meeting = region = city = None
    meeting_dates: list[str] = []
    if title:
        if found := _MEETING.search(title):
            meeting = found.group(1)
        if found := _REGION.search(title):
            region = found.group(1)
            region = region[0].upper() + region[1:]
        if found := _PLACE.search(title):
            city = found.group("city")
            year, month = found.group("y2"), found.group("m2")
            if found.group("d"):
                meeting_dates = [_iso(year, month, found.group("d"))]
            else:
                meeting_dates = [_iso(found.group("y1") or year, found.group("m1") or month, found.group("d1")),
                                 _iso(year, month, found.group("d2"))]
    return {
        "doc": doc, "symbol": symbol, "cited_as": symbol or doc, "title": title, "meeting": meeting,
        "region": region, "city": city, "meeting_dates": meeting_dates, "date": date,
        "language": language.lower() if language else None, "original_language": original.lower() if original else None,
        "label": _label(doc, region, city, meeting_dates),
    }


def _label(doc: str, region: str | None, city: str | None, dates: list[str]) -> str:
    """How the report facet shows a report: "Afrique — Addis-Abeba, mars 2025"."""
    if not region and not city:
        return doc
    when = f"{MONTHS[int(dates[0][5:7]) - 1]} {dates[0][:4]}" if dates else ""
    place = ", ".join(part for part in (city, when) if part)
    return " — ".join(part for part in (region, place) if part)


def _iso(year: str, month: str, day: str) -> str:
    return f"{int(year):04d}-{MONTHS.index(month.lower()) + 1:02d}-{int(day):02d}"


def full_citation(cited_as: str, paragraph: int, letter: str | None) -> str:
    """A unit cited in the UN style: "A/CONF.241/RPM.3/1, par. 14 a)"."""
    return f"{cited_as}, par. {paragraph}{f' {letter})' if letter else ''}"
