"""Turn the text of a report into units (numbered paragraphs, lettered recommendations).

The reports of the series share a layout but no fixed numbers: paragraphs are
numbered consecutively through the whole report, recommendations are lettered
a), b)… after a paragraph that ends with a colon, headings are Roman (chapter),
capital-lettered (section), numbered out of sequence (sub-section) or short
unpunctuated lines ("Résumé des délibérations"). Page breaks leave a blank line
and cut a paragraph mid-sentence; the parser recognises the continuation by its
lower-case start or by the unfinished sentence before it, and joins the
fragments with one space. Lines that structure a paragraph (the agenda list
under "l'ordre du jour suivant a été adopté :", the Bureau under "élus par
acclamation :") stay in it, one per line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from indexer.model import Unit

ROMAN_NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

_ROMAN_HEADING = re.compile(r"^([IVX]+)\.\s+(\S.*)$")
_LETTER_HEADING = re.compile(r"^([A-Z])\.\s+(\S.*)$")
_NUMBERED = re.compile(r"^(\d{1,6})\.\s+(\S.*)$")  # a long report may pass paragraph 9999
_LETTERED = re.compile(r"^([a-z])\)\s+(\S.*)$")
_LIST_MARK = re.compile(r"^[-–—•]\s*")
# A sentence is finished when it ends with . ; : ! ? (quotes or brackets may follow),
# or with a closing quotation mark (``is_finished``).
_SENTENCE_ENDS, _CLOSERS = ".;:!?…", "»”\"’')]"
_FOOTNOTE = re.compile(r"\^\{?\d+\}?")  # "féminicides.^{2}": a footnote call, dropped
_SUPERSCRIPT = re.compile(r"\^\{(\w+)\}|\^(\w+)")  # "1^{re}", "3^e": ordinals, kept as "1re", "3e"
_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]+)\]\([^()\n]*\)")  # no "[" inside: linear on "[[[[…"
_LABEL_LINE = re.compile(r"\S\s:\s")  # "Président : …", with a plain or non-breaking space

#: A heading line is short; a longer unpunctuated line is the tail of a cut sentence.
MAX_HEADING_WORDS = 12


def clean_text(text: str) -> str:
    """Undo what the export added (BOM, CR, decomposed accents, ``1^{re}``, footnote calls,
    ``[A/…](#)`` links); typography stays as printed."""
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    text = _FOOTNOTE.sub("", text)
    text = _SUPERSCRIPT.sub(lambda m: m.group(1) or m.group(2), text)
    return _MARKDOWN_LINK.sub(r"\1", text)


def is_finished(text: str) -> bool:
    """The text ends a sentence. Only its last characters are looked at (a paragraph continued
    over thousands of lines is asked this at every line)."""
    tail = text[-200:].rstrip()
    if tail.endswith("»"):
        return True
    return tail.rstrip(_CLOSERS).rstrip()[-1:] in tuple(_SENTENCE_ENDS)


@dataclass
class _Open:
    """The unit being read, with what the next lines need to know about it. Its lines are
    gathered and joined once, when it closes: joining at every line is quadratic."""

    unit: Unit
    has_list: bool = False  # structuring lines were appended (agenda list, Bureau)
    parts: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.parts = [self.unit.text]

    @property
    def tail(self) -> str:
        """The end of the text read so far (what continuation rules look at)."""
        return self.parts[-1] if len(self.parts[-1]) >= 200 or len(self.parts) == 1 else "".join(self.parts[-4:])

    def flush(self) -> None:
        self.unit.text = "".join(self.parts)
        self.parts = [self.unit.text]


@dataclass
class _State:
    doc: str
    lines: list[str] = field(default_factory=list)
    position: int = 0  # of the line being read
    problems: list[str] = field(default_factory=list)  # numbering mistakes, for the build to report
    units: list[Unit] = field(default_factory=list)
    chapter: str | None = None
    chapter_index: int = -1
    section: str | None = None
    section_letter: str | None = None
    subsection: str | None = None
    subheading: str | None = None
    last_paragraph: int = 0
    letters_of: int | None = None  # paragraph whose lettered recommendations are being read
    last_letter: str | None = None
    current: _Open | None = None

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(h for h in (self.chapter, self.section, self.subsection) if h)

    def close(self) -> None:
        if self.current is not None:
            self.current.flush()
        self.current = None
        self.letters_of = None
        self.last_letter = None

    def start_unit(self, paragraph: int, letter: str | None, text: str) -> None:
        if self.current is not None:
            self.current.flush()
        unit = Unit(self.doc, paragraph, letter, text.strip(), self.headings, self.subheading)
        self.units.append(unit)
        self.current = _Open(unit)

    def append(self, line: str, *, as_list_line: bool) -> None:
        assert self.current is not None
        self.current.parts.append(("\n" if as_list_line else " ") + line)
        self.current.has_list |= as_list_line


def parse_report(text: str, doc: str, problems: list[str] | None = None) -> list[Unit]:
    """Units of one report, in document order. A paragraph number out of sequence in running
    text (one missing, misprinted or repeated) is read as what it must be, and said in ``problems``."""
    lines = [line.strip() for line in clean_text(text).split("\n")]
    state = _State(doc, lines)
    for state.position in range(_body_start(lines), len(lines)):
        if lines[state.position]:
            _read_line(state, lines[state.position])
    state.close()
    if problems is not None:
        problems.extend(state.problems)
    return state.units


def _body_start(lines: list[str]) -> int:
    """Index of the first chapter heading that is not a table-of-contents entry."""
    for i, line in enumerate(lines):
        if _ROMAN_HEADING.match(line) and "\t" not in line and _ROMAN_HEADING.match(line).group(1) == "I":
            return i
    for i, line in enumerate(lines):  # no chapters: start at paragraph 1
        m = _NUMBERED.match(line)
        if m and m.group(1) == "1" and "\t" not in line:
            return i
    return len(lines)


def _read_line(state: _State, line: str) -> None:
    current = state.current
    # A list line ("Président : …") has no final stop, yet the next line does not continue it.
    open_sentence = current is not None and not current.has_list and not is_finished(current.tail)
    if "\t" in line:  # tables (annex document lists) are not running text
        if current is None or not open_sentence:
            state.close()
            return

    m = _ROMAN_HEADING.match(line)
    if m and _is_next_chapter(state, m.group(1)) and not open_sentence:
        state.close()
        state.chapter_index = ROMAN_NUMERALS.index(m.group(1))
        state.chapter, state.section, state.section_letter = line, None, None
        state.subsection = state.subheading = None
        return

    m = _LETTER_HEADING.match(line)
    if m and _is_next_section(state, m.group(1)) and not open_sentence:
        state.close()
        state.section, state.section_letter = line, m.group(1)
        state.subsection = state.subheading = None
        return

    m = _NUMBERED.match(line)
    if m and int(m.group(1)) == state.last_paragraph + 1:
        state.close()
        state.last_paragraph = int(m.group(1))
        state.start_unit(state.last_paragraph, None, m.group(2))
        return

    if open_sentence and not _LIST_MARK.match(line) and not _LETTERED.match(line):
        state.append(line, as_list_line=False)  # page break inside a sentence
        return

    m = _LETTERED.match(line)
    if m and current is not None and _is_next_letter(state, current, m.group(1)):
        paragraph = current.unit.paragraph
        state.letters_of, state.last_letter = paragraph, m.group(1)
        state.start_unit(paragraph, m.group(1), m.group(2))
        return

    if current is not None and _continues_list(current, line):
        state.append(line, as_list_line=True)
        return

    m = _NUMBERED.match(line)
    if m and _resynchronised(state, int(m.group(1)), m.group(2)):
        return
    if m:  # numbered out of sequence, outside a list: a sub-section heading
        state.close()
        state.subsection, state.subheading = line, None
        return

    if current is not None and line[0].islower():
        state.append(line, as_list_line=False)
        return

    if _looks_like_heading(line):
        state.close()
        state.subheading = line
        return

    if current is not None:  # a page break that fell between two sentences
        state.append(line, as_list_line=False)


#: How far past the expected number a paragraph may be numbered and still be taken for one.
MAX_GAP = 20
_LOOKAHEAD_LINES = 400


def _resynchronised(state: _State, number: int, text: str) -> bool:
    """A paragraph whose number is not the next one: a sentence, not a heading, numbered a little
    past the expected number (paragraphs are missing, or this one is misprinted) or with the
    previous paragraph's number. The next numbered sentence tells which."""
    expected = state.last_paragraph + 1
    if _looks_like_heading(text) or not (expected < number <= expected + MAX_GAP or number == expected - 1):
        return False
    following = _next_numbered_sentence(state)
    where = f"{state.doc}: paragraph"
    state.close()
    if following in (number, expected + 1) and not (number == expected + 1 and following == number + 1):
        state.problems.append(f"{where} {expected} is numbered {number} (the next paragraph is {following})")
        number = expected  # a misprint: it stands where the expected paragraph does
    elif number == expected - 1:  # the same number twice: the second text is kept with the first
        state.problems.append(f"{where} number {number} is used twice; the second text is kept in §{number}")
        state.current = _Open(state.units[-1]) if state.units and state.units[-1].letter is None else None
        if state.current is None:
            return False
        state.append(text, as_list_line=False)
        return True
    else:
        missing = f"{expected}" if number == expected + 1 else f"{expected} to {number - 1}"
        state.problems.append(f"{where}{'s' if number > expected + 1 else ''} {missing} missing "
                              f"({state.last_paragraph} is followed by {number})")
    state.last_paragraph = number
    state.start_unit(number, None, text)
    return True


def _next_numbered_sentence(state: _State) -> int | None:
    for line in state.lines[state.position + 1:state.position + 1 + _LOOKAHEAD_LINES]:
        m = _NUMBERED.match(line)
        if m and not _looks_like_heading(m.group(2)):
            return int(m.group(1))
    return None


def _is_next_chapter(state: _State, numeral: str) -> bool:
    return numeral in ROMAN_NUMERALS and ROMAN_NUMERALS.index(numeral) == state.chapter_index + 1


def _is_next_section(state: _State, letter: str) -> bool:
    expected = "A" if state.section_letter is None else chr(ord(state.section_letter) + 1)
    return letter == expected


def _is_next_letter(state: _State, current: _Open, letter: str) -> bool:
    if state.letters_of is not None:
        return state.last_letter is not None and letter == chr(ord(state.last_letter) + 1)
    unit = current.unit
    return letter == "a" and unit.letter is None and not current.has_list and current.tail.rstrip().endswith(":")


def _continues_list(current: _Open, line: str) -> bool:
    """A structuring line of the current paragraph (list item, "Président : …")."""
    unit = current.unit
    if unit.letter is not None:
        return False
    if current.has_list:
        return bool(_LIST_MARK.match(line) or _NUMBERED.match(line) or _LETTERED.match(line) or _LABEL_LINE.search(line))
    return current.tail.rstrip().endswith(":")


def _looks_like_heading(line: str) -> bool:
    return len(line.split()) <= MAX_HEADING_WORDS and not is_finished(line) and line[0].isupper()
