"""Everything a search reads from one index generation, opened once and shared by threads.

A ``Snapshot`` is immutable once open: the facet table, the engine, the vocabulary and
speller, the manifest. The one thing that is not shareable, Whoosh's readers (their
files are read by seek-then-read), is lent from a ``ReaderPool``: a thread takes a
searcher, uses it alone, gives it back. A ``Searcher`` swaps in a new snapshot with a
single assignment when the index is rebuilt; each search uses the snapshot it took at
its start, and a snapshot is closed once it is retired and no search uses it.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

from whoosh.query import Term

from indexer.analysis import analyze, fold
from indexer.errors import IndexUnavailableError, InvalidRequestError
from indexer.metadata import full_citation
from indexer.model import citation
from indexer.schema import split_values
from indexer.store import MANIFEST, Generation
from indexer.trust import verify
from indexer.vocabulary import read_vocabulary
from search.engines import choose, open_engine
from search.facets import FacetCount, FacetTable  # noqa: F401  (FacetTable: what a small index counts with)
from search.query import MAX_TERMS, ParsedQuery, QueryContext, parse_query
from search.results import Hit, SearchResults
from search.snippets import make_snippet, symbol_pattern
from search.spelling import MIN_LENGTH, Speller


#: A query citing a document symbol puts the units citing it whole first, when it finds at most
#: this many units (their texts are read to tell).
SYMBOL_RERANKED = 2_000


class ReaderPool:
    """Whoosh searchers of one index, each used by one thread at a time (Whoosh's readers
    are not thread-safe); a thread that finds none free opens another."""

    def __init__(self, index):
        self._index = index
        self._free: list = []
        self._opened: list = []
        self._lock = threading.Lock()

    @contextmanager
    def searcher(self):
        with self._lock:
            searcher = self._free.pop() if self._free else None
        if searcher is None:
            searcher = self._index.searcher()
            with self._lock:
                self._opened.append(searcher)
        try:
            yield searcher
        finally:
            with self._lock:
                self._free.append(searcher)

    def close(self) -> None:
        with self._lock:
            for searcher in self._opened:
                searcher.close()
            self._opened.clear()
            self._free.clear()


class Snapshot:
    """One generation, open; see the module docstring. Raises what Whoosh or the files raise:
    the ``Searcher`` turns that into the project's errors."""

    def __init__(self, generation: Generation, engine: str | None):
        self.generation = generation
        manifest = generation.read_manifest()  # JSON: safe to read before the check
        verify(generation.path, manifest and manifest.files, manifest and manifest.signature,
               generation.path.parent, leave_out=MANIFEST)  # before Whoosh unpickles anything
        self.readers = ReaderPool(generation.open_whoosh())
        try:
            with self.readers.searcher() as searcher:
                reader = searcher.reader()
                self.unit_count = reader.doc_count_all()
                name = choose(engine, self.unit_count, generation.postings_dir.is_dir())
                self.engine = open_engine(name, generation, self.readers, self.unit_count)
                try:
                    self.facets = self.engine.facet_table(generation, reader)  # counts the engine's sets
                except BaseException:
                    self.engine.close()
                    raise
            self.all_units = self.engine.all_units(self.unit_count)
            try:
                self.manifest = manifest
                self.speller = Speller(*read_vocabulary(generation.vocabulary_path))
                if not generation.path.is_dir():
                    # Pruned while it was being opened: some files may have been missing (and
                    # replaced by fallbacks); the caller opens the newer generation instead.
                    raise IndexUnavailableError(f"the index generation {generation.name} was removed by a rebuild")
            except BaseException:
                self.engine.close()
                raise
        except BaseException:
            self.readers.close()
            raise
        self.context = QueryContext(resolve=self.facets.resolve, speller=self.speller,
                                    is_french=self.speller.is_printed, knows=self.speller.knows)
        self._lock = threading.Lock()
        self._users = 0
        self._retired = self._closed = False

    # --- lifetime ---------------------------------------------------------------------

    def enter(self) -> bool:
        """Count one more search on this snapshot; False if it is already closed."""
        with self._lock:
            if self._closed:
                return False
            self._users += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            close = self._retired and not self._users and not self._closed
            self._closed = self._closed or close
        if close:
            self._release()

    def retire(self) -> None:
        """No new search will take this snapshot: close it when the last one is done."""
        with self._lock:
            self._retired = True
            close = not self._users and not self._closed
            self._closed = self._closed or close
        if close:
            self._release()

    def _release(self) -> None:
        self.engine.close()
        self.readers.close()

    # --- searching ----------------------------------------------------------------------

    def search(self, query: str, filters: dict, limit: int, offset: int, in_order: bool = False) -> SearchResults:
        """``in_order``: the matching units in document order, unscored, whatever the query."""
        parsed = parse_query(query, self.context)
        selected = self._resolve(filters, parsed.filters)
        memo: dict = {}  # the engine's scratch for this search (its query trees share their parts)
        matched = self._matching(parsed, memo)
        allowed = {facet: self.facets.units_with(facet, values) for facet, values in selected.items()}
        found = matched
        for units in allowed.values():
            found = found & units  # a new set: ``matched`` may be the engine's own (memo)
        needed = min(offset + limit, self.unit_count)
        if parsed.symbols and not in_order and self.engine.count(found) <= SYMBOL_RERANKED:
            ranked = self._cited_first(parsed, self._rank(parsed, found, self.unit_count, memo))
        elif in_order:
            ranked = [(d, None) for d in self.engine.first(found, needed)]
        else:
            ranked = self._rank(parsed, found, needed, memo)
        hits = self._hits(ranked[offset:offset + limit], parsed)
        facets = self.facets.disjunctive_counts(matched, allowed, selected)
        notices = _notices(parsed)
        if not parsed.browse and not self.engine.count(matched):  # the words themselves find nothing
            notices += self._suggestions(parsed)
        suggested = {facet: [v for v in values if v not in selected.get(facet, []) and self._known(facet, v)]
                     for facet, values in parsed.suggested_filters.items()}
        suggested = {facet: values for facet, values in suggested.items() if values}
        for facet, values in suggested.items():  # "Mexique" is a state: where it spoke is a filter away
            notices.append(f"{' and '.join(values)} {'is a' if len(values) == 1 else 'are'} {facet}"
                           f"{'' if len(values) == 1 else 's'}: --{facet} " + " --state ".join(f"'{v}'" for v in values)
                           + " gives the sections where " + ("it" if len(values) == 1 else "they") + " spoke")
        return SearchResults(query, self.engine.count(found), hits, facets, selected, limit, offset, notices,
                             parsed.explanation, suggested_filters=suggested, generation=self.generation.name,
                             reports=len(self.manifest.documents) if self.manifest else 0)

    def _known(self, facet: str, value: str) -> bool:
        """A value some unit has (a state that spoke in this index)."""
        return value in self.facets.values(facet)

    def units_with_id(self, key: str, doc: str | None) -> list[tuple[int, str]]:
        """(docnum, report) of the units numbered ``key`` ("37f"), in ``doc`` if given."""
        with self.readers.searcher() as searcher:
            docnums = sorted(searcher.docs_for_query(Term("id", key)))
            found = [(d, searcher.stored_fields(d)["doc"]) for d in docnums]
        return [(d, name) for d, name in found if doc is None or name == doc]

    def unit(self, docnum: int) -> Hit:
        return self._hits([(docnum, None)], None)[0]

    def facet_values(self, facet: str) -> list[FacetCount]:
        return self.facets.counts(facet, self.all_units, [])

    def _resolve(self, *sources: dict) -> dict[str, list[str]]:
        """Canonical facet values from the API's filters and the query's ``field:value``."""
        resolved: dict[str, list[str]] = {}
        for source in sources:
            if not isinstance(source, dict):
                raise InvalidRequestError("filters must be a mapping of facet name to values")
            for facet, values in source.items():
                if not isinstance(values, (str, list, tuple, set)):
                    raise InvalidRequestError(f"filter values for '{facet}' must be a string or a list of strings")
                for value in [values] if isinstance(values, str) else values:
                    canonical = self.facets.resolve(facet, valid_text(value))
                    if canonical not in resolved.setdefault(facet, []):
                        resolved[facet].append(canonical)
        return {facet: values for facet, values in resolved.items() if values}

    def _matching(self, parsed: ParsedQuery, memo: dict) -> int:
        """Bitset of the units the query's words allow (before facet filters)."""
        matched = self.all_units if parsed.browse else self.engine.match(parsed.loose, memo)
        if parsed.excluded is not None:
            matched = matched & ~self.engine.match(parsed.excluded, memo)
        return matched

    def _rank(self, parsed: ParsedQuery, found: int, needed: int, memo: dict) -> list[tuple[int, float | None]]:
        """The first ``needed`` units: those with every word first, then the others; each tier by
        BM25F score, then document order. Only that many are scored in full."""
        if parsed.browse:
            return [(docnum, None) for docnum in self.engine.first(found, needed)]
        if not needed or not self.engine.count(found):
            return []
        return self.engine.rank(parsed.scoring, parsed.strict, found, needed, memo)

    def _cited_first(self, parsed: ParsedQuery, ranked: list[tuple[int, float | None]]) -> list:
        """The units that cite a typed document symbol as a whole ("A/CONF.241/RPM.2/1", not
        "…/RPM.2/L.1", whose words are the same) before the others, each group in rank order."""
        patterns = [symbol_pattern(symbol) for symbol in parsed.symbols]
        with self.readers.searcher() as searcher:
            cites = [any(p.search(searcher.stored_fields(d)["text"]) for p in patterns) for d, _ in ranked]
        return [r for r, c in zip(ranked, cites) if c] + [r for r, c in zip(ranked, cites) if not c]

    def _suggestions(self, parsed: ParsedQuery) -> list[str]:
        """"did you mean" for a query that found nothing: close words of the index."""
        words = list(dict.fromkeys(w for w in re.findall(r"\w+", parsed.text) if len(w) >= MIN_LENGTH))[:MAX_TERMS]
        close = [self.speller.closest(w) for w in words]
        close = list(dict.fromkeys(c for w, c in zip(words, close) if c and fold(c.lower()) != fold(w.lower())))
        return ["did you mean " + ", ".join(f"« {c} »" for c in close[:3]) + "?"] if close else []

    def _hits(self, ranked: list[tuple[int, float | None]], parsed: ParsedQuery | None) -> list[Hit]:
        with self.readers.searcher() as searcher:
            stored = [searcher.stored_fields(docnum) for docnum, _ in ranked]
        reports = self.manifest.reports if self.manifest else {}
        return [_hit(fields, score, parsed, reports.get(fields["doc"]) or {}) for fields, (_, score) in zip(stored, ranked)]


