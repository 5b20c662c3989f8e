"""The engines we compare against, built in the same process on the same units.

- plain Whoosh: ``LanguageAnalyzer("fr")``, BM25F, query words joined with OR;
- SQLite FTS5: ``unicode61 remove_diacritics 2`` tokenizer, bm25 ranking, words joined with OR;
- bm25s: its French stop words and Snowball French stemmer (PyStemmer), BM25 (needs the bench extra).

Each answers unit ids; ``keyed=True`` makes them ``doc:id`` (a corpus of several reports).
"""

from __future__ import annotations

import re
import sqlite3
import tempfile

from whoosh import fields, index, qparser
from whoosh.analysis import LanguageAnalyzer


class PlainWhoosh:
    name = "Whoosh fr (OR)"

    def __init__(self, units, keyed: bool = False):
        self._folder = tempfile.TemporaryDirectory()
        schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT(analyzer=LanguageAnalyzer("fr")))
        ix = index.create_in(self._folder.name, schema)
        with ix.writer() as writer:
            for unit in units:
                writer.add_document(id=unit_key(unit, keyed), text=unit.text)
        self._searcher = ix.searcher()
        self._parser = qparser.QueryParser("text", schema, group=qparser.OrGroup)

    def search(self, query: str, limit: int) -> list[str]:
        return [hit["id"] for hit in self._searcher.search(self._parser.parse(query), limit=limit)]


class SqliteFts5:
    name = "SQLite FTS5 (OR)"

    def __init__(self, units, keyed: bool = False):
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE units USING fts5(id UNINDEXED, text, "
                         "tokenize = 'unicode61 remove_diacritics 2')")
        self._db.executemany("INSERT INTO units VALUES (?, ?)", [(unit_key(u, keyed), u.text) for u in units])

    def search(self, query: str, limit: int) -> list[str]:
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self._db.execute("SELECT id FROM units WHERE units MATCH ? ORDER BY bm25(units) LIMIT ?", (match, limit))
        return [row[0] for row in rows]


class Bm25s:
    name = "bm25s fr"

    def __init__(self, units, keyed: bool = False):
        import bm25s
        import Stemmer

        self._bm25s, self._stemmer = bm25s, Stemmer.Stemmer("french")
        self._keys = [unit_key(unit, keyed) for unit in units]
        self._retriever = bm25s.BM25()
        self._retriever.index(bm25s.tokenize([u.text for u in units], stopwords="fr", stemmer=self._stemmer,
                                             show_progress=False), show_progress=False)

    def search(self, query: str, limit: int) -> list[str]:
        tokens = self._bm25s.tokenize([query], stopwords="fr", stemmer=self._stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        found, scores = self._retriever.retrieve(tokens, k=min(limit, len(self._keys)), show_progress=False)
        return [self._keys[i] for i, score in zip(found[0], scores[0]) if score > 0]


def unit_key(unit, keyed: bool) -> str:
    return f"{unit.doc}:{unit.id}" if keyed else unit.id
