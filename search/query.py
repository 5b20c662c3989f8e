"""A user's query text → what to match, what to exclude, which facet filters.

Syntax: plain words (all of them rank first), ``"a phrase"``, ``-word`` or
``NOT word`` to exclude, ``OR`` between alternatives, ``(…)`` to group,
``prefix*``, and ``state:Brésil`` / ``theme:corruption`` / ``agenda:5`` filters.
The syntax never fails: an unbalanced quote or bracket is searched as words. Only
``context.resolve`` may raise, for a ``state:``/``theme:`` value the index does not know.

>>> q = parse_query('traite "armes à feu" -drogues state:BRA')
>>> print(q.strict)
((text:traite AND text:"arme feu") AND NOT text:drogu)
>>> print(q.loose), q.filters
(text:traite OR text:"arme feu")
(None, {'state': ['BRA']})
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable

from whoosh import query as wq

from indexer.analysis import analyze, fold, stem
from indexer.model import RECOMMENDATION
from search.glossary import GLOSSARY
from search.spelling import Speller
from search.thesaurus import THESAURUS

_QUESTIONS = tomllib.loads(resources.files("search").joinpath("data/questions.toml").read_text("utf-8"))
QUESTION_OPENERS = frozenset(fold(word) for word in _QUESTIONS["openers"])
QUESTION_TERMS = frozenset(t for word in _QUESTIONS["framing"] for t in analyze(word))
RECOMMENDATION_TERMS = frozenset(t for word in _QUESTIONS["recommendations"] for t in analyze(word))

TEXT_FIELD = "text"
PROXIMITY_SLOP = 3     # words of the query this close together in a unit…
PROXIMITY_BOOST = 2.0  # …add this much weight to its score
#: Beyond these, words are dropped (with a notice) and brackets ignored: Whoosh
#: nests one matcher per term and would exhaust the stack on a pasted page.
MAX_TERMS = 64
MAX_DEPTH = 16
FIELD_SCORE = 1.0  # what a state:/theme:… alternative adds to a unit's score
SYNONYM_BOOST = 0.5  # a thesaurus synonym counts half as much as the word typed
RECOMMENDATION_BONUS = 2.0  # a question about what was recommended favours recommendations
MIN_PREFIX = 2     # "a*" would match half the vocabulary
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})

#: What users may type before ":" → the facet it filters.
FIELD_NAMES = {
    "state": "state", "etat": "state", "pays": "state",
    "theme": "theme",
    "agenda": "agenda", "point": "agenda",
    "org": "org", "organisation": "org", "organization": "org",
    "doc": "doc", "rapport": "doc",
}

_TOKEN = re.compile(
    r"""(?P<phrase>-?"[^"]*")
      | (?P<open>-?\()
      | (?P<close>\))
      | (?P<field>-?[^\W\d_]+:(?:"[^"]*"|[^\s()"]+))
      | (?P<word>[^\s()"]+)
      | (?P<quote>")""",
    re.X,
)


@dataclass
class QueryContext:
    """What the index lends to the parser; the defaults parse without an index."""

    resolve: Callable[[str, str], str] = lambda facet, typed: typed  # "state:bra" → "Brésil"
    speller: Speller | None = None                                  # typo correction
    is_french: Callable[[str], bool] = lambda word: True             # a word of the indexed text?
    knows: Callable[[str], bool] = lambda word: True                 # a word whose terms are indexed?


@dataclass
class Explanation:
    """How a query was understood, for ``--explain``."""

    text: str
    translated: list[tuple[str, list[str]]] = field(default_factory=list)  # English → French
    corrections: list[tuple[str, str]] = field(default_factory=list)       # typed → corrected
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)  # expression → synonyms
    question_words: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)   # the words searched, as typed (after translation)
    terms: list[str] = field(default_factory=list)   # their analysed terms
    strict: str = ""
    scoring: str = ""

    def to_dict(self) -> dict:
        return {
            "translated": [{"english": e, "french": f} for e, f in self.translated],
            "corrections": [{"typed": t, "searched": c} for t, c in self.corrections],
            "expansions": [{"expression": e, "synonyms": s} for e, s in self.expansions],
            "question_words": self.question_words,
            "words": self.words,
            "terms": self.terms,
            "whoosh": {"all_words": self.strict, "ranking": self.scoring},
        }


