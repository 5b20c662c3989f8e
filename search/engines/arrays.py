"""The arrays engine: matching and scoring a query with NumPy over the arrays ``indexer.postings`` wrote.

Whoosh walks postings one by one in Python; here a query node is two arrays over all
units (does it match, what does it score) and the whole tree is a few vector
operations. The scores are Whoosh's: BM25F (B 0.75, K1 1.2) with Whoosh's idf and
one-byte field lengths; ``Or`` and ``And`` add their parts; a phrase scores the sum
of its words, times its boost; a ``Not`` inside a group adds 1, as Whoosh's inverse
matcher does. A test compares both engines on every query of the relevance benchmark.
Fields other than the text (facets, kind) are read from Whoosh once per value.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

from indexer.postings import FORMAT, META
from search.engines import Engine

TEXT_FIELD = "text"
B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults, which the Whoosh searcher uses
SCORES_KEPT = 1_000_000  # term scores kept between searches (postings; 12 MB with their docnums): the first used


class ArraysEngine(Engine):
    """A generation's posting arrays: only the terms a query uses are read.
    Read-only once open, so threads share it."""

    name = "arrays"

    def __init__(self, generation, readers, unit_count: int):
        folder = generation.postings_dir
        meta = json.loads((folder / META).read_text("utf-8"))
        if meta.get("format") != FORMAT or meta["units"] != unit_count:
            raise ValueError("posting arrays do not match the Whoosh index")
        self.size = meta["units"]
        self.shift = meta["shift"]
        self.avgfl = meta["field_length"] / (self.size or 1) or 1
        self.terms = (folder / "terms.txt").read_text("utf-8").split("\n") if meta["terms"] else []
        self.term_ids = {term: i for i, term in enumerate(self.terms)}
        load = lambda name: np.load(folder / f"{name}.npy", allow_pickle=False)  # small, all used
        self.term_starts, self.key_starts, self.lengths = load("term_starts"), load("key_starts"), load("lengths")
        self.docs = self.freqs = self.keys = None
        self.docs = _Column(folder / "docs.npy")
        try:
            self.freqs = _Column(folder / "freqs.npy")
            self.keys = _Column(folder / "keys.npy")
        except BaseException:
            self.close()
            raise
        if (len(self.term_starts) != len(self.terms) + 1 or len(self.lengths) != self.size
                or len(self.key_starts) != len(self.terms) + 1 or int(self.term_starts[-1]) != len(self.docs)
                or len(self.freqs) != len(self.docs) or int(self.key_starts[-1]) != len(self.keys)):
            self.close()
            raise ValueError("posting arrays are incomplete")
        self._readers = readers
        self._field_units: dict[tuple[str, str], np.ndarray] = {}
        # Each unit's BM25 length normalisation, and each term's scores once computed: they
        # depend only on the generation (its unit count, lengths and postings), never on the query.
        self._norm = K1 * ((1 - B) + B * self.lengths / self.avgfl)
        self._scores: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._scored = 0  # postings in ``_scores``
        _keep_freed_memory()

    # --- the engine's two questions ---------------------------------------------------

    def match(self, query: wq.Query, memo: dict | None = None) -> np.ndarray:
        return self._evaluate(query, {} if memo is None else memo).mask

    def rank(self, scoring: wq.Query, strict: wq.Query, found: np.ndarray, needed: int,
             memo: dict | None = None) -> list[tuple[int, float]]:
        memo = {} if memo is None else memo
        complete = found & self._evaluate(strict, memo).mask
        return self.top(self._evaluate(scoring, memo).dense, [complete, found > complete], needed)  # >: and not

    def close(self) -> None:
        for column in (self.docs, self.freqs, self.keys):
            if column is not None:
                column.close()

    # --- sets of units: boolean masks ---------------------------------------------------

    @staticmethod
    def all_units(size: int) -> np.ndarray:
        return np.ones(size, dtype=bool)

    @staticmethod
    def count(units: np.ndarray) -> int:
        return int(np.count_nonzero(units))

    @staticmethod
    def first(units: np.ndarray, limit: int) -> list[int]:
        return np.flatnonzero(units)[:limit].tolist()

    @staticmethod
    def facet_table(generation, reader):
        from search.facet_arrays import ArrayFacetTable

        return ArrayFacetTable.of_index(generation, reader)

    @staticmethod
    def top(scores: np.ndarray, tiers: list[np.ndarray], needed: int) -> list[tuple[int, float]]:
        """The first ``needed`` units of ``tiers`` taken in turn, each tier by score then docnum."""
        ranked: list[tuple[int, float]] = []
        for tier in tiers:
            want = needed - len(ranked)
            if want <= 0:
                break
            units = np.flatnonzero(tier)
            tier_scores = scores[units]
            if len(units) > want:  # keep the best ``want``; on a tie, the lower docnums (units is sorted)
                threshold = np.partition(tier_scores, len(units) - want)[len(units) - want]
                above = tier_scores > threshold
                ties = np.flatnonzero(tier_scores == threshold)[:want - int(above.sum())]
                keep = np.flatnonzero(above)
                keep = np.concatenate([keep, ties])
                units, tier_scores = units[keep], tier_scores[keep]
            order = np.lexsort((units, -tier_scores))
            ranked += [(int(d), float(s)) for d, s in zip(units[order], tier_scores[order])]
        return ranked

    # --- evaluation -----------------------------------------------------------------------

    def _evaluate(self, query, memo: dict) -> _Found:
        """The units ``query`` matches and their scores, read-only. ``memo`` remembers each node
        for one search: the loose, strict and scoring queries share their parts, and a term or a
        phrase written twice is the same node (the same field, words and boost)."""
        key = _leaf_key(query)
        if key is None:
            known = memo.get(id(query))
            if known is not None and known[0] is query:
                return known[1]
        elif key in memo:
            return memo[key]
        result = self._evaluate_node(query, memo)
        if key is None:
            memo[id(query)] = (query, result)  # the node itself too: its id stays its own meanwhile
        else:
            memo[key] = result
        return result

    def _evaluate_node(self, query, memo: dict) -> _Found:
        if isinstance(query, wq.Term):
            return self._term(query)
        if isinstance(query, wq.Phrase):
            return self._phrase(query)
        if isinstance(query, wq.Prefix) and query.fieldname == TEXT_FIELD and not query.constantscore:
            return self._prefix(query, memo)
        if isinstance(query, wq.ConstantScoreQuery):
            child = self._evaluate(query.child, memo)
            if child.docs is not None:
                return _Found(self.size, child.docs, np.full(len(child.docs), float(query.score)))
            return _Found(self.size, mask=child.mask, dense=np.where(child.mask, float(query.score), 0.0))
        if isinstance(query, wq.Not):  # as a part of a group: Whoosh's inverse matcher
            mask = ~self._evaluate(query.query, memo).mask
            return _Found(self.size, mask=mask, dense=mask.astype(np.float64))
        if isinstance(query, (wq.And, wq.Or)):
            return self._group(query, memo)
        raise TypeError(f"no array evaluation for {type(query).__name__}")

    def _group(self, query, memo: dict) -> _Found:
        parts = [self._evaluate(q, memo) for q in query.subqueries]
        if not parts:
            return self._nothing()
        if len(parts) == 1:  # Whoosh uses the only part's matcher, without the group's boost
            return parts[0]
        boost = query.boost
        if isinstance(query, wq.And) and all(part.docs is not None for part in parts):
            return self._sparse_and(parts, boost)
        mask = parts[0].mask.copy()
        combine = np.logical_and if isinstance(query, wq.And) else np.logical_or
        for part in parts[1:]:
            combine(mask, part.mask, out=mask)
        score = np.zeros(self.size)
        for i, part in enumerate(parts):  # in order: the same sums, to the last bit, whatever their forms
            part.add_to(score, first=i == 0)
        if isinstance(query, wq.And):
            score[~mask] = 0.0
        if boost != 1.0:
            score *= boost
        return _Found(self.size, mask=mask, dense=score)

    def _sparse_and(self, parts: list[_Found], boost: float) -> _Found:
        """The units in every part, without an array over all units: each part's docnums are sorted."""
        docs = min((part.docs for part in parts), key=len)
        for part in parts:
            docs = docs[_positions(part.docs, docs) >= 0]
        score = np.zeros(len(docs))
        for part in parts:
            score += part.scores[_positions(part.docs, docs)]
        if boost != 1.0:
            score *= boost
        return _Found(self.size, docs, score)

    def _nothing(self) -> _Found:
        return _Found(self.size, np.empty(0, dtype=np.int32), np.empty(0))

    def _term(self, query: wq.Term) -> _Found:
        if query.fieldname != TEXT_FIELD:
            docs = self._units_with(query.fieldname, query.text)
            return _Found(self.size, docs, np.full(len(docs), float(query.boost)))  # only ever constant-score
        term_id = self.term_ids.get(query.text)
        if term_id is None:
            return self._nothing()
        docs, term_scores = self._term_scores(term_id)
        return _Found(self.size, docs, term_scores * query.boost if query.boost != 1.0 else term_scores)

    def _term_scores(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The units of a term and their BM25F scores, computed at the term's first use."""
        known = self._scores.get(term_id)
        if known is not None:
            return known
        start, end = int(self.term_starts[term_id]), int(self.term_starts[term_id + 1])
        docs, tf = self.docs.read(start, end), self.freqs.read(start, end)
        idf = log(self.size / (end - start + 1)) + 1
        scores = idf * ((tf * (K1 + 1)) / (tf + self._norm[docs]))
        scores.flags.writeable = False  # shared by every search
        if self._scored + len(scores) <= SCORES_KEPT:  # threads may both add it: the same arrays
            self._scores[term_id] = docs, scores
            self._scored += len(scores)
        return docs, scores

    def _prefix(self, query: wq.Prefix, memo: dict) -> _Found:
        first = bisect_left(self.terms, query.text)
        last = first
        while last < len(self.terms) and self.terms[last].startswith(query.text):
            last += 1
        parts = [wq.Term(TEXT_FIELD, t) for t in self.terms[first:last]]
        if not parts:
            return self._nothing()
        return self._evaluate(wq.Or(parts, boost=query.boost) if len(parts) > 1 else parts[0], memo)  # as Whoosh does

    def _phrase(self, query: wq.Phrase) -> _Found:
        """Units where each word follows the previous one within ``slop`` positions (Whoosh's SpanNear2)."""
        term_ids = [self.term_ids.get(word) for word in query.words]
        if query.fieldname != TEXT_FIELD or not term_ids or None in term_ids:
            return self._nothing()
        reach = self._keys(term_ids[0])  # positions where a chain of the words can end so far
        for term_id in term_ids[1:]:
            if not len(reach):
                break
            keys = self._keys(term_id)
            before = np.searchsorted(reach, keys) - 1  # the closest chain end before each occurrence
            previous = reach[np.maximum(before, 0)]
            distance = keys - previous
            reach = keys[(before >= 0) & (distance <= query.slop)
                         & ((keys >> self.shift) == (previous >> self.shift))]
        if not len(reach):
            return self._nothing()
        units = reach >> self.shift  # sorted: keys are
        docs = units[np.r_[True, units[1:] != units[:-1]]].astype(np.int32)
        score = np.zeros(len(docs))
        for term_id in term_ids:  # each word's score, in the phrase's order, as a sum over all units would be
            term_docs, term_scores = self._term_scores(term_id)
            score += term_scores[np.searchsorted(term_docs, docs)]
        if query.boost != 1.0:
            score *= query.boost
        return _Found(self.size, docs, score)

    def _keys(self, term_id: int) -> np.ndarray:
        return self.keys.read(int(self.key_starts[term_id]), int(self.key_starts[term_id + 1]))

    def _units_with(self, fieldname: str, value: str) -> np.ndarray:
        """Units whose ``fieldname`` holds ``value`` (a facet, the kind…), read from Whoosh once."""
        key = (fieldname, value)
        if key not in self._field_units:
            with self._readers.searcher() as searcher:
                try:
                    units = list(searcher.reader().postings(fieldname, value).all_ids())
                except TermNotFound:
                    units = []
            self._field_units[key] = np.array(units, dtype=np.int64)
        return self._field_units[key]


_MALLOC_SET = []


def _keep_freed_memory() -> None:
    """Let the C allocator keep the arrays a search frees for the next search (glibc, once per process).

    A search allocates and frees arrays over all units (1.3 MB of scores, 161 kB masks at
    161,000 units). By default glibc gives such blocks back to the system when they are freed
    (``mmap`` above a threshold, heap trimming), and the next search takes every page again as
    a page fault: about 1,500 per query, a third of its time. Freed memory is kept up to 64 MB,
    below the search's own peak; other C libraries are left as they are."""
    if _MALLOC_SET:
        return
    _MALLOC_SET.append(True)
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 64 << 20)


