"""How a query is understood beyond its syntax: questions, synonyms and acronyms.

The words that frame a question are dropped; a question about recommendations asks for
them to rank first; the words that form a thesaurus expression become one concept,
searched with its synonyms (``data/thesaurus_fr.tsv``). ``Explanation`` records every
step for ``--explain``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Callable
from importlib import resources

from indexer.analysis import analyze, fold
from search.syntax import All, Any, Concept, Phrase, Word
from search.thesaurus import THESAURUS, Expression

_QUESTIONS = tomllib.loads(resources.files("search").joinpath("data/questions.toml").read_text("utf-8"))
QUESTION_OPENERS = frozenset(fold(word) for word in _QUESTIONS["openers"])
QUESTION_TERMS = frozenset(t for word in _QUESTIONS["framing"] for t in analyze(word))
RECOMMENDATION_TERMS = frozenset(t for word in _QUESTIONS["recommendations"] for t in analyze(word))


@dataclass
class Explanation:
    """How a query was understood, for ``--explain``."""

    text: str
    translated: list[tuple[str, list[str]]] = field(default_factory=list)  # English → French
    corrections: list[tuple[str, str]] = field(default_factory=list)       # typed → corrected
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)  # expression → synonyms
    question_words: list[str] = field(default_factory=list)
    states: list[tuple[str, str]] = field(default_factory=list)  # typed → the state understood
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
            "states": [{"typed": t, "state": s} for t, s in self.states],
            "words": self.words,
            "terms": self.terms,
            "whoosh": {"all_words": self.strict, "ranking": self.scoring},
        }


def is_question(text: str) -> bool:
    words = text.strip().split()
    return bool(words) and (text.rstrip().endswith("?") or fold(words[0].lower()).strip("'’") in QUESTION_OPENERS)


def asks_for_recommendations(node) -> bool:
    return _word_within(node, RECOMMENDATION_TERMS)


def frames_question(node) -> bool:
    return _word_within(node, QUESTION_TERMS)


def _word_within(node, terms: frozenset[str]) -> bool:
    """A plain word whose terms all belong to ``terms``."""
    if not isinstance(node, Word):
        return False
    own = analyze(node.text)
    return bool(own) and set(own) <= terms


#: Words of a state name, at most ("Saint-Vincent-et-les Grenadines" is one word; "United Kingdom of Great Britain").
STATE_WORDS = 4


def with_states(nodes: list, lookup: Callable[[str], str | None], explanation: Explanation) -> list:
    """Words of the query's top level that name a state (in French or English: "Mexique",
    "Viet Nam", "Netherlands") become one concept: the name as typed or as the UN prints it."""
    result, i = [], 0
    while i < len(nodes):
        for size in range(min(STATE_WORDS, len(nodes) - i), 0, -1):
            run = nodes[i:i + size]
            if not all(isinstance(n, Word) and not n.text.endswith("*") for n in run):
                continue
            typed = " ".join(n.text for n in run)
            state = lookup(typed)
            if state:
                explanation.states.append((typed, state))
                forms = [state] if fold(state.lower()) != fold(typed.lower()) else []
                short = state.split(" (")[0]  # "Pays-Bas (Royaume des)" is printed "Pays-Bas" in lists
                forms += [short] if short != state and fold(short.lower()) != fold(typed.lower()) else []
                result.append(Concept(typed, [Expression(f, tuple(analyze(f))) for f in forms], phrase=True))
                i += size
                break
        else:
            result.append(nodes[i])
            i += 1
    return result


def with_concepts(nodes: list, explanation: Explanation) -> list:
    """Merge the words that form a thesaurus expression into one concept with its synonyms."""
    result, run = [], []
    for node in [*nodes, None]:
        if isinstance(node, Word) and not node.text.endswith("*"):
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
                spans[first] = Concept(words, alternatives)
                explanation.expansions.append((words, [a.text for a in alternatives]))
            result += [spans[i] if i in spans else w for i, w in enumerate(run) if i in spans or i not in taken]
            run = []
        if node is not None:
            result.append(_with_synonyms(node, explanation))
    return result


def _with_synonyms(node, explanation: Explanation):
    """Synonyms inside groups and alternatives too (a translated query is made of them)."""
    if isinstance(node, All):
        node.children = with_concepts(node.children, explanation)
    elif isinstance(node, Any):
        node.children = [_with_synonyms(child, explanation) for child in node.children]
    elif isinstance(node, (Phrase, Word)) and not node.text.endswith("*"):
        alternatives = THESAURUS.alternatives_for(analyze(node.text))
        if alternatives:
            explanation.expansions.append((node.text, [a.text for a in alternatives]))
            return Concept(node.text, alternatives, phrase=isinstance(node, Phrase))
    return node
