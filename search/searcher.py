"""The entry point for embedding: ``Searcher().search("traite des personnes", filters={"state": ["Brésil"]})``."""

from __future__ import annotations

import os
import re
from pathlib import Path

from whoosh.collectors import FilterCollector, TopCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term

from indexer.analysis import fold
from indexer.store import check_index_folder, current_generation, read_manifest
from indexer.corpus import fingerprint
from indexer.errors import CorpusError, IndexUnavailableError, InvalidRequestError, UnknownUnitError
from indexer.model import citation
from indexer.vocabulary import read_vocabulary
from indexer.bitsets import iter_bits, to_bits
from search.facets import FACETS, FacetCount, FacetTable, split_values
from search.locations import CORPUS_ENV, default_corpus_dir, default_index_dir
from search.query import MAX_TERMS, ParsedQuery, QueryContext, parse_query
from search.results import Hit, SearchResults
from search.snippets import make_snippet
from search.spelling import MIN_LENGTH, Speller

MAX_LIMIT = 10_000
#: From this many units, queries are matched and scored on NumPy arrays (``search.arrays``);
#: below, Whoosh itself is quicker than importing NumPy (a tenth of a second) for a one-off search.
ARRAYS_FROM = 5_000
ENGINES = ("whoosh", "arrays")
_UNIT_ID = re.compile(r"^(?:(?P<doc>[\w.-]+):)?\s*§?\s*(?P<paragraph>\d+)\s*(?P<letter>[a-z])?\)?$", re.I)


