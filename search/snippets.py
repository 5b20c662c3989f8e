"""Snippets: the part of a unit's text where the query's words are densest, words marked whole.

Words are found with the same analyzer as the index, so ``criminalite``
marks "criminalité" and ``assemblee`` marks the "Assemblée" of "l'Assemblée"
(the elided article stays unmarked).

>>> parts = make_snippet("L'Assemblée générale a décidé", lambda term: term == "assembl")
>>> "".join(f"[{p}]" if marked else p for p, marked in parts)
"L'[Assemblée] générale a décidé"
"""

from __future__ import annotations

import re
from typing import Callable

from indexer.analysis import term_spans

#: About two lines of a terminal.
SNIPPET_CHARS = 240
_CONTEXT_BEFORE = 60
#: Of a long unit, the part looked through for matches (the rest only if it holds none): a
#: paragraph of megabytes costs what its first 100,000 characters do.
SCANNED_CHARS = 100_000

Snippet = list[tuple[str, bool]]  # (text, is_match) parts, in order


def matched_spans(text: str, is_match: Callable[[str], bool]) -> list[tuple[int, int]]:
    """(start, end) character spans of the words whose analysed term is a match."""
    return [(start, end) for term, start, end in term_spans(text) if is_match(term)]


def symbol_pattern(symbol: str, then: str = "") -> re.Pattern:
    """Where a document symbol is cited as a whole: "A/CONF.241/RPM.2/1", not "A/CONF.241/RPM.2/1/Add.1"
    nor the start of "A/CONF.241/RPM.2/10"; with ``then="/"``, the symbol as the start of a longer
    one ("A/CONF.241/RPM.2" of "A/CONF.241/RPM.2/L.1")."""
    after = rf"(?={re.escape(then)})" if then else r"(?![\w/]|\.\w)"
    return re.compile(rf"(?<![\w/.]){re.escape(symbol)}{after}", re.I)


def make_snippet(text: str, is_match: Callable[[str], bool], max_chars: int = SNIPPET_CHARS,
                 whole: list[re.Pattern] = ()) -> Snippet:
    """``whole``: patterns marked as one match (a document symbol), the terms inside them not one by one."""
    text = text.replace("\n", " ")
    spans = _scanned_spans(text, is_match)
    if whole:
        found = {m.span() for pattern in whole for m in pattern.finditer(text[:SCANNED_CHARS])}
        wholes = sorted(span for span in found if not any(o != span and o[0] <= span[0] and span[1] <= o[1]
                                                          for o in found))  # the longest of nested ones
        spans = sorted(wholes + [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in wholes)])
    if len(text) <= max_chars:
        start, end = 0, len(text)
    else:
        first = _densest_window(spans, max_chars)
        start = _word_start(text, max(0, first - _CONTEXT_BEFORE)) if first else 0
        start = min(start, first)  # a run of text without spaces never pushes the match out
        end = _word_end(text, min(len(text), start + max_chars))
        if spans:
            end = max(end, next(e for s, e in spans if s >= first))
    parts: Snippet = [("…", False)] if start > 0 else []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        if s > cursor:
            parts.append((text[cursor:s], False))
        parts.append((text[s:e], True))
        cursor = e
    if cursor < end:
        parts.append((text[cursor:end], False))
    if end < len(text):
        parts.append(("…", False))
    return parts


def _scanned_spans(text: str, is_match: Callable[[str], bool]) -> list[tuple[int, int]]:
    if len(text) <= SCANNED_CHARS:
        return matched_spans(text, is_match)
    cut = _word_end(text, SCANNED_CHARS)
    return matched_spans(text[:cut], is_match) or [(s + cut, e + cut) for s, e in matched_spans(text[cut:], is_match)]


def _densest_window(spans: list[tuple[int, int]], width: int) -> int:
    """Start of the match that opens the window holding the most matches (the first such).
    One pass with two ends: a unit repeating a word 20,000 times costs 20,000 steps, not 20,000²."""
    best_start, best_count, end = 0, 0, 0
    for i, (s, _) in enumerate(spans):
        end = max(end, i)
        while end < len(spans) and spans[end][0] < s + width - _CONTEXT_BEFORE:
            end += 1
        if end - i > best_count:
            best_start, best_count = s, end - i
    return best_start


def _word_start(text: str, i: int) -> int:
    while 0 < i < len(text) and not text[i - 1].isspace():
        i += 1
    return i


def _word_end(text: str, i: int) -> int:
    while 0 < i < len(text) and not text[i].isspace():
        i += 1
    return i
