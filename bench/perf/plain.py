"""The reference point: plain Whoosh as the issue measures it.

Default writer, ``LanguageAnalyzer("fr")`` on the text, the three facets as KEYWORD
fields, top-N query with the counts of one facet through ``groupedby``.
"""

from __future__ import annotations

from whoosh import fields, index, qparser, query, sorting
from whoosh.analysis import LanguageAnalyzer

SCHEMA = fields.Schema(
    key=fields.ID(stored=True, unique=True),
    text=fields.TEXT(analyzer=LanguageAnalyzer("fr"), stored=True),
    agenda=fields.ID(stored=True, sortable=True),
    state=fields.KEYWORD(stored=True, commas=True, sortable=True),
    theme=fields.KEYWORD(stored=True, commas=True, sortable=True),
)


def build(units, folder: str, procs: int = 1) -> None:
    """The default writer; with ``procs`` > 1, Whoosh's own multiprocessing writer (one segment each)."""
    ix = index.create_in(folder, SCHEMA)
    writer = ix.writer(procs=procs, multisegment=True) if procs > 1 else ix.writer()
    for unit in units:
        writer.add_document(key=f"{unit.doc}:{unit.id}", text=unit.text, agenda=unit.agenda,
                            state=",".join(unit.states + unit.observers), theme=",".join(unit.themes))
    writer.commit()


class PlainSearcher:
    def __init__(self, folder: str):
        self.searcher = index.open_dir(folder).searcher()
        self.parser = qparser.QueryParser("text", SCHEMA)

    def search(self, text: str, filters: dict[str, list[str]]):
        q = self.parser.parse(text)
        if filters:
            q = query.And([q, *[query.Or([query.Term(f, v) for v in vs]) for f, vs in filters.items()]])
        results = self.searcher.search(q, limit=10, groupedby=sorting.FieldFacet("agenda"))
        return len(results), results.groups("agenda")
