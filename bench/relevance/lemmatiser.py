"""``python -m bench.relevance.lemmatiser``: word families table vs a lemmatiser.

Issue 3 asks for derivational variants through a small table or a lemmatiser,
whichever measures better. This scores the project four ways on the relevance
queries: with ``indexer/data/derivations.tsv`` (as shipped), without it, with
simplemma's French lemmas before stemming instead, and with both. Needs
``pip install -e '.[bench]'`` (simplemma). The project's analyzer is patched in this
process only.
"""

from __future__ import annotations

import json
from functools import lru_cache

import simplemma

import indexer.analysis as analysis
from bench.relevance.__main__ import QUERIES, ROOT, Project, evaluate

_PIPELINE_WORD_TERM = analysis._word_term.__wrapped__
_TABLE = dict(analysis.DERIVATIONS)


def _lemmatised_word_term(word: str):
    skipped, rest = analysis.strip_elision(word.translate(analysis.TYPOGRAPHIC_APOSTROPHES).lower())
    if rest and analysis.fold(rest) not in analysis.STOP_WORDS:
        rest = simplemma.lemmatize(rest, lang="fr").lower()
    term, _ = _PIPELINE_WORD_TERM(rest or word)
    return (term, skipped) if term is not None else (None, 0)


def configure(table: bool, lemmatiser: bool) -> None:
    analysis.DERIVATIONS.clear()
    analysis.DERIVATIONS.update(_TABLE if table else {})
    analysis.stem.cache_clear()
    analysis._word_term = lru_cache(maxsize=200_000)(_lemmatised_word_term if lemmatiser else _PIPELINE_WORD_TERM)


def main() -> None:
    queries = json.loads(QUERIES.read_text("utf-8"))["queries"]
    print("| variant | nDCG@10 all | inflection | topical | synonym |")
    print("|---|---|---|---|---|")
    for name, table, lemmatiser in [("derivations table (shipped)", True, False), ("neither", False, False),
                                    ("simplemma lemmas", False, True), ("table + lemmas", True, True)]:
        configure(table, lemmatiser)
        scores = evaluate([Project(ROOT / "indexer" / "data" / "corpus")], queries)["congres"]
        print(f"| {name} | " + " | ".join(f"{scores[k]['nDCG@10']:.3f}"
                                         for k in ("all", "inflection", "topical", "synonym")) + " |")


if __name__ == "__main__":
    main()
