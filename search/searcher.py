"""The entry point for embedding: ``Searcher().search("traite des personnes", filters={"state": ["Brésil"]})``.

One ``Searcher`` may be shared by any number of threads (a web server's, say): what a
search reads is one immutable ``search.snapshot.Snapshot`` of the current generation,
replaced by a single assignment when another process rebuilds the index.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from indexer.corpus import changed
from indexer.errors import CongresError, CorpusError, IndexUnavailableError, InvalidRequestError, UnknownUnitError
from indexer.facets import FACETS
from indexer.store import Generation, check_index_folder
from search import engines
from search.facets import FacetCount
from search.locations import CORPUS_ENV, default_corpus_dir, default_index_dir
from search.results import Hit, SearchResults
from search.snapshot import Snapshot, valid_text

MAX_LIMIT = 10_000
#: A unit as users write it: 28, 37f, "37 f)", "§37 f)", "par. 37 f)", doc:37f, and the UN citation
#: "A/CONF.241/RPM.2/1, par. 37 f)" (the report by its symbol or its id, then the paragraph).
_UNIT_ID = re.compile(r"^(?:(?P<doc>[^\s,:]+?)\s*(?:[,:]\s*|\s+(?=par|§)))?(?:§|par(?:agraphe|a)?\.?)?\s*"
                      r"(?P<paragraph>\d+)\s*(?P<letter>[a-z])?\)?$", re.I)
SORTS = ("relevance", "document")
AMBIGUOUS_LISTED = 5  # reports named when an id is in several (a corpus may hold thousands)
_ATTEMPTS = 3  # a search that meets a generation deleted under it tries the newer one


class Searcher:
    """Opens the index once and answers many queries, from any number of threads.

    ``index_dir`` defaults to ``$CONGRES_INDEX`` or the default index folder.
    ``corpus_dir`` defaults to ``$CONGRES_CORPUS``, else the corpus the index was
    built from, else the bundled report (package data). A missing index, or one that does
    not reflect that corpus or was written by an older schema, is rebuilt first
    (``auto_build=False`` turns that off). ``engine`` is ``"whoosh"`` or ``"arrays"``
    (same results); by default, arrays from ``search.engines.ARRAYS_FROM`` units.
    ``engine="opensearch"`` answers from the corpus published to the cluster at ``url``
    (default ``$CONGRES_OPENSEARCH_URL``), not from ``index_dir``.
    Every error it raises is a ``CongresError``.
    """

    def __init__(self, index_dir: str | Path | None = None, corpus_dir: str | Path | None = None,
                 *, auto_build: bool = True, engine: str | None = None, url: str | None = None):
        known = engines.ENGINES + engines.REMOTE_ENGINES
        if engine is not None and engine not in known:
            raise InvalidRequestError(f"unknown engine '{engine}' — engines are {', '.join(known)}")
        for name, path in (("index_dir", index_dir), ("corpus_dir", corpus_dir)):
            if path is not None and not isinstance(path, (str, os.PathLike)):
                raise InvalidRequestError(f"{name} must be a path, not {type(path).__name__}")
        self._requested_engine = engine
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self.built = False  # True when opening had to (re)build the index
        self.warnings: list[str] = []  # e.g. an out-of-date index that could not be rebuilt
        self._lock = threading.Lock()  # one thread at a time opens a new generation
        self._unopenable: str | None = None  # a newer generation that failed to open (not retried)
        self._client = None  # the cluster's client, for a remote engine
        if engine in engines.REMOTE_ENGINES:
            from search.opensearch_snapshot import open_remote

            self.corpus_dir = None
            self._client, self._snapshot = open_remote(url)
            return
        try:
            self._snapshot: Snapshot | None = self._open_or_build(corpus_dir, auto_build)
        except (OSError, ValueError) as error:  # a path the system refuses (too long, a NUL in it…)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise IndexUnavailableError(f"cannot use {self.index_dir} or its corpus: {reason}") from None

    # --- public API -----------------------------------------------------------

    def search(self, query: str = "", filters: dict[str, list[str] | str] | None = None,
               limit: int = 10, offset: int = 0, sort: str = "relevance") -> SearchResults:
        """Ranked, faceted, highlighted units; an empty query lists the filtered units in document order.
        ``sort="document"`` lists the matching units in document order (without scores)."""
        limit, offset = _checked_int("limit", limit, 0, MAX_LIMIT), _checked_int("offset", offset, 0, None)
        if sort not in SORTS:
            raise InvalidRequestError(f"unknown sort {sort!r} — sorts are {', '.join(SORTS)}")
        if query is None:
            query = ""
        if not isinstance(query, str):
            raise InvalidRequestError(f"the query must be text, not {type(query).__name__}")
        query = valid_text(query)
        return self._run(lambda snapshot: snapshot.search(query, filters or {}, limit, offset, sort == "document"))

    def get(self, unit_id: str) -> Hit:
        """One unit in full: ``"28"``, ``"37f"``, ``"37 f)"``, ``"par. 37 f)"``, ``"doc:37f"`` or the UN
        citation ``"A/CONF.241/RPM.2/1, par. 37 f)"``."""
        unit_id = valid_text(unit_id)
        match = _UNIT_ID.match(" ".join(unit_id.split()))
        if not match:
            raise UnknownUnitError(f"'{unit_id}' is not a unit id — ids look like 28, 37f, \"par. 37 f)\" or "
                                   f"\"A/CONF.241/RPM.2/1, par. 37 f)\"")
        key = f"{match['paragraph']}{(match['letter'] or '').lower()}"

        def find(snapshot: Snapshot) -> Hit:
            found = snapshot.units_with_id(key, _report_named(snapshot, match["doc"]))
            if not found:
                raise UnknownUnitError(f"no unit '{unit_id}' in the index — ids look like 28 or 37f")
            if len(found) > 1:
                names = ", ".join(f"{doc}:{key}" for _, doc in found[:AMBIGUOUS_LISTED])
                more = f" and {len(found) - AMBIGUOUS_LISTED} more" if len(found) > AMBIGUOUS_LISTED else ""
                raise UnknownUnitError(f"'{unit_id}' is in several reports — say which: {names}{more}")
            return snapshot.unit(found[0][0])

        return self._run(find)

    def unit_object(self, unit_id: str) -> dict:
        """One unit as ``congres show --json`` prints it (and ``/api/units/…`` answers): the hit
        without its snippet, with its report's metadata."""
        hit = self.get(unit_id)
        data = hit.to_dict()
        data.pop("snippet")
        data["report_metadata"] = self.reports.get(hit.doc, {})
        return data

    def facet_values(self, facet: str) -> list[FacetCount]:
        """Every value of a facet with its number of units."""
        if facet not in FACETS:
            raise InvalidRequestError(f"unknown facet '{facet}' — facets are {', '.join(FACETS)}")
        return self._run(lambda snapshot: snapshot.facet_values(facet))

    @property
    def reports(self) -> dict[str, dict]:
        """Each indexed report's metadata (``indexer.metadata``: symbol, title, meeting, dates…), by id."""
        manifest = self._open_snapshot().manifest
        if not manifest:
            return {}
        return {doc: manifest.reports.get(doc) or {"doc": doc, "cited_as": doc, "label": doc}
                for doc in manifest.documents}

    @property
    def documents(self) -> dict[str, dict[str, int]]:
        """Units per kind for each indexed report."""
        manifest = self._open_snapshot().manifest
        return dict(manifest.documents) if manifest else {}

    @property
    def engine(self) -> str:
        """The engine answering: ``"whoosh"`` or ``"arrays"``."""
        return self._open_snapshot().engine.name

    @property
    def generation(self) -> str:
        """The name of the generation the next search will read (unless the index is rebuilt first)."""
        return self._open_snapshot().generation.name

    def close(self) -> None:
        """Release the index; searches under way finish first. Using a closed Searcher is an error."""
        with self._lock:
            snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            snapshot.retire()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- opening ----------------------------------------------------------------

    def _open_or_build(self, corpus_dir, auto_build: bool) -> Snapshot:
        check_index_folder(self.index_dir)
        generation = Generation.current(self.index_dir)
        self.corpus_dir = Path(corpus_dir) if corpus_dir else _corpus_of(generation, self.warnings)
        if auto_build and self._needs_build(generation):
            from indexer.build import build_index  # only now: searching does not need the indexer's parts

            try:
                manifest = build_index(self.corpus_dir, self.index_dir, still_needed=lambda: self._needs_build(
                    Generation.current(self.index_dir)))
                self.built = manifest is not None
                self.warnings += (manifest.notes + [f"{entry['file']} was not indexed: {entry['reason']}"
                                                    for entry in manifest.skipped]) if manifest else []
            except (CongresError, OSError) as error:  # read-only, a bad report, a full disk…
                if generation is None:
                    raise
                reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                self.warnings.append(f"the index is out of date and was not rebuilt: {reason} — "
                                     f"searching the index as it is")
        return self._open_current()

    def _needs_build(self, generation: Generation | None) -> bool:
        if generation is None:
            return self.corpus_dir.exists()
        manifest = generation.read_manifest()
        if manifest is None or not manifest.is_current:
            return True
        if not self.corpus_dir.exists():
            return False  # nothing to rebuild from: the index is all there is
        try:
            return changed(manifest, self.corpus_dir)  # names, sizes, times; hashes only what moved
        except CorpusError:
            return False

    def _current(self):
        """The generation searches should read: CURRENT's, or the one behind the cluster's alias."""
        if self._client is not None:
            from search.opensearch_snapshot import RemoteGeneration

            return RemoteGeneration.current(self._client)
        return Generation.current(self.index_dir)

    def _open_current(self) -> Snapshot:
        """A snapshot of the generation CURRENT names; if a rebuild swapped it meanwhile, the new one."""
        if self._client is not None:
            from search.opensearch_snapshot import OpenSearchSnapshot

            return OpenSearchSnapshot(self._client)
        for _ in range(_ATTEMPTS):
            generation = Generation.current(self.index_dir)
            if generation is None:
                raise IndexUnavailableError(f"no index in {self.index_dir} — run `congres index --corpus DIR`")
            try:
                return self._open(generation)
            except IndexUnavailableError:
                if Generation.current(self.index_dir) == generation:
                    raise
        return self._open(Generation.current(self.index_dir))

    def _open(self, generation: Generation | None) -> Snapshot:
        if generation is None:
            raise IndexUnavailableError(f"no index in {self.index_dir} — run `congres index --corpus DIR`")
        try:
            return Snapshot(generation, self._requested_engine)
        except IndexUnavailableError:
            raise
        except PermissionError:
            raise IndexUnavailableError(f"cannot read the index in {self.index_dir}: permission denied") from None
        except Exception as error:  # whoosh raises many types for damaged files
            raise IndexUnavailableError(
                f"the index in {self.index_dir} is damaged ({type(error).__name__}) — rebuild it with `congres index`"
            ) from None

    def _open_snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            raise InvalidRequestError("this Searcher is closed — open a new one")
        return snapshot

    # --- one search on one snapshot -------------------------------------------------

    def _run(self, work):
        """``work(snapshot)`` on the current generation's snapshot. Only ``CongresError``s leave:
        an error from a generation that a rebuild deleted meanwhile is retried on the new one."""
        for attempt in range(_ATTEMPTS):
            snapshot = self._take()
            try:
                return work(snapshot)
            except CongresError:
                raise
            except Exception as error:
                if attempt + 1 < _ATTEMPTS and self._current() != snapshot.generation:
                    continue  # rebuilt under this search: ask the new generation
                raise IndexUnavailableError(
                    f"the index in {self.index_dir} could not answer ({type(error).__name__}: {error}) — "
                    f"rebuild it with `congres index` if this persists") from error
            finally:
                snapshot.leave()
        raise AssertionError("unreachable")  # pragma: no cover

    def _take(self) -> Snapshot:
        """The snapshot of the current generation, counted as in use until ``leave()``."""
        while True:
            snapshot = self._open_snapshot()
            current = self._current()
            if current is not None and current != snapshot.generation and current.name != self._unopenable:
                snapshot = self._swap()
            if snapshot.enter():
                return snapshot
            # closed between the two lines above (a swap retired it): take the newer one

    def _swap(self) -> Snapshot:
        """Open the new generation (one thread does it) and put it in place with one assignment."""
        with self._lock:
            old = self._open_snapshot()
            current = self._current()
            if current is None or current == old.generation or current.name == self._unopenable:
                return old  # another thread swapped it first, or tried and failed
            try:
                new = self._open_current()
            except IndexUnavailableError as error:  # a damaged rebuild: keep answering from the old one
                self._unopenable = current.name
                self.warnings.append(f"{error}; still answering from {old.generation.name}")
                return old
            self._snapshot = new
        old.retire()
        return new


