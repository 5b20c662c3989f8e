"""The second reference point: tantivy (Rust) with its French Snowball stemmer, when installed
(``pip install -e '.[bench]'``). Same units and query mix; top 10 and the counts of one facet
(a terms aggregation)."""

from __future__ import annotations

import tantivy

FRENCH = "fr_stem"


def _schema():
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True, tokenizer_name=FRENCH)
    for facet in ("agenda", "state", "theme"):
        builder.add_text_field(facet, stored=True, fast=True, tokenizer_name="raw")
    return builder.build()


def _index(schema, folder: str):
    index = tantivy.Index(schema, path=folder)
    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.ascii_fold())
                .filter(tantivy.Filter.stemmer("french"))
                .build())
    index.register_tokenizer(FRENCH, analyzer)
    return index


def build(units, folder: str) -> None:
    index = _index(_schema(), folder)
    writer = index.writer()
    for unit in units:
        writer.add_document(tantivy.Document(text=unit.text, agenda=[unit.agenda],
                                             state=unit.states + unit.observers, theme=unit.themes))
    writer.commit()
    writer.wait_merging_threads()


class TantivySearcher:
    def __init__(self, folder: str):
        self.schema = _schema()
        self.index = _index(self.schema, folder)
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, text: str, filters: dict[str, list[str]]):
        query = self.index.parse_query_lenient(text, ["text"])[0]
        if filters:
            clauses = [(tantivy.Occur.Must, query)]
            for facet, values in filters.items():
                alternatives = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, facet, v)) for v in values]
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(alternatives)))
            query = tantivy.Query.boolean_query(clauses)
        hits = self.searcher.search(query, limit=10).hits
        counts = self.searcher.aggregate(query, {"agenda": {"terms": {"field": "agenda"}}})
        return len(hits), counts
