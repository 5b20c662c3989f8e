"""The posting arrays hold exactly the text postings Whoosh wrote: units, frequencies,
positions and field lengths, term by term, on the bundled corpus."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.postings import META
from indexer.store import Generation


@pytest.fixture(scope="module")
def generation(index_dir):
    return Generation.current(index_dir)


@pytest.fixture(scope="module")
def reader(generation):
    with generation.open_whoosh().reader() as reader:
        yield reader


def load(generation, name):
    return np.load(generation.postings_dir / f"{name}.npy")


def test_every_term_has_whoosh_postings_units_frequencies_and_positions(generation, reader):
    terms = (generation.postings_dir / "terms.txt").read_text("utf-8").split("\n")
    assert terms == sorted(t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("text"))
    term_starts, key_starts = load(generation, "term_starts"), load(generation, "key_starts")
    docs, freqs, keys = load(generation, "docs"), load(generation, "freqs"), load(generation, "keys")
    shift = json.loads((generation.postings_dir / META).read_text())["shift"]
    for i, term in enumerate(terms):
        expected = list(reader.postings("text", term).items_as("positions"))
        start, end = term_starts[i], term_starts[i + 1]
        assert docs[start:end].tolist() == [d for d, _ in expected], term
        assert freqs[start:end].tolist() == [len(p) for _, p in expected], term
        term_keys = keys[key_starts[i]:key_starts[i + 1]]
        assert [(int(k >> shift), int(k & ((1 << shift) - 1))) for k in term_keys] == \
            [(d, p) for d, positions in expected for p in positions], term


def test_field_lengths_are_whoosh_s(generation, reader):
    lengths = load(generation, "lengths")
    assert lengths.tolist() == [reader.doc_field_length(d, "text", 0) for d in range(reader.doc_count_all())]
    meta = json.loads((generation.postings_dir / META).read_text())
    assert (meta["units"], meta["field_length"]) == (161, reader.field_length("text"))