class _Column:
    """One of the large arrays (docnums, frequencies, positions), read by ranges from its open
    file: a query reads the postings of its terms only. (Mapped, the file's pages are mapped
    by whole folios of the page cache, up to 2 MB for a few kB used: a third of the search's
    memory at 161,000 units.) The file stays open: a rebuild may delete it meanwhile."""

    def __init__(self, path):
        with open(path, "rb") as file:
            version = np.lib.format.read_magic(file)
            header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran_order, dtype = header(file)
            self._offset = file.tell()
        if fortran_order or len(shape) != 1 or dtype.hasobject:
            raise ValueError(f"{path.name} is not a posting array")
        self.dtype, self._length = dtype, shape[0]
        self._file = os.open(path, os.O_RDONLY)
        if os.fstat(self._file).st_size != self._offset + self._length * dtype.itemsize:
            self.close()
            raise ValueError(f"{path.name} is truncated")

    def __len__(self) -> int:
        return self._length

    def read(self, start: int, stop: int) -> np.ndarray:
        size = self.dtype.itemsize
        data = os.pread(self._file, (stop - start) * size, self._offset + start * size)
        if len(data) != (stop - start) * size:
            raise ValueError("a posting array was truncated")
        return np.frombuffer(data, dtype=self.dtype)

    def close(self) -> None:
        if self._file is not None:
            os.close(self._file)
            self._file = None


