"""The engine-neutral query tree (``search.query``: Whoosh query objects) as OpenSearch Query DSL.

Terms are already analysed by the project, so they are sent as terms (``term``,
``span_term``), never analysed again: a stem stemmed twice could change. A phrase is a
``span_near`` in order; Whoosh's slop counts positions from one word to the next (1 =
adjacent) where Lucene's counts the positions between them (0 = adjacent). A prefix
scores each term it expands to, as Whoosh's ``Prefix(constantscore=False)`` does.
"""

from __future__ import annotations

from whoosh import query as wq

from indexer.errors import InvalidRequestError

MATCH_NONE = {"match_none": {}}


def to_dsl(query) -> dict:
    """The DSL of a Whoosh query tree made by ``search.query``."""
    if isinstance(query, wq.Term):
        return {"term": {query.fieldname: {"value": query.text, "boost": query.boost}}}
    if isinstance(query, wq.Phrase):
        clauses = [{"span_term": {query.fieldname: word}} for word in query.words]
        return {"span_near": {"clauses": clauses, "slop": max(query.slop - 1, 0), "in_order": True,
                              "boost": query.boost}}
    if isinstance(query, wq.Prefix):
        rewrite = "constant_score" if query.constantscore else "scoring_boolean"
        return {"prefix": {query.fieldname: {"value": query.text, "rewrite": rewrite, "boost": query.boost}}}
    if isinstance(query, wq.ConstantScoreQuery):
        return {"constant_score": {"filter": to_dsl(query.child), "boost": query.score}}
    if isinstance(query, wq.Not):
        return {"bool": {"must_not": [to_dsl(query.query)]}}
    if isinstance(query, wq.And):
        positive = [q for q in query.subqueries if not isinstance(q, wq.Not)]
        negative = [to_dsl(q.query) for q in query.subqueries if isinstance(q, wq.Not)]
        body = {"must": [to_dsl(q) for q in positive]} if positive else {"must": [{"match_all": {}}]}
        if negative:
            body["must_not"] = negative
        return {"bool": {**body, "boost": query.boost}}
    if isinstance(query, wq.Or):
        return {"bool": {"should": [to_dsl(q) for q in query.subqueries], "minimum_should_match": 1,
                         "boost": query.boost}}
    if query is wq.NullQuery:
        return MATCH_NONE
    raise InvalidRequestError(f"this query cannot be sent to OpenSearch ({type(query).__name__})")


def facet_filter(facet: str, values: list[str]) -> dict:
    """Units carrying any of ``values`` (several values of one facet are alternatives)."""
    return {"terms": {facet: list(values)}}