class Searcher:
    """Opens the index once and answers many queries.

    ``index_dir`` defaults to ``$CONGRES_INDEX`` or the project's ``index/``.
    ``corpus_dir`` defaults to ``$CONGRES_CORPUS``, else the corpus the index was
    built from, else the bundled ``corpus/``. A missing index, or one that does
    not reflect that corpus or was written by an older schema, is rebuilt first
    (``auto_build=False`` turns that off). ``engine`` is ``"whoosh"`` or ``"arrays"``
    (same results); by default, arrays from ``ARRAYS_FROM`` units.
    """

    def __init__(self, index_dir: str | Path | None = None, corpus_dir: str | Path | None = None,
                 *, auto_build: bool = True, engine: str | None = None):
        if engine is not None and engine not in ENGINES:
            raise InvalidRequestError(f"unknown engine '{engine}' — engines are {', '.join(ENGINES)}")
        self.engine = engine
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self.built = False  # True when opening had to (re)build the index
        self.warnings: list[str] = []  # e.g. an out-of-date index that could not be rebuilt
        check_index_folder(self.index_dir)
        generation = current_generation(self.index_dir)
        self.corpus_dir = Path(corpus_dir) if corpus_dir else _corpus_of(generation)
        if auto_build and self._needs_build(generation):
            from indexer.build import build_index  # only now: searching does not need the indexer's parts

            try:
                build_index(self.corpus_dir, self.index_dir)
                self.built = True
            except IndexUnavailableError as error:  # e.g. a read-only index: search what is there
                if generation is None:
                    raise
                self.warnings.append(f"the index is out of date and was not rebuilt: {error}")
        self._open_current()

    # --- public API -----------------------------------------------------------

    def search(self, query: str = "", filters: dict[str, list[str] | str] | None = None,
               limit: int = 10, offset: int = 0) -> SearchResults:
        """Ranked, faceted, highlighted units; an empty query lists the filtered units in document order."""
        limit, offset = _checked_int("limit", limit, 0, MAX_LIMIT), _checked_int("offset", offset, 0, None)
        self._reopen_if_rebuilt()
        if query is None:
            query = ""
        if not isinstance(query, str):
            raise InvalidRequestError(f"the query must be text, not {type(query).__name__}")
        query = _valid_text(query)
        parsed = parse_query(query, self._context)
        selected = self._resolve(filters or {}, parsed.filters)
        matched = self._matching(parsed)
        allowed = {facet: self._facets.units_with(facet, values) for facet, values in selected.items()}
        found = matched
        for units in allowed.values():
            found &= units
        ranked = self._rank(parsed, found, offset + limit)
        hits = [self._hit(docnum, score, parsed) for docnum, score in ranked[offset:offset + limit]]
        facets = {}
        for facet in FACETS:
            base = matched
            for other, units in allowed.items():
                if other != facet:
                    base &= units
            facets[facet] = self._facets.counts(facet, base, selected.get(facet, []))
        notices = _notices(parsed)
        if not matched and not parsed.browse:  # the words themselves find nothing
            notices += self._suggestions(parsed)
        return SearchResults(query, found.bit_count(), hits, facets, selected, limit, offset, notices,
                             parsed.explanation)

    def get(self, unit_id: str) -> Hit:
        """One unit in full: ``"28"``, ``"37f"``, ``"37 f)"``, ``"§37 f)"`` or ``"doc:37f"``."""
        self._reopen_if_rebuilt()
        unit_id = _valid_text(unit_id)
        match = _UNIT_ID.match(unit_id.strip())
        if not match:
            raise UnknownUnitError(f"'{unit_id}' is not a unit id — ids look like 28 or 37f")
        key = f"{match['paragraph']}{(match['letter'] or '').lower()}"
        docnums = sorted(self._searcher.docs_for_query(Term("id", key)))
        if match["doc"]:
            docnums = [d for d in docnums if self._searcher.stored_fields(d)["doc"] == match["doc"]]
        if not docnums:
            raise UnknownUnitError(f"no unit '{unit_id}' in the index — ids look like 28 or 37f")
        if len(docnums) > 1:
            names = ", ".join(f"{self._searcher.stored_fields(d)['doc']}:{key}" for d in docnums)
            raise UnknownUnitError(f"'{unit_id}' is in several reports — say which: {names}")
        return self._hit(docnums[0], None, None)

    def facet_values(self, facet: str) -> list[FacetCount]:
        """Every value of a facet with its number of units."""
        if facet not in FACETS:
            raise InvalidRequestError(f"unknown facet '{facet}' — facets are {', '.join(FACETS)}")
        return self._facets.counts(facet, self._all_bits, [])

    @property
    def documents(self) -> dict[str, dict[str, int]]:
        """Units per kind for each indexed report."""
        return dict(self.manifest.documents) if self.manifest else {}

    def close(self) -> None:
        self._searcher.close()
        self._arrays = None  # unmaps the posting arrays

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- opening ----------------------------------------------------------------

    def _needs_build(self, generation: Path | None) -> bool:
        if generation is None:
            return self.corpus_dir.is_dir()
        manifest = read_manifest(generation)
        if manifest is None or not manifest.is_current:
            return True
        if not self.corpus_dir.is_dir():
            return False  # nothing to rebuild from: the index is all there is
        try:
            return manifest.fingerprint != fingerprint(self.corpus_dir)
        except CorpusError:
            return False

    def _open_current(self) -> None:
        """Open the generation CURRENT names; if a rebuild swapped it meanwhile, the new one."""
        for _ in range(3):
            generation = current_generation(self.index_dir)
            if generation is None:
                raise IndexUnavailableError(f"no index in {self.index_dir} — run `congres index --corpus DIR`")
            try:
                self._open(generation)
                return
            except IndexUnavailableError:
                if current_generation(self.index_dir) == generation:
                    raise
        self._open(current_generation(self.index_dir))

    def _open(self, generation: Path) -> None:
        try:
            # Whoosh without mmap: closing releases its files (the posting arrays are mapped
            # until ``close``), so that a rebuilt-away generation can be deleted.
            ix = FileStorage(str(generation), supports_mmap=False, readonly=True).open_index()
            searcher = ix.searcher()
            self._facets = FacetTable.of_index(generation, searcher.reader())
            self._arrays = self._posting_arrays(generation, searcher.reader())
        except PermissionError:
            raise IndexUnavailableError(f"cannot read the index in {self.index_dir}: permission denied") from None
        except Exception as error:  # whoosh raises many types for damaged files
            raise IndexUnavailableError(
                f"the index in {self.index_dir} is damaged ({type(error).__name__}) — rebuild it with `congres index`"
            ) from None
        self._generation = generation
        self._searcher = searcher
        self._all_bits = to_bits(searcher.reader().all_doc_ids())
        self.manifest = read_manifest(generation)
        self._speller = Speller(*read_vocabulary(generation))
        self._context = QueryContext(resolve=self._facets.resolve, speller=self._speller,
                                     is_french=self._speller.is_printed, knows=self._speller.knows)

    def _posting_arrays(self, generation: Path, reader):
        engine = self.engine or ("arrays" if reader.doc_count_all() >= ARRAYS_FROM else "whoosh")
        if engine == "whoosh":
            return None
        from indexer.postings import FOLDER  # only now: these import NumPy, slow to import
        from search.arrays import PostingArrays

        if self.engine is None and not (generation / FOLDER).is_dir():
            return None  # an index written without them: Whoosh gives the same results
        return PostingArrays(generation, reader)

    def _reopen_if_rebuilt(self) -> None:
        generation = current_generation(self.index_dir)
        if generation is not None and generation != self._generation:
            old = self._searcher
            self._open_current()
            old.close()

    # --- searching ----------------------------------------------------------------

    def _suggestions(self, parsed: ParsedQuery) -> list[str]:
        """"did you mean" for a query that found nothing: close words of the index."""
        words = list(dict.fromkeys(w for w in re.findall(r"\w+", parsed.text) if len(w) >= MIN_LENGTH))[:MAX_TERMS]
        close = [self._speller.closest(w) for w in words]
        close = list(dict.fromkeys(c for w, c in zip(words, close) if c and fold(c.lower()) != fold(w.lower())))
        return ["did you mean " + ", ".join(f"« {c} »" for c in close[:3]) + "?"] if close else []

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
                    canonical = self._facets.resolve(facet, _valid_text(value))
                    if canonical not in resolved.setdefault(facet, []):
                        resolved[facet].append(canonical)
        return {facet: values for facet, values in resolved.items() if values}

    def _matching(self, parsed: ParsedQuery) -> int:
        """Bitset of the units the query's words allow (before facet filters)."""
        matched = self._all_bits if parsed.browse else self._units_matching(parsed.loose)
        if parsed.excluded is not None:
            matched &= ~self._units_matching(parsed.excluded)
        return matched

    def _units_matching(self, query) -> int:
        if self._arrays is not None:
            return self._arrays.to_bits(self._arrays.mask(query))
        return to_bits(self._searcher.docs_for_query(query))

    def _rank(self, parsed: ParsedQuery, found_bits: int, needed: int) -> list[tuple[int, float | None]]:
        """The first ``needed`` units: those with every word first, then the others; each tier by
        BM25F score, then document order. Only that many are scored in full."""
        if parsed.browse:
            return [(docnum, None) for docnum in iter_bits(found_bits, needed)]
        if not found_bits or not needed:
            return []
        if self._arrays is not None:
            found_mask = self._arrays.from_bits(found_bits)
            complete = found_mask & self._arrays.mask(parsed.strict)
            return self._arrays.top(parsed.scoring, [complete, found_mask & ~complete], needed)
        found = set(iter_bits(found_bits))
        complete = found.intersection(self._searcher.docs_for_query(parsed.strict))
        ranked: list[tuple[int, float | None]] = []
        for tier in (complete, found - complete):
            if tier and len(ranked) < needed:
                # Without Whoosh's matcher replacement, which can skip units that belong in the top
                # when a query repeats a word ("personnes personnes corruption").
                collector = FilterCollector(TopCollector(needed - len(ranked), usequality=False, replace=0), tier)
                self._searcher.search_with_collector(parsed.scoring, collector)
                ranked += sorted(((hit.docnum, hit.score) for hit in collector.results()),
                                 key=lambda pair: (-pair[1], pair[0]))
        return ranked

    def _hit(self, docnum: int, score: float | None, parsed: ParsedQuery | None) -> Hit:
        stored = self._searcher.stored_fields(docnum)
        text = stored["text"]
        if parsed is None:
            parts = [(text, False)]
        else:
            terms, prefixes = parsed.terms, tuple(parsed.prefixes)
            parts = make_snippet(text, lambda t: t in terms or (bool(prefixes) and t.startswith(prefixes)))
        states = split_values(stored.get("state"))
        observers = split_values(stored.get("observer"))
        return Hit(
            id=stored["id"], doc=stored["doc"], kind=stored["kind"], paragraph=stored["paragraph"],
            letter=stored.get("letter"), citation=citation(stored["paragraph"], stored.get("letter")), agenda=stored["agenda"],
            section=stored.get("section") or "", states=states,
            observers=observers, organisations=split_values(stored.get("org")),
            themes=split_values(stored.get("theme")),
            score=round(score, 4) if score is not None else None, text=text, snippet_parts=parts,
        )


def _corpus_of(generation: Path | None) -> Path:
    """The corpus to keep the index in step with when none is named."""
    if os.environ.get(CORPUS_ENV) or generation is None:
        return default_corpus_dir()
    manifest = read_manifest(generation)
    recorded = Path(manifest.corpus) if manifest and manifest.corpus else None
    return recorded if recorded and recorded.is_dir() else default_corpus_dir()


def _valid_text(text) -> str:
    """Text that can be printed: lone surrogates (from undecodable bytes) become U+FFFD."""
    text = text if isinstance(text, str) else str(text)
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _checked_int(name: str, value, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(f"{name} must be a whole number, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidRequestError(f"{name} must be {bound}, not {value}")
    return value


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
