"""Who spoke in each agenda section: states, observer states, organisations.

The reports open each agenda section with sentences such as "Des déclarations
ont été faites par les représentantes et représentants des États suivants :
A, B et C." or "Une déclaration a été faite par l'observateur des Émirats
arabes unis." The speakers found there are given to every unit of the section.
State names come from the gazetteer, so "Royaume-Uni de Grande-Bretagne et
d'Irlande du Nord" stays whole and "Trinité-et-Tobago et Uruguay" splits in two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby

from indexer.analysis import normalize
from indexer.model import Unit
from indexer.states import GAZETTEER


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ«])")
# "Des déclarations ont été faites par …": the first "déclaration(s)", then the first "faite(s) par"
# after it (two searches, each linear: one pattern with ".*?" between them is quadratic on text
# that repeats the first word).
_STATEMENTS = re.compile(r"\bd[ée]clarations?\b", re.I)
_MADE_BY = re.compile(r"\bfaites?\s+par\s+", re.I)
_MADE_STATEMENT = re.compile(
    r"^(?P<who>.+?)\s+(?:a|ont)\s+(?:\w+\s+)?fait\s+(?:une|des)\s+d[ée]clarations?\b", re.I | re.S
)
_REPRESENTED = re.compile(r"\b(?:étaient|était|sont|est)\s+représenté(?:e|s|es)?\b", re.I)
_CLAUSE_SEPARATOR = re.compile(r",?\s+(?:et|ainsi que)\s+par\s+|\s*;\s*par\s+", re.I)
# List items are separated by commas, and the last by "et" before a capital
# ("Trinité-et-Tobago et Uruguay"; not "… de droit et de technologie").
_LIST_SEPARATOR = re.compile(r"\s*[,;]\s+|\s+et\s+(?=[A-ZÀ-ÖØ-Þ])")
_BULLET_LINE = re.compile(r"\n[ \t]*[-–—•][ \t]*")
_ROLE_PREFIX = re.compile(
    r"^(?:(?:les|le|la|une?)\s+|l['’])?"
    r"(?:(?:observat|représentant|delegu|délégu)\w*(?:\s+et\s+(?:observat|représentant)\w*)?\s+)?"
    r"(?:de\s+l['’]|de\s+la\s+|du\s+|des\s+|de\s+|d['’])?",
    re.I,
)
_ARTICLE = re.compile(r"^(?:l['’]|la\s+|le\s+|les\s+)", re.I)
# "… de l'Organisation X et de Global Initiative" names two organisations.
_ORGANISATION_SEPARATOR = re.compile(r"\s+et\s+(?:de\s+l['’]|de\s+la\s+|du\s+|des\s+|de\s+|d['’])?(?=[A-ZÀ-ÖØ-Þ])")
# People who speak for an office, not for an organisation that took the floor.
_OFFICE_HOLDER = re.compile(
    r"^(?:secr[ée]taire|direct(?:eur|rice)|ministre|vice-|pr[ée]sident|coordonnat|chef|rapporteu|haut|haute)", re.I
)


@dataclass
class Speakers:
    states: list[str] = field(default_factory=list)
    observers: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    def add(self, other: Speakers) -> None:
        for mine, theirs in ((self.states, other.states), (self.observers, other.observers),
                             (self.organisations, other.organisations)):
            mine.extend(x for x in theirs if x not in mine)


def read_speakers(text: str, unknown: list[str] | None = None) -> Speakers:
    """Speakers named in the statement sentences of one paragraph (none if it has no such sentence).
    ``unknown`` receives the names listed as states that the gazetteer does not know."""
    speakers = Speakers()
    text = _BULLET_LINE.sub("; ", text)  # a bulleted list names one speaker a line
    for sentence in SENTENCE_END.split(" ".join(text.split())):
        who = _speaker_phrase(sentence)
        if who:
            for clause in _CLAUSE_SEPARATOR.split(who):
                speakers.add(_read_clause(clause, unknown))
    return speakers


def assign_speakers(units: list[Unit], unknown: list[str] | None = None) -> None:
    """Give every unit the speakers of its agenda section (``unknown``: see ``read_speakers``)."""
    for _, group in groupby(units, key=lambda u: (u.doc, u.headings)):
        section = list(group)
        speakers = Speakers()
        for unit in section:
            if unit.letter is None:
                speakers.add(read_speakers(unit.text, unknown))
        for unit in section:
            unit.states = list(speakers.states)
            unit.observers = [s for s in speakers.observers if s not in speakers.states]
            unit.organisations = list(speakers.organisations)


def names_speakers_or_participants(sentence: str) -> bool:
    """True for sentences that only list who spoke or attended (their names are not topics)."""
    return _speaker_phrase(sentence) is not None or bool(_REPRESENTED.search(" ".join(sentence.split())))


def _speaker_phrase(sentence: str) -> str | None:
    # One space between words: the patterns below then never try a run of spaces position by position.
    sentence = " ".join(sentence.split()).rstrip(".").strip()
    statements = _STATEMENTS.search(sentence)
    made_by = statements and _MADE_BY.search(sentence, statements.end())
    if made_by and made_by.end() < len(sentence):
        return sentence[made_by.end():].strip(" ,")
    match = _MADE_STATEMENT.search(sentence)
    if not match:
        return None
    who, rest = match.group("who"), sentence[match.end():]
    if ":" in rest:  # "Les représentants des pays suivants ont fait des déclarations : A, B et C"
        who = f"{who} : {rest.split(':', 1)[1]}"
    return who.strip(" ,")


def _read_clause(clause: str, unknown: list[str] | None) -> Speakers:
    speakers = Speakers()
    observer = "observat" in clause.lower()
    head, colon, tail = clause.partition(":")
    if colon:
        hint = normalize(head)
        expects_states = "etat" in hint or "pays" in hint
        for item in _LIST_SEPARATOR.split(tail.strip().rstrip(".")):
            item = item.strip()
            if not item:
                continue
            state = GAZETTEER.lookup(item) or _single_state(item)
            if state or expects_states:
                if not state and unknown is not None and item not in unknown:
                    unknown.append(item)
                (speakers.observers if observer else speakers.states).append(state or item)
            else:
                speakers.organisations.append(_organisation_name(item))
        return speakers
    states = GAZETTEER.find_all(clause)
    if states:
        (speakers.observers if observer else speakers.states).extend(states)
    else:
        for part in _ORGANISATION_SEPARATOR.split(clause):
            name = _organisation_name(part)
            if name and not _OFFICE_HOLDER.match(name):
                speakers.organisations.append(name)
    return speakers


def _single_state(item: str) -> str | None:
    states = GAZETTEER.find_all(item)
    return states[0] if len(states) == 1 else None


def _organisation_name(phrase: str) -> str:
    """ "l'observatrice de l'Institut X" → "Institut X"."""
    name = _ROLE_PREFIX.sub("", phrase.strip(), count=1)
    return _ARTICLE.sub("", name).strip(" ,.")
