"""A user's query text → what to match, what to exclude, which facet filters, as Whoosh queries.

English is translated first (``glossary``), then the text is parsed (``syntax``), typos
corrected (``spelling``), questions and synonyms handled (``understanding``), and the
tree turned into Whoosh queries: units with every word first (``strict``), then units
with some (``loose``), ranked by ``scoring``. Only ``context.resolve`` may raise, for a
``state:``/``theme:`` value the index does not know.

>>> q = parse_query('traite "égal accès" -drogues state:BRA')
>>> print(q.strict)
((text:traite AND text:"egal acce") AND NOT text:drogu)
>>> print(q.loose), q.filters
(text:traite OR text:"egal acce")
(None, {'state': ['BRA']})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from whoosh import query as wq

from indexer.analysis import analyze, stem, word_key
from indexer.metadata import SYMBOL
from indexer.model import RECOMMENDATION
from search.compounds import with_compounds
from search.glossary import GLOSSARY
from search.spelling import Speller
from search.syntax import All, Any, Concept, Field, Not, Phrase, Word, parse_syntax, split_negatives
from search.thesaurus import THESAURUS, Expression
from indexer.states import GAZETTEER
from search.understanding import (
    Explanation, asks_for_recommendations, frames_question, is_question, with_concepts, with_states,
)


TEXT_FIELD = "text"
PROXIMITY_SLOP = 3     # words of the query this close together in a unit…
PROXIMITY_BOOST = 2.0  # …add this much weight to its score
#: Beyond this, words are dropped (with a notice): Whoosh nests one matcher per term
#: and would exhaust the stack on a pasted page.
MAX_TERMS = 64
FIELD_SCORE = 1.0  # what a state:/theme:… alternative adds to a unit's score
SYNONYM_BOOST = 0.5  # a thesaurus synonym counts half as much as the word typed
RECOMMENDATION_BONUS = 2.0  # a question about what was recommended favours recommendations
MIN_PREFIX = 2     # "a*" would match half the vocabulary

@dataclass
class QueryContext:
    """What the index lends to the parser; the defaults parse without an index."""

    resolve: Callable[[str, str], str] = lambda facet, typed: typed  # "state:bra" → "Brésil"
    speller: Speller | None = None                                  # typo correction
    is_french: Callable[[str], bool] = lambda word: True             # a word of the indexed text?
    knows: Callable[[str], bool] = lambda word: True                 # a word whose terms are indexed?


@dataclass
class ParsedQuery:
    text: str
    strict: wq.Query | None   # every word required: these units rank first
    loose: wq.Query | None    # any word: the rest of the results
    scoring: wq.Query | None  # what ranks the results: the loose query, plus the words close together
    excluded: wq.Query | None  # units to leave out (-word)
    filters: dict[str, list[str]] = field(default_factory=dict)  # field:value terms ANDed with the query
    suggested_filters: dict[str, list[str]] = field(default_factory=dict)  # a state named among the words
    symbols: list[str] = field(default_factory=list)  # document symbols typed ("A/CONF.241/RPM.2/1"), as typed
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
    root = parse_syntax(translation.text if translation else text or "")
    converter = _Converter(context.resolve)
    positives, negatives = split_negatives(root.children)
    if translation:
        positives = [_as_typed_in_french(node) for node in positives]
    # "state:Brésil" beside the words filters like --state (and is counted as selected);
    # inside a group, an alternative or an exclusion it is part of the query.
    filters: dict[str, list[str]] = {}
    for node in [n for n in positives if isinstance(n, Field)]:
        filters.setdefault(node.facet, []).append(node.value)
        positives.remove(node)
    wants_recommendations = False
    if is_question(text or ""):
        explanation.question_words = [n.text for n in positives if frames_question(n)]
        wants_recommendations = any(asks_for_recommendations(n) for n in positives)
        positives = [n for n in positives if not frames_question(n) and not asks_for_recommendations(n)]
    positives = with_compounds(positives, context.knows, explanation.expansions)  # before spelling: no "payer"
    positives = with_states(positives, GAZETTEER.lookup_name, explanation)  # "Mexique" is not "Amérique"
    positives = with_concepts(positives, explanation)  # expressions are never "corrected" word by word
    if context.speller:
        searched = 0  # terms so far: words past MAX_TERMS are dropped, so they are not corrected
        for node in positives:
            searched += len(analyze(node.text)) if isinstance(node, (Word, Phrase)) else 1
            if searched > MAX_TERMS:
                break
            correction = (isinstance(node, Word) and not node.text.endswith("*")
                          and context.speller.correct(node.text))
            if correction:
                explanation.corrections.append((node.text, correction))
                node.text = correction
        positives = with_concepts(positives, explanation)  # a corrected word may have synonyms
    required = [converter.to_whoosh(n) for n in positives]
    # A unit with only some words of an expression ("populations" of "populations autochtones")
    # still belongs to the loose results.
    partial = [wq.Term(TEXT_FIELD, t) for n in positives if isinstance(n, Concept) and not n.phrase
               for t in analyze(n.text)]
    strict, loose = _combine(wq.And, required), _combine(wq.Or, required + partial)
    excluded = _combine(wq.Or, [converter.excluded_part(n) for n in negatives])
    if strict is not None and excluded is not None:
        strict = wq.And([strict, wq.Not(excluded)])
    scoring = loose
    words = [t for node in positives if isinstance(node, (Word, Concept)) and not node.text.endswith("*")
             for t in analyze(node.text)][:MAX_TERMS]
    if len(words) > 1:  # "justice réparatrice" as written beats "justice … réparation"
        scoring = wq.Or([loose, wq.Phrase(TEXT_FIELD, words, slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST)])
    if wants_recommendations and scoring is not None:  # "que recommande-t-on sur …?"
        explanation.question_words.append("recommandations → recommendations first")
        scoring = wq.Or([scoring, wq.ConstantScoreQuery(wq.Term("kind", RECOMMENDATION), score=RECOMMENDATION_BONUS)])
    explanation.terms = list(converter.terms) + [f"{p}*" for p in converter.prefixes]
    explanation.words = [n.text for n in positives if isinstance(n, (Word, Concept, Phrase)) and analyze(n.text)]
    explanation.strict, explanation.scoring = str(strict or ""), str(scoring or "")
    return ParsedQuery(
        text=text, strict=strict, loose=loose, scoring=scoring, excluded=excluded,
        filters=filters,
        suggested_filters={"state": list(dict.fromkeys(s for _, s in explanation.states))} if explanation.states else {},
        symbols=[n.text.strip('"') for n in positives if isinstance(n, (Word, Phrase)) and _is_symbol(n.text.strip('"'))],
        terms=converter.terms, prefixes=converter.prefixes, ignored=converter.ignored, truncated=converter.budget < 0,
        explanation=explanation,
    )


def _is_symbol(text: str) -> bool:
    """A UN document symbol, in any case ("a/conf.241/rpm.2/1"); symbols carry a number ("et/ou" is no symbol)."""
    return bool(SYMBOL.match(text.upper())) and any(ch.isdigit() for ch in text)


def _as_typed_in_french(node):
    """A translated expression (``("violence contre les femmes")``, or its alternatives) searched as
    if its first French form had been typed: every word first, then some (not only the exact
    phrase), its other forms as synonyms."""
    forms = [node] if isinstance(node, Phrase) else node.children if isinstance(node, Any) else []
    if not forms or not all(isinstance(form, Phrase) for form in forms):
        return node
    first, *others = forms
    if len(analyze(first.text)) < 2 and not others:
        return Word(first.text)
    alternatives: dict[tuple[str, ...], Expression] = {}
    for form in forms:  # the other forms, and the synonyms of each (the report's misprints of ONUDC…)
        terms = tuple(analyze(form.text))
        for expression in [Expression(form.text, terms), *THESAURUS.alternatives_for(terms)]:
            alternatives.setdefault(expression.terms, expression)
    alternatives.pop(tuple(analyze(first.text)), None)
    return Concept(first.text, list(alternatives.values()))


def _combine(kind, queries):
    queries = [q for q in queries if q is not None]
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else kind(queries)


class _Converter:
    """Syntax tree → Whoosh queries, keeping what the results need (terms to highlight…)."""

    def __init__(self, resolve: Callable[[str, str], str]):
        self.resolve = resolve
        self.terms: dict[str, None] = {}  # an ordered set
        self.prefixes: set[str] = set()
        self.ignored: list[str] = []
        self.budget = MAX_TERMS  # terms still allowed; negative once some were dropped
        self._negated = 0

    def excluded_part(self, node: Not):
        """The query of a top-level exclusion; its words are not highlighted."""
        self._negated += 1
        try:
            return self.to_whoosh(node.child)
        finally:
            self._negated -= 1

    def to_whoosh(self, node):
        if isinstance(node, Word):
            return self._word(node.text)
        if isinstance(node, Phrase):
            return self._terms_query(node.text, record=True)
        if isinstance(node, Concept):
            typed = self._terms_query(node.text, record=True, as_phrase=node.phrase)
            synonyms = [self._terms_query(a.text, record=True, boost=SYNONYM_BOOST) for a in node.alternatives]
            return _combine(wq.Or, [typed, *synonyms])
        if isinstance(node, Field):
            value = self.resolve(node.facet, node.value)
            return wq.ConstantScoreQuery(wq.Term(node.facet, value), score=FIELD_SCORE)
        if isinstance(node, Not):
            inner = self.excluded_part(node)
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, Any):
            return _combine(wq.Or, [self.to_whoosh(c) for c in node.children])
        if isinstance(node, All):
            positives, negatives = split_negatives(node.children)
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
            folded = word_key(base)  # only a stop word ("entre*"): prefix its stem all the same
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