def _report_named(snapshot: Snapshot, name: str | None) -> str | None:
    """The id of the report a user named by its id or its document symbol (any case)."""
    if name is None or snapshot.manifest is None:
        return name
    documents, reports = snapshot.manifest.documents, snapshot.manifest.reports
    if name in documents:
        return name
    folded = name.casefold()
    for doc in documents:
        symbol = (reports.get(doc) or {}).get("symbol")
        if folded in (doc.casefold(), (symbol or "").casefold()):
            return doc
    raise UnknownUnitError(f"no report '{name}' in the index — `congres reports` lists them")


def recorded_corpus(index_dir: Path, warnings: list[str]) -> Path:
    """The corpus ``congres index`` rebuilds when none is named: the one the index was built from."""
    return _corpus_of(Generation.current(Path(index_dir)), warnings)


def _corpus_of(generation: Generation | None, warnings: list[str]) -> Path:
    """The corpus to keep the index in step with when none is named: the one it was built from.
    If that folder is gone (unmounted, renamed), the index is searched as it is — never rebuilt
    from another corpus behind the user's back — unless it was the bundled report's folder of
    another installation or layout, which the bundled report replaces."""
    if os.environ.get(CORPUS_ENV) or generation is None:
        return default_corpus_dir()
    manifest = generation.read_manifest()
    recorded = Path(manifest.corpus) if manifest and manifest.corpus else None
    if recorded is None or recorded.exists():  # a folder, or the one report file it was built from
        return recorded or default_corpus_dir()
    if _was_bundled(recorded):
        return default_corpus_dir()
    warnings.append(f"the corpus this index was built from, {recorded}, is missing — searching the index "
                    f"as it is (`congres index --corpus DIR` rebuilds it from another)")
    return recorded


def _was_bundled(folder: Path) -> bool:
    """The bundled report's folder of some installation (``…/indexer/data/corpus``) or of a
    checkout of the earlier layout (``corpus/`` beside the packages)."""
    return folder.parts[-3:] == ("indexer", "data", "corpus") or (
        folder.name == "corpus" and (folder.parent / "search" / "searcher.py").is_file())


def _checked_int(name: str, value, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(f"{name} must be a whole number, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidRequestError(f"{name} must be {bound}, not {value}")
    return value
