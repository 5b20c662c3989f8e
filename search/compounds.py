"""Compound words written three ways: joined, hyphenated or apart ("cybercriminalité",
"cyber-criminalité", "cyber criminalité"; "anti-corruption", "anticorruption").

The index splits a word at its hyphens, so a hyphenated compound is the phrase of its parts
there. A query word is searched in every form the text may use: a hyphenated word also as
its joined form; a joined word that starts with a known prefix (``data/compound_prefixes.txt``)
also as its parts; and the word after the prefix on its own, with a lower weight, so that
"anti-corruption" finds the units on corruption when no unit writes the compound.

>>> [a.text for a in forms_of("cyber-criminalité", lambda word: word == "cybercriminalité")][:2]
['cybercriminalité', 'criminalité informatique']
>>> [a.text for a in forms_of("anticorruption", lambda word: word == "corruption")]
['"anti corruption"', 'corruption']
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Callable

from indexer.analysis import analyze, fold
from search.syntax import Concept, Word
from search.thesaurus import THESAURUS, Expression

PREFIXES = tuple(sorted(
    (fold(line.strip()) for line in resources.files("search").joinpath("data/compound_prefixes.txt")
     .read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")), key=len, reverse=True))
_HYPHENATED = re.compile(r"^\w+(?:-\w+)+$")
MIN_REST = 4  # "co" + "de" is no compound


def forms_of(word: str, knows: Callable[[str], bool]) -> list[Expression]:
    """The other forms of ``word`` that the indexed text uses (``knows``), as expressions."""
    forms: list[str] = []
    if _HYPHENATED.match(word):
        parts = word.split("-")
        joined = "".join(parts)
        if knows(joined):
            forms.append(joined)
        elif fold(parts[0].lower()) in PREFIXES and len(parts) == 2 and knows(parts[1]) and len(parts[1]) >= MIN_REST:
            forms.append(parts[1])  # no unit writes the compound: what it is about
    elif word.isalpha():
        prefix = next((p for p in PREFIXES if fold(word.lower()).startswith(p)), None)
        rest = word[len(prefix):] if prefix else ""
        if prefix and len(rest) >= MIN_REST and knows(rest) and not knows(word):
            forms += [f'"{word[:len(prefix)]} {rest}"', rest]
    expressions = [Expression(form, tuple(analyze(form.strip('"')))) for form in forms if analyze(form.strip('"'))]
    if expressions:  # and the synonyms of the form the text uses ("cyber-criminalité": "cybercrime"…)
        expressions += [e for e in THESAURUS.alternatives_for(expressions[0].terms) if e.terms != tuple(analyze(word))]
    return expressions


def with_compounds(nodes: list, knows: Callable[[str], bool], expansions: list) -> list:
    """Each compound of the query's top level (one word, or a prefix and the word after it:
    "cyber criminalité") as a concept of its forms."""
    result, i = [], 0
    while i < len(nodes):
        node, after = nodes[i], nodes[i + 1] if i + 1 < len(nodes) else None
        typed, forms = node.text if _is_word(node) else "", []
        if _is_word(node) and _is_word(after) and fold(node.text.lower()) in PREFIXES:
            joined = node.text + after.text
            forms = forms_of(f"{node.text}-{after.text}", knows) if knows(joined) else []  # the joined form
        if forms:
            i += 1  # the prefix and its word are one concept
            typed = f"{node.text} {after.text}"
        elif _is_word(node):
            typed, forms = node.text, forms_of(node.text, knows)
        if forms:
            expansions.append((typed, [form.text for form in forms]))
            node = Concept(typed, forms, phrase=True)
        result.append(node)
        i += 1
    return result


def _is_word(node) -> bool:
    return isinstance(node, Word) and not node.text.endswith("*")
