"""The French analyzer, shared by indexing and querying.

Both sides must produce the same terms, so the chain is declared once, as data:
the tokenizer pattern and the per-word filters (``NORMALISING_FILTERS`` then
``TERM_FILTERS``). ``FRENCH_ANALYZER`` is the Whoosh pipeline made of them; the
cached per-word path (``_word_term``) and the vocabulary key (``word_key``) run the
same filter objects on one token, so they cannot drift apart. Accents are folded
*before* stemming: folding after Snowball would leave ``criminalité`` →
``criminal`` but ``criminalite`` → ``criminalit``, and a query typed without
accents would miss.

>>> analyze("L’Assemblée générale a décidé qu'il fallait lutter contre la criminalité.")
['assembl', 'general', 'decid', 'fall', 'lutt', 'contr', 'criminalit']
>>> word_key("L’Œuvre"), word_key("qu'il")
('oeuvre', 'il')
>>> analyze("criminalite") == analyze("Criminalité") == analyze("CRIMINALITÉS")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from whoosh.analysis import (
    Composable, CompositeAnalyzer, Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token,
)

from indexer.datafiles import read_tsv, values

#: A word, possibly with inner apostrophes (``l'État``, ``aujourd’hui``); combining
#: accents count as letters so that decomposed (NFD) input stays one word.
_LETTER = r"[\w\u0300-\u036f]"
WORD_PATTERN = rf"{_LETTER}+(?:['’ʼ‘]{_LETTER}+)*"

#: Elided articles, pronouns and conjunctions removed from the front of a word.
ELISIONS = ("l", "d", "qu", "n", "s", "j", "c", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu")

TYPOGRAPHIC_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "OE", "Æ": "AE", "ß": "ss"})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Remove accents and split ligatures, so ``Œuvre`` and ``oeuvre`` meet."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """The comparison key for names and labels: folded, lower case, plain apostrophes."""
    text = text.translate(TYPOGRAPHIC_APOSTROPHES).replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(fold(text).lower().split())


def _load_stop_words() -> frozenset[str]:
    data = resources.files("indexer").joinpath("data/stopwords_fr.txt").read_text(encoding="utf-8")
    words = (line.strip() for line in data.splitlines())
    return frozenset(fold(w) for w in words if w and not w.startswith("#"))


STOP_WORDS = _load_stop_words()

def _load_stem_overrides() -> dict[str, str]:
    return {row["word"]: row["term"] for row in read_tsv("indexer", "stem_overrides.tsv")}


STEM_OVERRIDES = _load_stem_overrides()

try:  # PyStemmer: the Snowball C library, same stems, much faster (a dependency, but optional)
    import Stemmer

    _stemmer = Stemmer.Stemmer("french")
except ImportError:  # pragma: no cover - the pure-Python Snowball
    import snowballstemmer

    _stemmer = snowballstemmer.stemmer("french")


def _snowball(word: str) -> str:
    """Snowball French stem of a folded, lower-case word (``data/stem_overrides.tsv`` first).

    Folding turned "organisée" into "organisee", which Snowball would stem apart from
    "organisé"; the doubled e of a folded feminine participle is undone first.
    """
    override = STEM_OVERRIDES.get(word)
    if override:
        return override
    if word.endswith(("ee", "ees")) and len(word) > 4:
        word = word[:-2] + word[-1] if word.endswith("ees") else word[:-1]
    return _stemmer.stemWord(word)


def _load_derivations() -> dict[str, str]:
    """stem → the stem of the first word of its family (``data/derivations.tsv``)."""
    families: dict[str, str] = {}
    for row in read_tsv("indexer", "derivations.tsv"):
        stems = [_snowball(fold(word.lower())) for word in values(row["family"])]
        families.update({s: stems[0] for s in stems[1:] if s != stems[0]})
    return families


DERIVATIONS = _load_derivations()


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The term indexed for a folded, lower-case word: its stem, or its word family's stem."""
    stemmed = _snowball(word)
    return DERIVATIONS.get(stemmed, stemmed)


class ApostropheFilter(Filter):
    """Write every typographic apostrophe (’ ʼ ‘) as a straight one."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.translate(TYPOGRAPHIC_APOSTROPHES)
            yield t


_ELISION = re.compile(r"^(?:%s)'" % "|".join(sorted(ELISIONS, key=len, reverse=True)), re.I)


def strip_elision(word: str) -> tuple[int, str]:
    """(characters dropped, rest) of a word with plain apostrophes: ``l'État`` → (2, ``État``)."""
    match = _ELISION.match(word)
    if match and len(word) > match.end():
        return match.end(), word[match.end():]
    return 0, word


