"""The facet registry (indexer/facets.py) and what is derived from it: one entry per facet."""

from __future__ import annotations

import click
import pytest

from indexer.facets import BY_NAME, FACETS, QUERY_NAMES, REGISTRY
from indexer.schema import SCHEMA, facet_field_values
from search.cli import search_command
from search.syntax import Field, parse_syntax


def test_the_facets_in_display_order():
    assert FACETS == ("agenda", "state", "theme", "org", "report", "doc")
    assert [f.name for f in REGISTRY if not f.shown] == ["observer"]


@pytest.mark.parametrize("typed, facet", [
    ("state", "state"), ("etat", "state"), ("pays", "state"), ("theme", "theme"), ("agenda", "agenda"),
    ("point", "agenda"), ("org", "org"), ("organisation", "org"), ("organization", "org"), ("doc", "doc"),
    ("rapport", "doc"),
])
def test_names_typed_before_a_colon(typed, facet):
    assert QUERY_NAMES[typed] == facet
    assert parse_syntax(f"{typed}:Brésil").children == [Field(facet, "Brésil")]


def test_a_name_typed_with_accents_or_capitals():
    assert parse_syntax("État:Brésil").children == [Field("state", "Brésil")]


def test_observer_is_a_field_not_a_query_name():
    assert "observer" not in QUERY_NAMES and "observer" in SCHEMA.names()


def test_every_facet_is_a_field_of_the_schema_single_or_multi_valued(corpus_units):
    unit = corpus_units["37f"]
    stored = facet_field_values(unit)
    assert set(stored) == set(BY_NAME) and set(BY_NAME) <= set(SCHEMA.names())
    assert stored["doc"] == "san-jose-2025" and "\n" not in stored["agenda"]
    assert stored["state"].split("\n") == unit.states + unit.observers


def test_the_search_command_has_one_option_per_facet_most_used_first():
    options = [p.opts[0] for p in search_command.params if isinstance(p, click.Option)]
    assert options[:6] == ["--state", "--theme", "--agenda", "--org", "--report", "--doc"]