@dataclass
class ParsedQuery:
    text: str
    strict: wq.Query | None   # every word required: these units rank first
    loose: wq.Query | None    # any word: the rest of the results
    scoring: wq.Query | None  # what ranks the results: the loose query, plus the words close together
    excluded: wq.Query | None  # units to leave out (-word)
    filters: dict[str, list[str]] = field(default_factory=dict)  # field:value terms ANDed with the query
    terms: dict[str, None] = field(default_factory=dict)  # analysed terms to highlight, in order
    prefixes: set[str] = field(default_factory=set)     # prefixes to highlight
    ignored: list[str] = field(default_factory=list)    # words that carry no meaning (stop words)
    truncated: bool = False                              # words beyond MAX_TERMS were dropped
    explanation: Explanation | None = None

    @property
    def browse(self) -> bool:
        """True when nothing positive is asked: list units in document order."""
        return self.loose is None


def parse_query(text: str, context: QueryContext | None = None) -> ParsedQuery:
    context = context or QueryContext()
    explanation = Explanation(text or "")
    translation = GLOSSARY.translate(text or "", context.is_french, context.knows)
    if translation:
        explanation.translated = translation.pairs
    parser = _Parser(translation.text if translation else text or "", context.resolve)
    root = parser.parse()
    positives, negatives = _split(root.children)
    # "state:Brésil" beside the words filters like --state (and is counted as selected);
    # inside a group, an alternative or an exclusion it is part of the query.
    for node in [n for n in positives if isinstance(n, _Field)]:
        parser.filters.setdefault(node.facet, []).append(node.value)
        positives.remove(node)
    wants_recommendations = False
    if _is_question(text or ""):
        explanation.question_words = [n.text for n in positives if _frames_question(n)]
        wants_recommendations = any(_asks_for_recommendations(n) for n in positives)
        positives = [n for n in positives if not _frames_question(n) and not _asks_for_recommendations(n)]
    if context.speller:
        for node in positives:
            correction = (isinstance(node, _Word) and not node.text.endswith("*")
                          and not THESAURUS.alternatives_for(analyze(node.text))  # a synonym will find it
                          and context.speller.correct(node.text))
            if correction:
                explanation.corrections.append((node.text, correction))
                node.text = correction
    positives = _concepts(positives, explanation)
    required = [parser.to_whoosh(n) for n in positives]
    # A unit with only some words of an expression ("populations" of "populations autochtones")
    # still belongs to the loose results.
    partial = [wq.Term(TEXT_FIELD, t) for n in positives if isinstance(n, _Concept) and not n.phrase
               for t in analyze(n.text)]
    strict, loose = _combine(wq.And, required), _combine(wq.Or, required + partial)
    excluded = _combine(wq.Or, [parser.excluded_part(n) for n in negatives])
    if strict is not None and excluded is not None:
        strict = wq.And([strict, wq.Not(excluded)])
    scoring = loose
    words = [t for node in positives if isinstance(node, (_Word, _Concept)) and not node.text.endswith("*")
             for t in analyze(node.text)][:MAX_TERMS]
    if len(words) > 1:  # "justice réparatrice" as written beats "justice … réparation"
        scoring = wq.Or([loose, wq.Phrase(TEXT_FIELD, words, slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST)])
    if wants_recommendations and scoring is not None:  # "que recommande-t-on sur …?"
        explanation.question_words.append("recommandations → recommendations first")
        scoring = wq.Or([scoring, wq.ConstantScoreQuery(wq.Term("kind", RECOMMENDATION), score=RECOMMENDATION_BONUS)])
    explanation.terms = list(parser.terms) + [f"{p}*" for p in parser.prefixes]
    explanation.words = [n.text for n in positives if isinstance(n, (_Word, _Concept, _Phrase)) and analyze(n.text)]
    explanation.strict, explanation.scoring = str(strict or ""), str(scoring or "")
    return ParsedQuery(
        text=text, strict=strict, loose=loose, scoring=scoring, excluded=excluded,
        filters=parser.filters,
        terms=parser.terms, prefixes=parser.prefixes, ignored=parser.ignored, truncated=parser.budget < 0,
        explanation=explanation,
    )


