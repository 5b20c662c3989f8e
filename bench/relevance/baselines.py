"""The engines we compare against, built in the same process on the same units.

- plain Whoosh: ``LanguageAnalyzer("fr")``, BM25F, query words joined with OR;
- SQLite FTS5: ``unicode61 remove_diacritics 2`` tokenizer, bm25 ranking, words joined with OR.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile

from whoosh import fields, index, qparser
from whoosh.analysis import LanguageAnalyzer


class PlainWhoosh:
    name = "Whoosh fr (OR)"

    def __init__(self, units):
        self._folder = tempfile.TemporaryDirectory()
        schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT(analyzer=LanguageAnalyzer("fr")))
        ix = index.create_in(self._folder.name, schema)
        with ix.writer() as writer:
            for unit in units:
                writer.add_document(id=unit.id, text=unit.text)
        self._searcher = ix.searcher()
        self._parser = qparser.QueryParser("text", schema, group=qparser.OrGroup)

    def search(self, query: str, limit: int) -> list[str]:
        return [hit["id"] for hit in self._searcher.search(self._parser.parse(query), limit=limit)]


class SqliteFts5:
    name = "SQLite FTS5 (OR)"

    def __init__(self, units):
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE units USING fts5(id UNINDEXED, text, "
                         "tokenize = 'unicode61 remove_diacritics 2')")
        self._db.executemany("INSERT INTO units VALUES (?, ?)", [(u.id, u.text) for u in units])

    def search(self, query: str, limit: int) -> list[str]:
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self._db.execute("SELECT id FROM units WHERE units MATCH ? ORDER BY bm25(units) LIMIT ?", (match, limit))
        return [row[0] for row in rows]
