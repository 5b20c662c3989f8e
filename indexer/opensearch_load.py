"""Publishing an index generation to OpenSearch: bulk load, then one atomic alias swap.

The units are the local generation's, in its document order (``order`` = Whoosh docnum),
so browsing and ties rank the same on both engines. Each publish writes a new physical
index ``congres-<generation>-<n>`` and its companion ``congres_meta-…`` (manifest, vocabulary,
facet table: what query understanding needs), moves the aliases ``congres`` and
``congres_meta`` to both in one ``_aliases`` request — readers see the old corpus or the
new one, never a mix — and deletes the previous physical indexes.
"""

from __future__ import annotations

import base64
import json
import time

from indexer.errors import CongresError
from indexer.facets import REGISTRY
from indexer.opensearch_template import ALIAS, INDEX_PREFIX, TEMPLATE_VERSION, index_template
from indexer.schema import split_values
from indexer.store import Generation

META_ALIAS = "congres_meta"
META_PREFIX = "congres_meta-"
META_ID = "meta"
TEMPLATE_NAME = "congres"
URL_ENV = "CONGRES_OPENSEARCH_URL"
DEFAULT_URL = "http://127.0.0.1:9200"
BULK_CHUNK = 500
BULK_RETRIES = 5
BULK_BACKOFF = 0.5  # seconds, doubled at each retry


class OpenSearchError(CongresError):
    """The cluster could not be reached or refused a request."""


def connect(url: str | None = None):
    """A client for ``url`` (else ``$CONGRES_OPENSEARCH_URL``, else the local node). Credentials come
    from the URL (``https://user:password@host:9200``); TLS certificates are verified."""
    import os

    from opensearchpy import OpenSearch

    url = url or os.environ.get(URL_ENV) or DEFAULT_URL
    client = OpenSearch([url], verify_certs=True, timeout=30, max_retries=3, retry_on_timeout=True)
    try:
        client.cluster.health()
    except Exception as error:  # the client raises many types (connection, TLS, auth)
        raise OpenSearchError(f"no OpenSearch cluster answers at {_public(url)}: {type(error).__name__}") from None
    return client


def _public(url: str) -> str:
    """The URL without its credentials, for messages."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}" if rest else url


def unit_documents(generation: Generation):
    """(order, document) of every unit of ``generation``, in document order."""
    index = generation.open_whoosh()
    with index.searcher() as searcher:
        for docnum in range(searcher.doc_count_all()):
            stored = dict(searcher.stored_fields(docnum))
            document = {name: stored.get(name) for name in ("key", "id", "kind", "paragraph", "letter",
                                                             "agenda_key", "section", "text")}
            document["order"] = docnum
            for facet in REGISTRY:
                document[facet.name] = split_values(stored.get(facet.name))
            yield docnum, document


def meta_document(generation: Generation) -> dict:
    """What a searcher needs beside the units: the manifest, the vocabulary, the facet table."""
    def text(path):
        return path.read_text("utf-8") if path.is_file() else ""

    facet_units = generation.facet_units_path
    return {
        "generation": generation.name, "template_version": TEMPLATE_VERSION,
        "manifest": text(generation.manifest_path), "vocabulary": text(generation.vocabulary_path),
        "facet_units": base64.b64encode(facet_units.read_bytes()).decode() if facet_units.is_file() else "",
    }


def publish(generation: Generation, url: str | None = None, shards: int = 1, replicas: int = 0,
            on_progress=None) -> str:
    """Load ``generation`` into a new physical index, swap the aliases to it, delete the old ones.
    Returns the physical index's name."""
    from opensearchpy import helpers

    client = connect(url)
    client.indices.put_index_template(name=TEMPLATE_NAME, body=index_template(shards, replicas))
    suffix = f"{generation.name}-{time.time_ns()}".lower()
    name, meta = f"{INDEX_PREFIX}{suffix}", f"{META_PREFIX}{suffix}"
    try:
        client.indices.create(index=name, body={"settings": {"refresh_interval": "-1"}})
        client.indices.create(index=meta, body={"settings": {"number_of_shards": 1, "number_of_replicas": replicas},
                                                "mappings": {"dynamic": False, "properties": {}}})
        actions = ({"_index": name, "_id": str(order), "_source": doc} for order, doc in unit_documents(generation))
        done = 0
        for ok, item in helpers.streaming_bulk(client, actions, chunk_size=BULK_CHUNK, max_retries=BULK_RETRIES,
                                               initial_backoff=BULK_BACKOFF, raise_on_error=True):
            done += 1
            if on_progress and done % BULK_CHUNK == 0:
                on_progress("opensearch", done, None)
        client.index(index=meta, id=META_ID, body=meta_document(generation), refresh=True)
        client.indices.put_settings(index=name, body={"index": {"refresh_interval": "1s"}})
        client.indices.refresh(index=name)
        client.cluster.health(index=name, wait_for_status="yellow", request_timeout=60)
        # Only what the aliases name is deleted after the swap: another publish's index, still
        # loading, is not this one's to remove.
        old = _aliased(client, ALIAS) + _aliased(client, META_ALIAS)
        actions = [{"remove": {"index": f"{INDEX_PREFIX}*", "alias": ALIAS}},
                   {"remove": {"index": f"{META_PREFIX}*", "alias": META_ALIAS}}] if _has_alias(client) else []
        client.indices.update_aliases(body={"actions": actions + [{"add": {"index": name, "alias": ALIAS}},
                                                                   {"add": {"index": meta, "alias": META_ALIAS}}]})
    except Exception as error:
        for index in (name, meta):
            client.indices.delete(index=index, ignore=404)
        if isinstance(error, CongresError):
            raise
        raise OpenSearchError(f"publishing to OpenSearch failed: {type(error).__name__}: {error}") from None
    for index in old:  # a concurrent publish may have deleted it first
        client.indices.delete(index=index, ignore=404)
    return name


def _aliased(client, alias: str) -> list[str]:
    from opensearchpy import NotFoundError

    try:
        return list(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []


def _has_alias(client) -> bool:
    return bool(client.indices.exists_alias(name=ALIAS)) and bool(client.indices.exists_alias(name=META_ALIAS))


def read_meta(client, index: str | None = None) -> dict | None:
    """The companion document of the current alias (or of ``index``'s publish), None if none."""
    from opensearchpy import NotFoundError

    try:
        found = client.search(index=META_ALIAS, body={"query": {"ids": {"values": [META_ID]}}, "size": 1})
    except NotFoundError:
        return None
    hits = found["hits"]["hits"]
    if not hits:
        return None
    meta = hits[0]["_source"]
    meta["index"] = INDEX_PREFIX + hits[0]["_index"][len(META_PREFIX):]
    return meta


def decode_facet_units(meta: dict) -> bytes:
    return base64.b64decode(meta.get("facet_units") or "")


def manifest_json(meta: dict) -> dict | None:
    return json.loads(meta["manifest"]) if meta.get("manifest") else None