def _hit(stored: dict, score: float | None, parsed: ParsedQuery | None, report: dict) -> Hit:
    """``report``: the metadata of the unit's report (``indexer.metadata``), {} for an index without it."""
    text = stored["text"]
    if parsed is None:
        parts = [(text, False)]
    else:
        terms, prefixes = parsed.terms, tuple(parsed.prefixes)
        whole = [symbol_pattern(symbol) for symbol in parsed.symbols]
        whole += [symbol_pattern(symbol.rsplit("/", 1)[0], then="/") for symbol in parsed.symbols if "/" in symbol]
        if whole:  # a symbol is marked whole: not A/**CONF**.**241**/…
            terms = {t: None for t in terms if t not in {t for s in parsed.symbols for t in analyze(s)}}
        parts = make_snippet(text, lambda t: t in terms or (bool(prefixes) and t.startswith(prefixes)), whole=whole)
    return Hit(
        id=stored["id"], doc=stored["doc"], kind=stored["kind"], paragraph=stored["paragraph"],
        letter=stored.get("letter"), citation=citation(stored["paragraph"], stored.get("letter")),
        citation_full=full_citation(report.get("cited_as") or stored["doc"], stored["paragraph"], stored.get("letter")),
        report=stored.get("report") or report.get("label") or stored["doc"], symbol=report.get("symbol"),
        agenda=stored["agenda"], section=stored.get("section") or "", states=split_values(stored.get("state")),
        observers=split_values(stored.get("observer")), organisations=split_values(stored.get("org")),
        themes=split_values(stored.get("theme")),
        score=round(score, 4) if score is not None else None, text=text, snippet_parts=parts,
    )


