"""A snapshot of the corpus published to OpenSearch: the same ``SearchResults`` as a local one.

Query understanding is the project's (``search.query``, with the vocabulary, speller and facet
table published beside the units); matching, ranking and facet counting are OpenSearch's,
in one ``_msearch``: the all-words tier, then the rest, each by score then document order,
with ``dfs_query_then_fetch`` so that scores do not depend on how units fall into shards.
Facet counts are disjunctive: one ``filter`` aggregation per facet leaves that facet's own
filter out, and the facet filters reach the hits as a ``post_filter``. Snippets are the
project's own (``search.snippets``) on the returned text, so they are identical.

A snapshot reads one physical index (named by the meta document of the alias): a publish
moves the alias, and the ``Searcher`` opens a new snapshot, as for a new local generation.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexUnavailableError
from indexer.facet_units import read_facet_units
from indexer.facets import FACETS, REGISTRY
from indexer.opensearch_load import (
    ALIAS, connect, decode_facet_units, manifest_json, read_meta,
)
from indexer.schema import FACET_SEPARATOR
from indexer.store import Manifest
from indexer.vocabulary import read_vocabulary
from search.facets import FacetCount, FacetTable
from search.opensearch_dsl import facet_filter, to_dsl
from search.query import QueryContext, parse_query
from search.results import SearchResults
from search.snapshot import Snapshot, _hit, _notices
from search.spelling import Speller

SEARCH_TYPE = "dfs_query_then_fetch"
ALL_VALUES = 65_535  # buckets per facet: every value


@dataclass(frozen=True)
class RemoteGeneration:
    """What a local ``Generation`` is to a snapshot: its name, compared to tell a swap."""

    name: str

    @classmethod
    def current(cls, client) -> RemoteGeneration | None:
        try:
            names = list(client.indices.get_alias(name=ALIAS))
        except Exception:  # no alias yet, or the cluster is away: the caller keeps its snapshot
            return None
        return cls(names[0]) if names else None


class OpenSearchSnapshot(Snapshot):
    """The published corpus behind the alias, open; the local snapshot's searching API."""

    def __init__(self, client):  # noqa: super().__init__ opens local files: not called
        meta = read_meta(client)
        if meta is None:
            raise IndexUnavailableError("no corpus published to OpenSearch — run `congres index --engine opensearch`")
        self.client = client
        self.index = meta["index"]
        self.generation = RemoteGeneration(self.index)
        manifest = manifest_json(meta)
        self.manifest = Manifest(**manifest) if manifest else None
        with tempfile.TemporaryDirectory() as folder:  # the project's readers read files
            vocabulary, facet_units = Path(folder) / "vocabulary", Path(folder) / "facet_units"
            vocabulary.write_text(meta.get("vocabulary") or "", "utf-8")
            facet_units.write_bytes(decode_facet_units(meta))
            self.speller = Speller(*read_vocabulary(vocabulary))
            table = read_facet_units(facet_units) if facet_units.stat().st_size else None
        if table is None:
            raise IndexUnavailableError(f"the OpenSearch index {self.index} has no facet table — publish it again")
        self.facets = FacetTable(table)
        self.unit_count = client.count(index=self.index)["count"]
        self.engine = _EngineName()
        self.context = QueryContext(resolve=self.facets.resolve, speller=self.speller,
                                    is_french=self.speller.is_printed, knows=self.speller.knows)
        self._lock = threading.Lock()
        self._users = 0
        self._retired = self._closed = False

    def _release(self) -> None:
        """Nothing held: the client is the Searcher's."""

    # --- searching ----------------------------------------------------------------------

    def search(self, query: str, filters: dict, limit: int, offset: int, in_order: bool = False) -> SearchResults:
        parsed = parse_query(query, self.context)
        selected = self._resolve(filters, parsed.filters)
        matched = {"match_all": {}} if parsed.browse else to_dsl(parsed.loose)
        if parsed.excluded is not None:
            matched = {"bool": {"must": [matched], "must_not": [to_dsl(parsed.excluded)]}}
        chosen = {facet: facet_filter(facet, values) for facet, values in selected.items()}
        aggregations = {facet: {"filter": {"bool": {"filter": [f for other, f in chosen.items() if other != facet]}},
                                "aggs": {"values": {"terms": {"field": facet, "size": ALL_VALUES}}}}
                        for facet in FACETS}
        post_filter = {"bool": {"filter": list(chosen.values())}}
        needed = min(offset + limit, self.unit_count)
        by_order = [{"order": "asc"}]
        if in_order or parsed.browse:
            tiers = [({"bool": {"filter": [matched]}}, by_order)]
        else:
            scoring, strict = to_dsl(parsed.scoring), to_dsl(parsed.strict)
            tiers = [({"bool": {"must": [scoring], "filter": [matched, strict]}}, ["_score", *by_order]),
                     ({"bool": {"must": [scoring], "filter": [matched], "must_not": [strict]}}, ["_score", *by_order])]
        requests = [{"index": self.index}, {"query": matched, "size": 0, "track_total_hits": True,
                                             "aggs": aggregations}]
        for tier_query, sort in tiers:
            requests += [{"index": self.index, "search_type": SEARCH_TYPE},
                         {"query": tier_query, "post_filter": post_filter, "sort": sort, "size": needed,
                          "track_total_hits": True}]
        counting, *answers = self.client.msearch(body=requests)["responses"]
        for response in (counting, *answers):
            if "error" in response:
                raise RuntimeError(f"OpenSearch refused the search: {response['error']}")
        ranked, total = [], 0
        for response in answers:
            total += response["hits"]["total"]["value"]
            ranked += [(_stored(hit["_source"]), hit.get("_score")) for hit in response["hits"]["hits"]]
        ranked = ranked[:needed][offset:offset + limit]
        scored = not (in_order or parsed.browse)
        reports = self.manifest.reports if self.manifest else {}
        hits = [_hit(stored, score if scored else None, parsed, reports.get(stored["doc"]) or {})
                for stored, score in ranked]
        counts = {facet: {b["key"]: b["doc_count"] for b in counting["aggregations"][facet]["values"]["buckets"]}
                  for facet in FACETS}
        matched_any = counting["hits"]["total"]["value"] > 0
        facets = {facet: self._counts(facet, counts[facet], selected.get(facet, [])) for facet in FACETS}
        notices = _notices(parsed)
        if not matched_any and not parsed.browse:
            notices += self._suggestions(parsed)
        suggested = {facet: [v for v in values if v not in selected.get(facet, []) and self._known(facet, v)]
                     for facet, values in parsed.suggested_filters.items()}
        suggested = {facet: values for facet, values in suggested.items() if values}
        for facet, values in suggested.items():
            notices.append(f"{' and '.join(values)} {'is a' if len(values) == 1 else 'are'} {facet}"
                           f"{'' if len(values) == 1 else 's'}: --{facet} " + " --state ".join(f"'{v}'" for v in values)
                           + " gives the sections where " + ("it" if len(values) == 1 else "they") + " spoke")
        return SearchResults(query, total, hits, facets, selected, limit, offset, notices,
                             parsed.explanation, suggested_filters=suggested, generation=self.generation.name,
                             reports=len(self.manifest.documents) if self.manifest else 0)

    def _counts(self, facet: str, counts: dict[str, int], selected: list[str]) -> list[FacetCount]:
        """``FacetTable.counts``'s rows and order, from an aggregation's buckets."""
        known = self.facets.units[facet]
        rows = [FacetCount(value, counts.get(value, 0), value in selected, value in self.facets.observers)
                for value in known if counts.get(value) or value in selected]
        unknown = [FacetCount(value, 0, True) for value in selected if value not in known]
        if unknown:
            from indexer.analysis import normalize

            rows += unknown
            rows.sort(key=lambda r: (-r.count, normalize(r.value)))
        else:
            rows.sort(key=lambda r: -r.count)
        return rows

    def units_with_id(self, key: str, doc: str | None) -> list[tuple[int, str]]:
        query = {"bool": {"filter": [{"term": {"id": key}}] + ([{"term": {"doc": doc}}] if doc else [])}}
        found = self.client.search(index=self.index, body={"query": query, "sort": [{"order": "asc"}],
                                                           "size": 1000, "_source": ["order", "doc"]})
        return [(hit["_source"]["order"], hit["_source"]["doc"][0]) for hit in found["hits"]["hits"]]

    def unit(self, docnum: int):
        found = self.client.search(index=self.index, body={"query": {"term": {"order": docnum}}, "size": 1})
        stored = _stored(found["hits"]["hits"][0]["_source"])
        reports = self.manifest.reports if self.manifest else {}
        return _hit(stored, None, None, reports.get(stored["doc"]) or {})

    def facet_values(self, facet: str) -> list[FacetCount]:
        found = self.client.search(index=self.index, body={
            "size": 0, "aggs": {"values": {"terms": {"field": facet, "size": ALL_VALUES}}}})
        counts = {b["key"]: b["doc_count"] for b in found["aggregations"]["values"]["buckets"]}
        return self._counts(facet, counts, [])


class _EngineName:
    name = "opensearch"


def _stored(source: dict) -> dict:
    """A unit's ``_source`` as the local index stores it (one value per line for the facets)."""
    stored = dict(source)
    for facet in REGISTRY:
        values = source.get(facet.name) or []
        stored[facet.name] = FACET_SEPARATOR.join(values) if facet.multiple else (values[0] if values else "")
    return stored


def open_remote(url: str | None):
    """(client, snapshot) of the corpus published at ``url``."""
    client = connect(url)
    return client, OpenSearchSnapshot(client)
