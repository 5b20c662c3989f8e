"""The OpenSearch node the OpenSearch tests talk to: skipped when none answers, except under CI.

``deploy/opensearch/node.sh start`` runs one on http://127.0.0.1:9200; ``CONGRES_OPENSEARCH_URL``
points elsewhere. Under ``CI=true`` a missing node is a failure, not a skip.
"""

from __future__ import annotations

import os

import httpx
import pytest

URL = os.environ.get("CONGRES_OPENSEARCH_URL", "http://127.0.0.1:9200").rstrip("/")


def node_url() -> str:
    """The node's URL, or the test is skipped (failed under CI) with the reason."""
    try:
        httpx.get(f"{URL}/_cluster/health", timeout=5).raise_for_status()
    except httpx.HTTPError as error:
        reason = (f"no OpenSearch node at {URL} ({type(error).__name__}) — start one with "
                  f"`deploy/opensearch/node.sh build && deploy/opensearch/node.sh start`")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return URL
