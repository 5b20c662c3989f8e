"""The words of the indexed text, as printed: what typo correction proposes and what tells
French from English. Names of speakers and participants ("Alliance of NGOs on Crime
Prevention…") are left out: they would make "crime" or "NGOs" look like words of the text.
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


def write_vocabulary(path: Path, texts) -> None:
    """One line per word: key, most frequent printed form, count, its terms (so that
    opening an index does not analyse the whole vocabulary again)."""
    from indexer.themes import thematic_text  # building only: searching reads the file

    counts: Counter = Counter()
    for text in texts:
        counts.update(_WORD.findall(thematic_text(text)))
    forms: dict[str, Counter] = {}
    for word, count in counts.items():
        printed = strip_elision(word.translate(TYPOGRAPHIC_APOSTROPHES))[1]
        if printed.isalpha():
            forms.setdefault(key(printed), Counter())[printed] += count
    lines = []
    for folded, counter in sorted(forms.items()):
        printed = max(counter, key=lambda w: (counter[w], w.islower()))
        lines.append(f"{folded}\t{printed}\t{sum(counter.values())}\t{' '.join(analyze(printed))}")
    Path(path).write_text("\n".join(lines) + "\n", "utf-8")


def read_vocabulary(path: Path) -> tuple[dict[str, tuple[str, int]], set[str]]:
    """(key → (printed form, count), every term the words give); empty for an index without one."""
    path = Path(path)
    if not path.is_file():
        return {}, set()
    rows = [line.split("\t") for line in path.read_text("utf-8").splitlines()]
    words = {folded: (printed, int(count)) for folded, printed, count, _ in rows}
    return words, set(" ".join(row[3] for row in rows).split())
