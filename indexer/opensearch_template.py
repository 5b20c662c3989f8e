"""The OpenSearch index template, generated from the project's own definitions.

The analyzer is ``indexer.analysis``'s chain written in OpenSearch's terms, so that
``_analyze`` gives exactly ``analysis.analyze`` (a test runs the whole vocabulary):

- char filters: typographic apostrophes → ``'``; accents and ligatures folded (``fold``,
  as a mapping generated from ``analysis.fold`` itself). Folding in front of the tokenizer
  is still *before* stop words and stemming, as the project does;
- tokenizer: ``analysis.WORD_PATTERN`` (Unicode classes, whole matches);
- filters: lowercase, the elision list, the project's stop list, the stem overrides (each
  one's final term, word family included) as a ``stemmer_override`` before the stemmer, the
  undoing of a folded feminine participle's doubled ``e``, Snowball French, the word
  families (``derivations.tsv``) after it.

Keyword fields for every facet of ``indexer.facets.REGISTRY``, the heading (``section``) and
the unit's identity. The template carries ``TEMPLATE_VERSION`` and the indexer's fingerprint:
an index built by another version is rebuilt, like a local one.
"""

from __future__ import annotations

import re
import sys
import unicodedata

from indexer import analysis
from indexer.facets import REGISTRY
from indexer.schema import indexer_fingerprint

TEMPLATE_VERSION = 1
ANALYZER = "congres_french"
INDEX_PREFIX = "congres-"
ALIAS = "congres"

#: Code points whose folding is left out of the mapping: Hangul syllables fold to their
#: jamo (letters either way) and would add 11 000 rules for nothing the reports contain.
_UNMAPPED = (range(0xAC00, 0xD7A4), range(0xD800, 0xE000))


def _escape(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


def fold_rules() -> list[str]:
    """``mapping`` rules: every BMP character that ``analysis.fold`` changes → its folded form."""
    rules = []
    for code in range(0x80, 0x10000):
        if any(code in r for r in _UNMAPPED):
            continue
        char = chr(code)
        folded = analysis.fold(char)
        if folded != char and not unicodedata.category(char).startswith("Z"):
            rules.append(f"{_escape(char)} => {_escape(folded)}")
    return rules


def _term_of_override(term: str) -> str:
    return analysis.DERIVATIONS.get(term, term)


def _override_rules() -> list[str]:
    """Each override word → its final term: the word family applies to an override's term too
    (``analysis.stem``), and an overridden token skips every later stemming filter."""
    return [f"{word} => {_term_of_override(term)}" for word, term in sorted(analysis.STEM_OVERRIDES.items())]


def _doubled_e_filters() -> dict[str, dict]:
    """``organisee(s)`` → ``organise(s)`` before Snowball, as ``analysis._snowball`` does; an
    override's own term (already final) is left alone."""
    finals = sorted({_term_of_override(t) for t in analysis.STEM_OVERRIDES.values()})
    keep = "".join(f"(?!{re.escape(t)}$)" for t in finals if t.endswith(("ee", "ees")))
    return {
        "congres_doubled_e_plural": {"type": "pattern_replace", "pattern": f"^{keep}(.{{2,}})ees$",
                                     "replacement": "$1es"},
        "congres_doubled_e": {"type": "pattern_replace", "pattern": f"^{keep}(.{{3,}})ee$",
                              "replacement": "$1e"},
    }


def _stop_word_pattern() -> str:
    """Whole words that are stop words once their elided prefix is dropped, for a char filter.

    Whoosh numbers positions without the stop words (``lutte contre la criminalité``: ``contr``
    and ``criminalit`` are adjacent), Lucene's stop filter leaves a gap; removing them before
    the tokenizer gives Lucene the project's positions, so phrases and their slop match the same
    units. Text is folded by then (the ``fold`` char filter), not yet lower-cased."""
    letter = r"[\w\u0300-\u036f]"
    elided = "|".join(sorted(analysis.ELISIONS, key=len, reverse=True))
    stops = "|".join(sorted((re.escape(w) for w in analysis.STOP_WORDS), key=len, reverse=True))
    return (rf"(?<!{letter})(?<!{letter}')(?:(?:{elided})')?(?:{stops})(?!{letter}|'{letter})")


def analysis_settings() -> dict:
    """The ``analysis`` block of the index settings."""
    apostrophes = [f"{_escape(chr(code))} => {_escape(plain)}"
                   for code, plain in analysis.TYPOGRAPHIC_APOSTROPHES.items()]
    filters = {
        "congres_elision": {"type": "elision", "articles": list(analysis.ELISIONS), "articles_case": True},
        "congres_stop": {"type": "stop", "stopwords": sorted(analysis.STOP_WORDS)},
        "congres_overrides": {"type": "stemmer_override", "rules": _override_rules()},
        **_doubled_e_filters(),
        "congres_snowball": {"type": "snowball", "language": "French"},
        "congres_families": {"type": "stemmer_override",
                             "rules": [f"{s} => {f}" for s, f in sorted(analysis.DERIVATIONS.items())]},
    }
    return {
        "char_filter": {
            "congres_apostrophes": {"type": "mapping", "mappings": apostrophes},
            "congres_fold": {"type": "mapping", "mappings": fold_rules()},
            "congres_stop_words": {"type": "pattern_replace", "pattern": _stop_word_pattern(), "replacement": "",
                                   "flags": "CASE_INSENSITIVE|UNICODE_CASE|UNICODE_CHARACTER_CLASS"},
        },
        "tokenizer": {
            "congres_words": {"type": "pattern", "pattern": analysis.WORD_PATTERN, "group": 0,
                              "flags": "UNICODE_CHARACTER_CLASS"},
        },
        "filter": filters,
        "analyzer": {
            ANALYZER: {
                "type": "custom",
                "char_filter": ["congres_apostrophes", "congres_fold", "congres_stop_words"],
                "tokenizer": "congres_words",
                "filter": ["lowercase", *filters],
            },
        },
    }


def mappings() -> dict:
    keyword = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "_meta": {"template_version": TEMPLATE_VERSION, "fingerprint": indexer_fingerprint()},
        "properties": {
            "key": keyword, "id": keyword, "kind": keyword,
            "paragraph": {"type": "integer"}, "letter": keyword, "agenda_key": keyword,
            "order": {"type": "integer"},  # document order across the corpus (browse order)
            "section": {"type": "keyword"},  # the heading, shown and filterable as written
            "text": {"type": "text", "analyzer": ANALYZER},
            **{facet.name: keyword for facet in REGISTRY},
        },
    }


def index_template(shards: int = 1, replicas: int = 0) -> dict:
    """The body of ``PUT _index_template/congres``: every ``congres-*`` physical index."""
    return {
        "index_patterns": [f"{INDEX_PREFIX}*"],
        "version": TEMPLATE_VERSION,
        "template": {
            "settings": {"number_of_shards": shards, "number_of_replicas": replicas,
                         "analysis": analysis_settings()},
            "mappings": mappings(),
        },
    }


if __name__ == "__main__":  # python -m indexer.opensearch_template > template.json
    import json

    json.dump(index_template(), sys.stdout, ensure_ascii=False, indent=1)
