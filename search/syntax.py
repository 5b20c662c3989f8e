"""The query language: text → a small syntax tree. It never fails.

Plain words, ``"a phrase"``, ``-word`` or ``NOT word``, ``OR``, ``(…)``, ``prefix*``
and ``state:…``/``theme:…``/``agenda:…``/``org:…``/``doc:…`` (the names of ``indexer.facets``). An unbalanced quote or
bracket, or brackets nested deeper than ``MAX_DEPTH``, are not syntax: their words
are searched as words.

>>> parse_syntax('armes OR drogues -corruption')
All(children=[Any(children=[Word(text='armes'), All(children=[Word(text='drogues'), Not(child=Word(text='corruption'))])])])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import fold
from indexer.facets import QUERY_NAMES

MAX_DEPTH = 16

_TOKEN = re.compile(
    r"""(?P<phrase>-?"[^"]*")
      | (?P<open>-?\()
      | (?P<close>\))
      | (?P<field>-?[^\W\d_]+:(?:"[^"]*"|[^\s()"]+))
      | (?P<word>[^\s()"]+)
      | (?P<quote>")""",
    re.X,
)


def parse_syntax(text: str) -> "All":
    """The tree of a query: an ``All`` of operands (words, phrases, fields, groups, exclusions)."""
    return _Syntax(text or "").parse()


# --- nodes -------------------------------------------------------------------------

@dataclass
class Word:
    text: str


@dataclass
class Phrase:
    text: str


@dataclass
class Concept:
    text: str                 # the words as typed
    alternatives: list        # thesaurus Expressions, searched with a lower weight
    phrase: bool = False      # typed in quotes: the words must stay together


@dataclass
class Field:
    facet: str
    value: str  # as typed; resolved to a facet value when converted


@dataclass
class Not:
    child: object


@dataclass
class All:
    children: list


@dataclass
class Any:
    children: list


def without_field(text: str, facet: str, matches) -> str:
    """``text`` without its ``facet:value`` filters whose value ``matches`` (removing a filter
    typed in the query, as the page's chips do); the rest as typed."""
    kept = []
    for found in _TOKEN.finditer(text):
        token = found.group()
        if found.lastgroup == "field" and not token.startswith("-"):
            name, _, raw = token.partition(":")
            if QUERY_NAMES.get(fold(name).lower()) == facet and matches(raw.strip('"').strip()):
                continue
        kept.append(token)
    return " ".join(kept)


def split_negatives(children):
    return [c for c in children if not isinstance(c, Not)], [c for c in children if isinstance(c, Not)]


class _Syntax:
    def __init__(self, text: str):
        self.tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
        self._drop_unbalanced_brackets()
        self.pos = 0

    def _drop_unbalanced_brackets(self) -> None:
        """Unmatched brackets, brackets nested too deep and stray quotes are not syntax."""
        stack, dropped, pairs = [], set(), []
        for i, (kind, _) in enumerate(self.tokens):
            if kind == "open":
                stack.append(i)
            elif kind == "close":
                if stack:
                    pairs.append((stack.pop(), i, len(stack)))
                else:
                    dropped.add(i)
        dropped.update(stack)
        dropped.update(i for pair in pairs if pair[2] >= MAX_DEPTH for i in pair[:2])
        self.tokens = [t for i, t in enumerate(self.tokens) if i not in dropped and t[0] != "quote"]

    def parse(self):
        return self._alternatives(closing=False)

    def _alternatives(self, closing: bool):
        branches, current = [], []
        while self.pos < len(self.tokens):
            kind, value = self.tokens[self.pos]
            if kind == "close":
                if closing:
                    self.pos += 1
                    break
                self.pos += 1
                continue
            if kind == "word" and value == "OR":
                self.pos += 1
                if current:
                    branches.append(current)
                    current = []
                continue
            node = self._operand()
            if node is not None:
                current.append(node)
        if current:
            branches.append(current)
        groups = [All(b) if len(b) > 1 else b[0] for b in branches]
        if len(groups) == 1:
            return groups[0] if isinstance(groups[0], All) else All([groups[0]])
        return All([Any(groups)]) if groups else All([])

    def _operand(self):
        kind, value = self.tokens[self.pos]
        self.pos += 1
        negate = False
        if kind == "word" and value in ("NOT", "AND"):
            if value == "AND" or self.pos >= len(self.tokens):
                return None
            negate = True
            kind, value = self.tokens[self.pos]
            self.pos += 1
            if kind == "close":
                return None
        if value.startswith("-") and kind in ("word", "phrase", "open", "field"):
            negate, value = True, value[1:]
            if not value:
                return None
        if kind == "open":
            node = self._alternatives(closing=True)
        elif kind == "phrase":
            node = Phrase(value.strip('"'))
        elif kind == "field":
            name, _, raw = value.partition(":")
            facet = QUERY_NAMES.get(fold(name).lower())
            if facet is None:  # "E/CN.15:…" or an unknown field: plain words
                node = Word(value)
            else:
                raw = raw.strip('"').strip()
                if not raw:
                    return None
                node = Field(facet, raw)
        else:
            node = Word(value)
        return Not(node) if negate else node