class ElisionFilter(Filter):
    """Drop elided prefixes (``l'``, ``qu'``, ``jusqu'``…); the highlight starts after them."""

    def __call__(self, tokens):
        for t in tokens:
            skipped, t.text = strip_elision(t.text)
            if t.chars:
                t.startchar += skipped
            yield t


class AccentFoldFilter(Filter):
    """Fold accents and ligatures before stemming (see the module docstring)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


class FrenchStemFilter(Filter):
    """Snowball French stemming through ``snowballstemmer``, with a few overrides."""

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


#: How a word is written, normalised: the key vocabulary lookups use (``word_key``).
NORMALISING_FILTERS = (ApostropheFilter(), LowercaseFilter(), ElisionFilter(), AccentFoldFilter())
#: A normalised word → its term, or nothing for a stop word.
TERM_FILTERS = (StopFilter(stoplist=STOP_WORDS, minsize=1), FrenchStemFilter())
WORD_FILTERS = NORMALISING_FILTERS + TERM_FILTERS

FRENCH_ANALYZER = CompositeAnalyzer(RegexTokenizer(WORD_PATTERN), *WORD_FILTERS)


def _through(filters, word: str) -> Token | None:
    """``word`` as a single token run through ``filters``; None if they drop it (stop word).

    Offsets are on (``chars``) so that ``ElisionFilter`` reports what it skipped in
    ``startchar``.
    """
    stream = iter((Token(chars=True, text=word, startchar=0, endchar=len(word)),))
    for step in filters:
        stream = step(stream)
    return next(stream, None)


@lru_cache(maxsize=200_000)
def word_key(word: str) -> str:
    """How a word is looked up (vocabulary, spelling, prefixes): the normalising filters'
    output, with no elided article, lower case, no accents."""
    return _through(NORMALISING_FILTERS, word).text


class WordCachedAnalyzer(Composable):
    """``FRENCH_ANALYZER`` with each word's fate computed once.

    The filters after the tokenizer look at one word at a time, so a word always
    gives the same term (or is stopped) and loses the same elided prefix: this runs
    the pipeline once per distinct word and replays it, positions renumbered as
    ``StopFilter`` does. Same tokens as the pipeline (a test checks the whole corpus),
    several times faster on long texts.
    """

    def __init__(self, pipeline=FRENCH_ANALYZER):
        self.pipeline = pipeline
        self.expression = pipeline.items[0].expression

    def __eq__(self, other):
        return isinstance(other, WordCachedAnalyzer) and other.pipeline == self.pipeline

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
        if not removestops or keeporiginal:  # rare modes: the pipeline itself
            yield from self.pipeline(value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                                     removestops=removestops, start_pos=start_pos, start_char=start_char,
                                     mode=mode, **kwargs)
            return
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = None
        for index, match in enumerate(self.expression.finditer(value)):
            term, skipped = _word_term(match.group(0))
            if term is None:
                continue
            token.text, token.boost, token.stopped = term, 1.0, False
            if positions:
                pos = start_pos + index if pos is None else pos + 1
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start() + skipped
                token.endchar = start_char + match.end()
            yield token


@lru_cache(maxsize=200_000)
def _word_term(word: str) -> tuple[str | None, int]:
    """(term or None if stopped, characters dropped in front) of one word: the pipeline's
    own filters run on that word alone, once; the cache makes every later call a lookup."""
    token = _through(WORD_FILTERS, word)
    return (None, 0) if token is None else (token.text, token.startchar)


FAST_FRENCH_ANALYZER = WordCachedAnalyzer()


# analyze(), indexed_terms() and term_spans() give FAST_FRENCH_ANALYZER's tokens without
# building Token objects, several times faster: the thesaurus analyses all its expressions
# when a search starts, snippets analyse every hit, the posting arrays every unit.

def analyze(text: str) -> list[str]:
    """The terms the index stores for ``text``, in order."""
    return indexed_terms(text)[0]


def indexed_terms(text: str) -> tuple[list[str], int]:
    """The terms the text field indexes for ``text``, and the position of the first: the
    analyzer numbers it by the words before it (stop words included), then counts one per term."""
    terms = [_word_term(word)[0] for word in FAST_FRENCH_ANALYZER.expression.findall(text)]
    first = next((i for i, term in enumerate(terms) if term is not None), 0)
    return [term for term in terms if term is not None], first


def term_spans(text: str):
    """(term, start, end) of each word of ``text`` that gives a term, in order; the
    highlight starts after an elided article (``l'[Assemblée]``)."""
    for match in FAST_FRENCH_ANALYZER.expression.finditer(text):
        term, skipped = _word_term(match.group(0))
        if term is not None:
            yield term, match.start() + skipped, match.end()
