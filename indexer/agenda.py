"""The agenda facet: which item of the Congress agenda a unit's section discusses.

>>> agenda_of(("II. Recommandations", "B. Questions de fond et ateliers",
...            "3. Aborder … (point 5 de l'ordre du jour) ; et aller de l'avant (atelier 3)"))
('5', 'Point 5 – Formes de criminalité nouvelles, émergentes et évolutives (atelier 3)')
>>> agenda_of(("I. Introduction",))
(None, 'Introduction')
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources

from indexer.analysis import normalize

_CONFIG = tomllib.loads(resources.files("indexer").joinpath("data/agenda.toml").read_text(encoding="utf-8"))
_POINT = re.compile(r"\(point\s+(\d+)\s+de\s+l['’]ordre\s+du\s+jour\)", re.I)
_WORKSHOP = re.compile(r"\(atelier\s+(\d+)\)", re.I)
_MARKER = re.compile(r"^(?:[IVX]+|[A-Z]|\d+)\.\s+")
MAIN_THEME = "theme"


def agenda_of(headings: tuple[str, ...]) -> tuple[str | None, str]:
    """(key, label) of a section: key is "theme", a point number, or None for procedural parts."""
    for heading in reversed(headings):
        point = _POINT.search(heading)
        if point:
            return point.group(1), _point_label(point.group(1), heading)
    main = _CONFIG["main_theme"]
    for heading in headings:
        if normalize(_MARKER.sub("", heading)).startswith(normalize(main["heading"])):
            return MAIN_THEME, main["label"]
    # Procedural parts (introduction, participation, adoption) are named by their chapter.
    return None, _MARKER.sub("", headings[0]) if headings else "Sans titre"


def _point_label(number: str, heading: str) -> str:
    topic = _CONFIG["points"].get(number)
    if topic is None:  # an agenda this file does not know: the heading's first words
        words = _MARKER.sub("", heading[: _POINT.search(heading).start()]).split()
        topic = " ".join(words[:8]).rstrip(" ,;:") + ("…" if len(words) > 8 else "")
    workshop = _WORKSHOP.search(heading)
    return f"Point {number} – {topic}" + (f" (atelier {workshop.group(1)})" if workshop else "")
