"""Schemathesis over `/openapi.json`: whatever the schema allows (and what it does not), the
application answers without a 5xx, with a status the schema lists and a body of its shape.

Each operation is run with cases that fit the schema (positive) and cases that break it
(negative: wrong types, out-of-range numbers, values too long), on the bundled index."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from search import Searcher
from search.web import create_app
from tests.conftest import CORPUS, stress

#: The documented operations (the schema does not depend on the index).
OPERATIONS = list(create_app(None).openapi()["paths"])


@pytest.fixture(scope="module")
def web_schema(index_dir):
    with Searcher(index_dir, CORPUS) as searcher:
        yield schemathesis.openapi.from_asgi("/openapi.json", create_app(searcher))


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
@pytest.mark.parametrize("path", OPERATIONS)
def test_no_server_error_and_answers_match_the_schema(web_schema, path, mode):
    operation = web_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    # 100 under the ci profile: schemathesis's own default run
    @settings(max_examples=stress(ci=100, quick=25), suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call_and_validate()
        assert response.status_code < 500

    check()


def test_every_route_is_checked():
    assert OPERATIONS == ["/api/search", "/api/search.csv", "/api/search.jsonl", "/api/units/{doc}/{unit_id}",
                          "/api/facets", "/", "/units/{doc_id}/{unit_id}"]
