"""Typos: a query word the index has never seen is replaced by the closest word it has.

Only a near miss is corrected silently: one edit (a letter missing, extra, wrong or two
letters swapped) for words up to 6 letters, two for longer ones; "extraditon" becomes
"extradition", but "procès" does not become "propices". A farther match is only offered
as "did you mean" when the query finds nothing.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from indexer.analysis import analyze
from indexer.vocabulary import key

MIN_LENGTH = 4      # shorter words are too ambiguous to correct
SUGGEST_CUTOFF = 0.6  # similarity ratio (0–1) for "did you mean"
CACHED_WORDS = 4096   # corrections remembered per index generation


class Speller:
    """One index generation's words. Corrections are remembered (per word, for as long as the
    generation is open): a correction costs milliseconds, and the same typos come back."""

    def __init__(self, words: dict[str, tuple[str, int]], terms: set[str], printed: frozenset[str] = frozenset()):
        self.words = words  # key → (printed form, count), from the index's vocabulary
        self.terms = terms  # what the French words of the text give
        self.printed = printed  # the key of every word printed anywhere (lists of speakers, headings)
        self.correct = lru_cache(maxsize=CACHED_WORDS)(self._correct)
        self.closest = lru_cache(maxsize=CACHED_WORDS)(self._closest)

    @cached_property
    def _by_length(self) -> dict[int, list[str]]:
        """The words by length, made on the first correction (cold start: most searches need none)."""
        by_length: dict[int, list[str]] = {}
        for word in self.words:
            by_length.setdefault(len(word), []).append(word)
        return by_length

    def knows(self, word: str) -> bool:
        """A word whose terms all occur in the text (as a form of any of its words)."""
        terms = analyze(word)
        return bool(terms) and all(t in self.terms for t in terms)

    def is_printed(self, word: str) -> bool:
        return key(word) in self.words

    def _correct(self, word: str) -> str | None:
        """The printed form of the indexed word one or two edits away, or None."""
        typed = key(word)
        if (len(typed) < MIN_LENGTH or not typed.isalpha() or not analyze(word) or self.knows(word)
                or typed in self.printed):
            return None  # short, not a word, a stop word ("quelles"), known, or printed somewhere ("Mexique")
        allowed = 1 if len(typed) <= 6 else 2
        elided = _elided(word)
        candidates = [w for w in self._close(typed, 0.7) if edit_distance(typed, w) <= allowed
                      and analyze(self.words[w][0])  # never into a stop word
                      and (not elided or w[:1] in _ELIDABLE)]  # "l'homme" may not become "l'comme"
        if not candidates:
            return None
        best = min(candidates, key=lambda w: (edit_distance(typed, w), -self.words[w][1]))
        return _with_elision(word, self.words[best][0])

    def _closest(self, word: str) -> str | None:
        """The printed form of the indexed word most like ``word``, for "did you mean"."""
        close = self._close(key(word), SUGGEST_CUTOFF)
        return self.words[close[0]][0] if close else None

    def _close(self, typed: str, cutoff: float) -> list[str]:
        candidates = [w for n in range(len(typed) - 2, len(typed) + 3) for w in self._by_length.get(n, ())]
        return close_matches(typed, candidates, n=5, cutoff=cutoff)


def close_matches(word: str, candidates, n: int, cutoff: float) -> list[str]:
    """The ``n`` candidates most like ``word`` (ratio at least ``cutoff``), best first.

    As ``difflib.get_close_matches`` chose them (ties go to the greater string), with
    rapidfuzz's ratio: it counts the longest common subsequence where difflib's greedy
    matching may miss a letter, so a few more near misses pass the cutoff
    ("rehcernche" finds "recherche"). Imported here, for a word the index does not know:
    most searches need no correction (cold start).
    """
    import heapq

    from rapidfuzz import fuzz, process

    found = process.extract(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=None)
    return [match for _, match in heapq.nlargest(n, ((score, match) for match, score, _ in found))]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps.

    >>> edit_distance("extraditon", "extradition"), edit_distance("porcès", "procès")
    (1, 1)
    """
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b)


#: What an elided article may stand before: a vowel or a mute h (keys have no accents).
_ELIDABLE = frozenset("aeiouyh")


def _elided(word: str) -> bool:
    """The word starts with an elided article or pronoun ("l'", "d’", "qu'")."""
    cut = max(word.rfind("'"), word.rfind("’"))
    return cut >= 0 and key(word[:cut + 1] + "x") == "x"


def _with_elision(typed: str, printed: str) -> str:
    """Keep what the user wrote before the apostrophe: "l'extraditon" → "l'extradition"."""
    cut = max(typed.rfind("'"), typed.rfind("’"))
    return typed[:cut + 1] + printed if cut >= 0 and key(typed[:cut + 1] + "x") == "x" else printed