def _is_question(text: str) -> bool:
    words = text.strip().split()
    return bool(words) and (text.rstrip().endswith("?") or fold(words[0].lower()).strip("'’") in QUESTION_OPENERS)


def _asks_for_recommendations(node) -> bool:
    return isinstance(node, _Word) and set(analyze(node.text)) <= RECOMMENDATION_TERMS and bool(analyze(node.text))


def _frames_question(node) -> bool:
    return isinstance(node, _Word) and bool(analyze(node.text)) and set(analyze(node.text)) <= QUESTION_TERMS


def _concepts(nodes: list, explanation: Explanation) -> list:
    """Merge the words that form a thesaurus expression into one concept with its synonyms."""
    result, run = [], []
    for node in [*nodes, None]:
        if isinstance(node, _Word) and not node.text.endswith("*"):
            run.append(node)
            continue
        if run:
            terms_of = [analyze(w.text) for w in run]
            flat = [t for terms in terms_of for t in terms]
            owner = [i for i, terms in enumerate(terms_of) for _ in terms]
            taken, spans = set(), {}
            for start, end, group in THESAURUS.find(flat):
                first, last = owner[start], owner[end - 1]
                if any(i in taken for i in range(first, last + 1)):
                    continue
                taken.update(range(first, last + 1))
                words = " ".join(w.text for w in run[first:last + 1])
                alternatives = THESAURUS.alternatives_for(flat[start:end], group)
                spans[first] = _Concept(words, alternatives)
                explanation.expansions.append((words, [a.text for a in alternatives]))
            result += [spans[i] if i in spans else w for i, w in enumerate(run) if i in spans or i not in taken]
            run = []
        if node is not None:
            result.append(_with_synonyms(node, explanation))
    return result


def _with_synonyms(node, explanation: Explanation):
    """Synonyms inside groups and alternatives too (a translated query is made of them)."""
    if isinstance(node, _All):
        node.children = _concepts(node.children, explanation)
    elif isinstance(node, _Any):
        node.children = [_with_synonyms(child, explanation) for child in node.children]
    elif isinstance(node, (_Phrase, _Word)) and not node.text.endswith("*"):
        alternatives = THESAURUS.alternatives_for(analyze(node.text))
        if alternatives:
            explanation.expansions.append((node.text, [a.text for a in alternatives]))
            return _Concept(node.text, alternatives, phrase=isinstance(node, _Phrase))
    return node


# --- syntax tree -------------------------------------------------------------

@dataclass
class _Word:
    text: str


@dataclass
class _Phrase:
    text: str


@dataclass
class _Concept:
    text: str                 # the words as typed
    alternatives: list        # thesaurus Expressions, searched with a lower weight
    phrase: bool = False      # typed in quotes: the words must stay together


@dataclass
class _Field:
    facet: str
    value: str  # as typed; resolved to a facet value when converted


@dataclass
class _Not:
    child: object


@dataclass
class _All:
    children: list


@dataclass
class _Any:
    children: list


def _split(children):
    return [c for c in children if not isinstance(c, _Not)], [c for c in children if isinstance(c, _Not)]


def _combine(kind, queries):
    queries = [q for q in queries if q is not None]
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else kind(queries)


