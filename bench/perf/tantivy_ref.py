"""The second reference point: tantivy (Rust) with its French Snowball stemmer, when installed
(``pip install -e '.[bench]'``). Same units and query mix, answered two ways:

- ``search``: top 10 (scores and addresses only) and the counts of one facet (a terms
  aggregation), as the first comparisons measured it;
- ``search_same_work``: what the project answers: the top 10 with their stored fields, the
  total, and the disjunctive counts of the same six facets (every value of each: one terms
  aggregation per facet, the filtered facets counted without their own filter).
"""

from __future__ import annotations

import tantivy

FRENCH = "fr_stem"
FACETS = ("agenda", "state", "theme", "org", "report", "doc")  # the project's shown facets
ALL_VALUES = 1_000_000  # a terms aggregation returns its 10 largest buckets unless told otherwise


def _schema():
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True, tokenizer_name=FRENCH)
    for facet in FACETS:
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
        writer.add_document(tantivy.Document(text=unit.text, agenda=[unit.agenda] if unit.agenda else [],
                                             state=unit.states + unit.observers, theme=unit.themes,
                                             org=unit.organisations, report=[unit.report] if unit.report else [],
                                             doc=[unit.doc]))
    writer.commit()
    writer.wait_merging_threads()


class TantivySearcher:
    def __init__(self, folder: str):
        self.schema = _schema()
        self.index = _index(self.schema, folder)
        self.index.reload()
        self.searcher = self.index.searcher()

    def _query(self, text: str, filters: dict[str, list[str]], leave_out: str | None = None):
        query = self.index.parse_query_lenient(text, ["text"])[0]
        clauses = [(tantivy.Occur.Must, query)]
        for facet, values in filters.items():
            if facet != leave_out:
                alternatives = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, facet, v)) for v in values]
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(alternatives)))
        return tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else query

    def search(self, text: str, filters: dict[str, list[str]]):
        query = self._query(text, filters)
        hits = self.searcher.search(query, limit=10).hits
        counts = self.searcher.aggregate(query, {"agenda": {"terms": {"field": "agenda"}}})
        return len(hits), counts

    def search_same_work(self, text: str, filters: dict[str, list[str]]):
        query = self._query(text, filters)
        found = self.searcher.search(query, limit=10)
        docs = [self.searcher.doc(address).to_dict() for _, address in found.hits]
        unfiltered = [facet for facet in FACETS if facet not in filters]
        counts = self.searcher.aggregate(query, {f: {"terms": {"field": f, "size": ALL_VALUES}} for f in unfiltered})
        for facet in filters:
            counts.update(self.searcher.aggregate(self._query(text, filters, leave_out=facet),
                                                  {facet: {"terms": {"field": facet, "size": ALL_VALUES}}}))
        return found.count, docs, counts
