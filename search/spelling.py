"""Typos: a query word the index has never seen is replaced by the closest word it has.

The vocabulary (``vocabulary.tsv`` in each index generation) lists the words of
the indexed text, folded, with their most frequent printed form and count.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from indexer.analysis import analyze, fold

#: How alike a word and its correction must be (difflib ratio): "extraditon" → "extradition"
#: (0.95), "justise" → "justice" (0.86), but not "meurtres" → "mesures" (0.8).
CUTOFF = 0.85
MIN_LENGTH = 4  # shorter words are too ambiguous to correct


class Speller:
    def __init__(self, words: dict[str, tuple[str, int]], known_terms):
        self.words = words          # folded word → (printed form, count)
        self.known_terms = known_terms  # set-like of the index's terms
        self._by_length: dict[int, list[str]] = {}
        for word in words:
            self._by_length.setdefault(len(word), []).append(word)

    @classmethod
    def from_file(cls, path: Path, known_terms) -> Speller:
        words = {}
        if path.is_file():
            for line in path.read_text("utf-8").splitlines():
                folded, printed, count = line.split("\t")
                words[folded] = (printed, int(count))
        return cls(words, known_terms)

    def correct(self, word: str) -> str | None:
        """The printed form of the closest indexed word, or None if ``word`` needs no correction."""
        terms = analyze(word)
        key = fold(word.lower())
        if not terms or all(t in self.known_terms for t in terms) or len(key) < MIN_LENGTH or not key.isalpha():
            return None
        return self.closest(word)

    def closest(self, word: str, cutoff: float = CUTOFF) -> str | None:
        """The printed form of the indexed word most like ``word`` (frequent words win ties)."""
        key = fold(word.lower())
        candidates = [w for n in range(len(key) - 2, len(key) + 3) for w in self._by_length.get(n, ())]
        close = difflib.get_close_matches(key, candidates, n=5, cutoff=cutoff)
        if not close:
            return None
        best = max(close, key=lambda w: (round(difflib.SequenceMatcher(None, key, w).ratio(), 2), self.words[w][1]))
        return self.words[best][0]
