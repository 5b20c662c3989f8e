"""The text field's postings as NumPy arrays, written beside the Whoosh segment.

Whoosh reads postings one at a time in Python: at 161,000 units a query spends most
of its time there. These arrays hold the same postings (docnum, term frequency,
positions) and the same field lengths, so that ``search.engines.arrays`` can match and score
a whole query with a few vector operations and give Whoosh's BM25F scores. The
Whoosh index stays the index of record (stored fields, other fields, small indexes).

Layout, in the generation's ``postings/`` folder (``Generation.postings_dir``):

- ``terms.txt``: the text field's terms, sorted, one per line;
- ``term_starts.npy`` / ``key_starts.npy``: where each term's postings / positions begin;
- ``docs.npy`` (int32) and ``freqs.npy`` (float64): one entry per (term, unit), by term then docnum;
- ``keys.npy`` (int64): one entry per occurrence, ``docnum << shift | position``, sorted per term;
- ``lengths.npy`` (float64): each unit's field length as Whoosh stores it (one byte, approximated);
- ``meta.json``: unit count, total field length, the position shift.
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.analysis import indexed_terms

META = "meta.json"
FORMAT = 1


def write_postings(out: Path, texts) -> None:
    """Analyse ``texts`` (in docnum order) as the Whoosh text field does and write the arrays."""
    term_ids: dict[str, int] = {}
    token_terms, counts, firsts = array("i"), array("q"), array("q")
    for text in texts:
        terms, first = indexed_terms(text)
        token_terms.extend([term_ids.setdefault(term, len(term_ids)) for term in terms])
        counts.append(len(terms))
        firsts.append(first)
    counts, firsts = np.frombuffer(counts, dtype=np.int64), np.frombuffer(firsts, dtype=np.int64)
    total_length = int(counts.sum())
    starts = np.cumsum(counts) - counts
    docs = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    positions = np.arange(total_length, dtype=np.int64) - np.repeat(starts - firsts, counts)
    lengths = _whoosh_lengths(counts)

    terms = sorted(term_ids)
    rank = np.empty(len(terms), dtype=np.int32)  # term id → rank in sorted order
    rank[[term_ids[t] for t in terms]] = np.arange(len(terms), dtype=np.int32)
    tokens_term = rank[np.frombuffer(token_terms, dtype=np.int32)] if len(token_terms) else np.empty(0, np.int32)
    max_position = int(positions.max()) if len(positions) else 0
    shift = max(16, max_position.bit_length())  # bits of a key that hold the position

    keys = (docs << shift) | positions  # in increasing order: a stable sort by term keeps it so per term
    order = np.argsort(tokens_term, kind="stable")
    keys, tokens_term = keys[order], tokens_term[order]
    key_starts = np.searchsorted(tokens_term, np.arange(len(terms) + 1))

    # One posting per (term, unit): the first occurrence of each pair, and how many there are.
    pair = (tokens_term.astype(np.int64) << 32) | (keys >> shift)
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.empty(0, np.int64)
    posting_docs = (keys[first] >> shift).astype(np.int32)
    freqs = np.diff(np.r_[first, len(pair)]).astype(np.float64)
    term_starts = np.searchsorted(tokens_term[first], np.arange(len(terms) + 1))

    out = Path(out)
    out.mkdir()
    (out / "terms.txt").write_text("\n".join(terms), "utf-8")
    for name, values in (("term_starts", term_starts.astype(np.int64)), ("key_starts", key_starts.astype(np.int64)),
                         ("docs", posting_docs), ("freqs", freqs), ("keys", keys),
                         ("lengths", lengths)):
        np.save(out / f"{name}.npy", values, allow_pickle=False)
    meta = {"format": FORMAT, "units": len(counts), "terms": len(terms), "field_length": total_length,
            "shift": shift}
    (out / META).write_text(json.dumps(meta), "utf-8")


def _whoosh_lengths(counts: np.ndarray) -> np.ndarray:
    """Field lengths as Whoosh stores and reads them back: one byte each, an approximation."""
    table = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float64)
    encode = np.vectorize(length_to_byte, otypes=[np.int64])
    distinct, inverse = np.unique(counts, return_inverse=True)
    return table[encode(distinct)][inverse]