def valid_text(text) -> str:
    """Text that can be printed: lone surrogates (from undecodable bytes) become U+FFFD.
    A number is taken as its digits (``agenda: 5``); anything else is refused."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise InvalidRequestError(f"expected text, not {type(text).__name__}")
    if isinstance(text, int):
        if text.bit_length() > 64:
            raise InvalidRequestError("expected text, not a number that long")
        text = str(text)
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _notices(parsed: ParsedQuery) -> list[str]:
    notices = []
    explanation = parsed.explanation
    for english, french in explanation.translated:
        notices.append(f"translated from English: {english} → {' | '.join(french)}")
    for typed, corrected in explanation.corrections:
        notices.append(f"results for « {corrected} » (you typed « {typed} »)")
    if parsed.ignored and parsed.browse:  # nothing left to search for
        unique = list(dict.fromkeys(parsed.ignored))
        words = ", ".join(f"'{w}'" for w in unique[:5]) + (", …" if len(unique) > 5 else "")
        notices.append(f"nothing to search for: {words} too common; listing units in document order")
    elif parsed.browse and parsed.excluded is None and parsed.text.strip() and not parsed.filters:
        notices.append(f"nothing to search for in « {parsed.text.strip()} »; listing units in document order")
    if parsed.truncated:
        notices.append(f"query too long: only its first {MAX_TERMS} words are searched")
    return notices
