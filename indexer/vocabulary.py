"""The words of the indexed text, as printed: what typo correction proposes, what tells
French from English, and what is never corrected.

Counted on the thematic text: names of speakers and participants ("Alliance of NGOs on
Crime Prevention…") are left out there, as they would make "crime" or "NGOs" look like words
of the text. Those names and the headings are still recorded, with a count of 0: a word
printed anywhere in the index ("Mexique" in a list of states) is never "corrected" into
another word.

A build writes each segment's word forms (``write_word_forms``) and merges them into the
generation's vocabulary (``merge_word_forms``), so that an incremental build does not read
every unit's text again.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from indexer.analysis import TYPOGRAPHIC_APOSTROPHES, WORD_PATTERN, analyze, strip_elision, word_key

_WORD = re.compile(WORD_PATTERN)

#: How a word is looked up: the analysis chain's normalising filters (no elided article,
#: lower case, no accents), so a key is always what the indexed term was stemmed from.
key = word_key


def word_forms(units) -> dict[str, Counter]:
    """Each word key's printed forms with their counts in the thematic text (0 for a word printed
    only in lists of speakers or headings), in order of first appearance."""
    from indexer.themes import thematic_text  # building only: searching reads the file

    thematic: Counter = Counter()
    printed_anywhere: dict[str, None] = {}
    for unit in units:
        thematic.update(_WORD.findall(thematic_text(unit.text)))
        for text in (unit.text, *unit.headings):
            printed_anywhere.update(dict.fromkeys(_WORD.findall(text)))
    forms: dict[str, Counter] = {}
    for word in [*thematic, *(w for w in printed_anywhere if w not in thematic)]:
        printed = strip_elision(word.translate(TYPOGRAPHIC_APOSTROPHES))[1]
        if printed.isalpha():
            forms.setdefault(key(printed), Counter())[printed] += thematic[word]
    return forms


def write_word_forms(path: Path, units) -> None:
    """One line per (key, printed form) of ``units``: key, form, count, the form's terms."""
    lines = [f"{folded}\t{printed}\t{count}\t{' '.join(analyze(printed))}"
             for folded, counter in word_forms(units).items() for printed, count in counter.items()]
    Path(path).write_text("".join(line + "\n" for line in lines), "utf-8")


def merge_word_forms(path: Path, parts: list[Path]) -> None:
    """The vocabulary from the word forms of every segment: one line per key, its most frequent
    printed form, the total count, that form's terms (opening an index analyses nothing)."""
    forms: dict[str, Counter] = {}
    terms: dict[str, str] = {}
    for part in parts:
        for line in Path(part).read_text("utf-8").splitlines():
            folded, printed, count, analysed = line.split("\t")
            forms.setdefault(folded, Counter())[printed] += int(count)
            terms[printed] = analysed
    lines = []
    for folded, counter in sorted(forms.items()):
        printed = max(counter, key=lambda w: (counter[w], w.islower()))
        lines.append(f"{folded}\t{printed}\t{sum(counter.values())}\t{terms[printed]}")
    Path(path).write_text("\n".join(lines) + "\n", "utf-8")


def read_vocabulary(path: Path) -> tuple[dict[str, tuple[str, int]], set[str], frozenset[str]]:
    """(key → (printed form, count) of the thematic words, every term they give, the key of every
    word printed anywhere); empty for an index without a vocabulary."""
    path = Path(path)
    if not path.is_file():
        return {}, set(), frozenset()
    rows = [line.split("\t") for line in path.read_text("utf-8").splitlines()]
    words = {folded: (printed, int(count)) for folded, printed, count, _ in rows if count != "0"}
    terms = set(" ".join(row[3] for row in rows if row[2] != "0").split())
    return words, terms, frozenset(row[0] for row in rows)
