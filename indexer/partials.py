"""Each segment's own lookups, and their merge into the generation's.

A build writes, beside every Whoosh segment, that segment's posting arrays, facet bitsets and
word forms, its docnums counted from 0. The generation's ``postings/``, ``facet_units.bin`` and
``vocabulary.tsv`` are these parts merged in segment order (docnums shifted by the units before),
which takes a fraction of a second, where analysing every unit's text again takes many: an
incremental build writes the parts of the segments it rewrites and merges them with the parts
it kept. The merge gives the very files ``indexer.postings``, ``indexer.facet_units`` and
``indexer.vocabulary`` write from all the units at once (``tests/test_build_incremental.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

from indexer.facet_units import FORMAT as FACET_FORMAT
from indexer.facet_units import read_facet_units, write_facet_units
from indexer.facets import REGISTRY
from indexer.postings import FORMAT as POSTINGS_FORMAT
from indexer.postings import META, write_postings
from indexer.vocabulary import merge_word_forms, write_word_forms

POSTINGS, FACET_UNITS, WORDS = "postings", "facet_units.bin", "words.tsv"
_ARRAYS = ("term_starts", "key_starts", "docs", "freqs", "keys", "lengths")


def write_part(folder: Path, units) -> None:
    """The lookups of one segment's units (in docnum order)."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    write_postings(folder / POSTINGS, [unit.text for unit in units])
    write_facet_units(folder / FACET_UNITS, units)
    write_word_forms(folder / WORDS, units)


def merge_parts(generation, parts: list[tuple[Path, int]]) -> None:
    """The generation's lookups from its segments' parts: (folder, unit count), in segment order."""
    folders = [Path(folder) for folder, _ in parts]
    _merge_postings(generation.postings_dir, [folder / POSTINGS for folder in folders])
    _merge_facet_units(generation.facet_units_path, [(folder / FACET_UNITS, units) for folder, units in parts])
    merge_word_forms(generation.vocabulary_path, [folder / WORDS for folder in folders])


# --- posting arrays (indexer.postings) ---------------------------------------------------------

def _merge_postings(out: Path, parts: list[Path]) -> None:
    import numpy as np

    loaded = []
    for part in parts:
        meta = json.loads((part / META).read_text("utf-8"))
        if meta.get("format") != POSTINGS_FORMAT:
            raise ValueError(f"{part} is not of this indexer")
        text = (part / "terms.txt").read_text("utf-8")
        arrays = {name: np.load(part / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
        loaded.append((meta, text.split("\n") if text else [], arrays))
    terms = sorted(set().union(*(part_terms for _, part_terms, _ in loaded)))
    rank = {term: i for i, term in enumerate(terms)}
    shift = max([16, *(meta["shift"] for meta, _, _ in loaded)])  # as write_postings picks it for all
    posting_terms, docs, freqs, key_terms, keys, lengths = [], [], [], [], [], []
    offset = 0
    for meta, part_terms, arrays in loaded:
        ranks = np.array([rank[term] for term in part_terms], dtype=np.int32)
        posting_terms.append(np.repeat(ranks, np.diff(arrays["term_starts"])))
        key_terms.append(np.repeat(ranks, np.diff(arrays["key_starts"])))
        docs.append(arrays["docs"] + np.int32(offset))
        freqs.append(arrays["freqs"])
        part_keys = arrays["keys"]
        positions = part_keys & ((1 << meta["shift"]) - 1)
        keys.append((((part_keys >> meta["shift"]) + offset) << shift) | positions)
        lengths.append(arrays["lengths"])
        offset += meta["units"]

    def joined(chunks, dtype):
        return np.concatenate(chunks).astype(dtype, copy=False) if chunks else np.empty(0, dtype)

    # Each part is sorted by term then docnum, and the parts follow each other in docnum order:
    # a stable sort by term alone gives the order write_postings gives.
    posting_terms, key_terms = joined(posting_terms, np.int32), joined(key_terms, np.int32)
    by_term, by_key_term = np.argsort(posting_terms, kind="stable"), np.argsort(key_terms, kind="stable")
    bounds = np.arange(len(terms) + 1)
    values = {
        "term_starts": np.searchsorted(posting_terms[by_term], bounds).astype(np.int64),
        "key_starts": np.searchsorted(key_terms[by_key_term], bounds).astype(np.int64),
        "docs": joined(docs, np.int32)[by_term], "freqs": joined(freqs, np.float64)[by_term],
        "keys": joined(keys, np.int64)[by_key_term], "lengths": joined(lengths, np.float64),
    }
    out = Path(out)
    out.mkdir()
    (out / "terms.txt").write_text("\n".join(terms), "utf-8")
    for name in _ARRAYS:
        np.save(out / f"{name}.npy", values[name], allow_pickle=False)
    meta = {"format": POSTINGS_FORMAT, "units": offset, "terms": len(terms),
            "field_length": sum(meta["field_length"] for meta, _, _ in loaded), "shift": shift}
    (out / META).write_text(json.dumps(meta), "utf-8")


# --- facet bitsets (indexer.facet_units) -----------------------------------------------------

def _merge_facet_units(path: Path, parts: list[tuple[Path, int]]) -> None:
    merged: dict[str, dict[str, int]] = {facet.name: {} for facet in REGISTRY}
    offset = 0
    for part, units in parts:
        table = read_facet_units(part)
        if table is None:
            raise ValueError(f"{part} is missing")
        for name, values in table.items():
            target = merged[name]
            for value, bits in values.items():
                target[value] = target.get(value, 0) | bits << offset
        offset += units
    width = (offset + 7) // 8
    values = {name: sorted(found) for name, found in merged.items()}
    header = {"format": FACET_FORMAT, "units": offset, "values": values}  # as write_facet_units writes it
    with open(path, "wb") as out:
        out.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
        for name, names in values.items():
            for value in names:
                out.write(merged[name][value].to_bytes(width, "little"))