class _Found:
    """What a query node matches: sorted docnums and their scores (a term, a phrase, an ``And`` of
    those: no array over all units), or a mask and scores over all units; each form made from the
    other when asked for, once. Read-only: a search's memo shares it between trees."""

    __slots__ = ("size", "docs", "scores", "_mask", "_dense")

    def __init__(self, size: int, docs=None, scores=None, *, mask=None, dense=None):
        self.size, self.docs, self.scores, self._mask, self._dense = size, docs, scores, mask, dense

    @property
    def mask(self) -> np.ndarray:
        if self._mask is None:
            self._mask = np.zeros(self.size, dtype=bool)
            self._mask[self.docs] = True
        return self._mask

    @property
    def dense(self) -> np.ndarray:
        """The scores over all units (0 where it does not match)."""
        if self._dense is None:
            self._dense = np.zeros(self.size)
            self._dense[self.docs] = self.scores
        return self._dense

    def add_to(self, total: np.ndarray, first: bool = False) -> None:
        """Add the scores to ``total``; ``first``: ``total`` is all 0 (0 + x is x, to the bit)."""
        if self._dense is None:
            if first:
                total[self.docs] = self.scores
            else:
                total[self.docs] += self.scores  # docnums are distinct
        else:
            total += self._dense


def _positions(sorted_docs: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Where each of ``docs`` is in ``sorted_docs``, -1 where it is not."""
    at = np.searchsorted(sorted_docs, docs)
    inside = at < len(sorted_docs)
    found = np.zeros(len(docs), dtype=bool)
    found[inside] = sorted_docs[at[inside]] == docs[inside]
    return np.where(found, at, -1)


def _leaf_key(query):
    """A term or a phrase by what it is (written twice, evaluated once); None for a group."""
    if type(query) is wq.Term:
        return ("term", query.fieldname, query.text, query.boost)
    if type(query) is wq.Phrase:
        return ("phrase", query.fieldname, tuple(query.words), query.slop, query.boost)
    return None


ENGINE = ArraysEngine