class _Parser:
    def __init__(self, text: str, resolve: Callable[[str, str], str]):
        self.resolve = resolve
        self.tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
        self._drop_unbalanced_brackets()
        self.pos = 0
        self.filters: dict[str, list[str]] = {}
        self.terms: dict[str, None] = {}  # an ordered set
        self.prefixes: set[str] = set()
        self.ignored: list[str] = []
        self.budget = MAX_TERMS  # terms still allowed; negative once some were dropped
        self._negated = 0

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
        groups = [_All(b) if len(b) > 1 else b[0] for b in branches]
        if len(groups) == 1:
            return groups[0] if isinstance(groups[0], _All) else _All([groups[0]])
        return _All([_Any(groups)]) if groups else _All([])

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
            node = _Phrase(value.strip('"'))
        elif kind == "field":
            name, _, raw = value.partition(":")
            facet = FIELD_NAMES.get(fold(name).lower())
            if facet is None:  # "E/CN.15:…" or an unknown field: plain words
                node = _Word(value)
            else:
                raw = raw.strip('"').strip()
                if not raw:
                    return None
                node = _Field(facet, raw)
        else:
            node = _Word(value)
        return _Not(node) if negate else node

    # --- to Whoosh ---------------------------------------------------------

    def excluded_part(self, node: _Not):
        """The query of a top-level exclusion; its words are not highlighted."""
        self._negated += 1
        try:
            return self.to_whoosh(node.child)
        finally:
            self._negated -= 1

    def to_whoosh(self, node):
        if isinstance(node, _Word):
            return self._word(node.text)
        if isinstance(node, _Phrase):
            return self._terms_query(node.text, record=True)
        if isinstance(node, _Concept):
            typed = self._terms_query(node.text, record=True, as_phrase=node.phrase)
            synonyms = [self._terms_query(a.text, record=True, boost=SYNONYM_BOOST) for a in node.alternatives]
            return _combine(wq.Or, [typed, *synonyms])
        if isinstance(node, _Field):
            value = self.resolve(node.facet, node.value)
            return wq.ConstantScoreQuery(wq.Term(node.facet, value), score=FIELD_SCORE)
        if isinstance(node, _Not):
            inner = self.excluded_part(node)
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, _Any):
            return _combine(wq.Or, [self.to_whoosh(c) for c in node.children])
        if isinstance(node, _All):
            positives, negatives = _split(node.children)
            pos = _combine(wq.And, [self.to_whoosh(c) for c in positives])
            neg = [n for n in (self.to_whoosh(c) for c in negatives) if n is not None]
            if pos is None:
                return None
            return wq.And([pos, *neg]) if neg else pos
        return None

    def _word(self, word: str):
        if word.endswith("*"):
            return self._prefix(word.rstrip("*"))
        return self._terms_query(word, record=True)

    def _prefix(self, base: str):
        """``cyber*``: terms starting with the stem of what was typed (``l'*`` or ``a*`` are too short)."""
        terms = analyze(base)
        if not terms:
            folded = fold(base.lower()).translate(_APOSTROPHES).rpartition("'")[2]
            terms = [stem(folded)] if folded.isalnum() else []
        if not terms or len(terms[-1]) < MIN_PREFIX:
            if base.strip():
                self.ignored.append(base + "*")
            return None
        terms = self._spend(terms)
        if not terms:
            return None
        prefix = terms[-1]
        if not self._negated:
            self.prefixes.add(prefix)
            self.terms.update(dict.fromkeys(terms[:-1]))
        head = [wq.Term(TEXT_FIELD, t) for t in terms[:-1]]
        return _combine(wq.And, [*head, wq.Prefix(TEXT_FIELD, prefix, constantscore=False)])

    def _spend(self, terms: list[str]) -> list[str]:
        allowed = terms[:max(self.budget, 0)]
        self.budget -= len(terms)
        return allowed

    def _terms_query(self, text: str, record: bool, as_phrase: bool = True, boost: float = 1.0):
        terms = analyze(text)
        if not terms:
            if text.strip() and any(ch.isalnum() for ch in text):
                self.ignored.append(text)
            return None
        terms = self._spend(terms)
        if not terms:
            return None
        if record and not self._negated:
            self.terms.update(dict.fromkeys(terms))
        if len(terms) == 1:
            return wq.Term(TEXT_FIELD, terms[0], boost=boost)
        if not as_phrase:
            return wq.And([wq.Term(TEXT_FIELD, t, boost=boost) for t in terms])
        return wq.Phrase(TEXT_FIELD, terms, boost=boost)
