"""Corpus → units → Whoosh index, built aside and swapped in atomically.

An index folder holds complete generations (``gen-…``) and a ``CURRENT`` file
naming the one to read. A build writes a hidden ``.building-…`` folder, renames
it to a generation, then replaces ``CURRENT`` in one ``os.replace``: a reader
sees the old index or the new one, never a half-written one. The previous
generation is kept for readers that opened it just before the swap.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import whoosh
from filelock import FileLock, Timeout
from whoosh import index as whoosh_index
from whoosh.index import TOC

from indexer.corpus import fingerprint, report_paths
from indexer.errors import CorpusError, IndexUnavailableError
from indexer.facet_units import write_facet_units
from indexer.model import Unit
from indexer.postings import write_postings
from indexer.schema import SCHEMA, SCHEMA_VERSION, facet_field_values, indexer_fingerprint
from indexer.store import BUILDING, CURRENT, LOCK, MANIFEST, Generation, Manifest, check_index_folder, generations
from indexer.trust import digests, sign
from indexer.report_units import report_units
from indexer.vocabulary import write_vocabulary



def load_units(corpus_dir: Path, on_progress=None, problems: list[str] | None = None,
               reports: dict[str, dict] | None = None) -> list[Unit]:
    """Every unit of every report in the corpus, with its facets (reports parsed side by side
    when the corpus is large). ``on_progress("reports", done, total)`` follows each report;
    ``problems`` receives what the parser had to mend (paragraph numbers out of sequence);
    ``reports`` each report's metadata (``indexer.metadata``), by report id."""
    paths, _skipped = report_paths(corpus_dir)
    workers = _worker_count(sum(path.stat().st_size for path in paths) // _BYTES_PER_UNIT, len(paths))
    if workers == 1:
        per_report = _followed(map(report_units, paths), len(paths), on_progress)
    else:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_leave_interrupts_to_parent) as pool:
            per_report = _followed(pool.imap(report_units, paths, chunksize=max(1, len(paths) // (4 * workers))),
                                   len(paths), on_progress)
    if problems is not None:
        problems.extend(problem for report in per_report for problem in report.problems)
    if reports is not None:
        reports.update((report.doc, report.metadata) for report in per_report)
    return [unit for report in per_report for unit in report.units]


def _followed(parsed, total: int, on_progress) -> list:
    """The units of each report as they come, told to ``on_progress`` report by report."""
    per_report = []
    for report in parsed:
        per_report.append(report)
        if on_progress:
            on_progress("reports", len(per_report), total)
    return per_report


def build_index(corpus_dir: Path, index_dir: Path, on_wait=None, on_progress=None,
                still_needed=None) -> Manifest | None:
    """Index the corpus into ``index_dir``; the previous index answers until the swap.

    ``on_wait`` is called once if another build holds the folder (this one then waits for it).
    ``on_progress(stage, done, total)`` follows a long build: ``"reports"`` once per report
    parsed, then ``"index"`` 0 of 1 when writing starts and 1 of 1 when the index is swapped in.
    ``still_needed()``, for a build that a search decided on, is asked again once the build lock
    is held: when several searches found the index out of date at once, one builds and the
    others find it done (None is then returned).
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    problems: list[str] = []
    reports: dict[str, dict] = {}
    if still_needed is None:  # every file is checked before the index is touched
        corpus_fingerprint, units = fingerprint(corpus_dir), load_units(corpus_dir, on_progress, problems, reports)
    _ensure_writable(index_dir)
    with build_lock(index_dir, on_wait):
        if still_needed is not None:
            if not still_needed():
                return None
            corpus_fingerprint, units = fingerprint(corpus_dir), load_units(corpus_dir, on_progress, problems,
                                                                            reports)
        _remove_leftovers(index_dir)
        building = Generation(index_dir / f"{BUILDING}{os.getpid()}-{time.time_ns()}")
        building.path.mkdir()
        if on_progress:
            on_progress("index", 0, 1)
        try:
            _write_whoosh(building, units, meanwhile=lambda: _write_lookups(building, units))
            files = digests(building.path, leave_out=MANIFEST)
            manifest = Manifest(SCHEMA_VERSION, corpus_fingerprint, str(corpus_dir.resolve()),
                                indexer_fingerprint(), _counts(units), problems, files, sign(files), reports)
            building.write_manifest(manifest)
            _synced(building.path)
            generation = index_dir / Generation.new_name()
            previous = Generation.current(index_dir)
            building.path.rename(generation)
            _point_current_to(index_dir, generation.name)
        except BaseException:
            shutil.rmtree(building.path, ignore_errors=True)
            raise
        _prune(index_dir, keep={generation.name, previous.name if previous else None})
    if on_progress:
        on_progress("index", 1, 1)
    return manifest


@contextmanager
def build_lock(index_dir: Path, on_wait=None):
    """Serialise builds: a second ``congres index`` waits for the first to finish, on any system."""
    lock = FileLock(index_dir / LOCK)  # opened without following a link planted at that name
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            lock.acquire()
    except OSError as error:
        raise IndexUnavailableError(
            f"cannot lock {index_dir / LOCK}: {(error.strerror or str(error)).lower()} — remove it if it is "
            f"not a file of this index, or pass another --index") from None
    try:
        yield
    finally:
        lock.release()


def _ensure_writable(index_dir: Path) -> None:
    try:
        check_index_folder(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=index_dir):  # the real test: root ignores permission bits
            pass
    except OSError as error:
        raise IndexUnavailableError(
            f"cannot build in {index_dir}: {error.strerror.lower()} — pass another --index") from None


@contextmanager
def _missing_columns_remembered():
    """Whoosh 2.7.4 looks for a length column on disk (a stat) for every posting of a field
    without lengths (our IDs and facets) while it writes a segment; within this block, the
    reader remembers that the column is missing. Same result, about 40% faster builds.
    Applied only to the method it was written against, and undone afterwards."""
    from whoosh.codec import whoosh3

    original = whoosh3.W3PerDocReader.__dict__.get("_cached_reader")
    if (whoosh.__version__ != (2, 7, 4) or original is None
            or original.__code__.co_names != _CACHED_READER_NAMES):
        yield  # another Whoosh: leave it as it is
        return

    def cached_reader(self, fieldname, column):
        if fieldname not in self._readers:
            self._readers[fieldname] = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        return self._readers[fieldname]

    whoosh3.W3PerDocReader._cached_reader = cached_reader
    try:
        yield
    finally:
        whoosh3.W3PerDocReader._cached_reader = original


#: The names Whoosh 2.7.4's ``W3PerDocReader._cached_reader`` uses: it is the method patched above.
_CACHED_READER_NAMES = ("_readers", "has_column", "column_reader")


#: From this many units, reports are parsed and segments written by several processes at once.
PARALLEL_FROM = 4_000
_BYTES_PER_UNIT = 700  # about, in the reports of the series: to decide before parsing
#: Units per segment, at most, when several are written. Whoosh sorts a segment's postings in memory
#: up to the writer's ``limitmb``, and on disk beyond, twice as slowly: this many units stay
#: well within SEGMENT_MB.
SEGMENT_UNITS, SEGMENT_MB = 12_000, 384


def _write_whoosh(building: Generation, units: list[Unit], meanwhile) -> None:
    """Segments of consecutive units, written by child processes while this one runs
    ``meanwhile``; one table of contents lists them in order, so that docnums follow the
    units (the posting arrays rely on it). A small corpus gets one segment, written here."""
    workers = _worker_count(len(units))
    if workers == 1:
        _write_segment(building, units)
        meanwhile()
        return
    count = workers * -(-len(units) // (SEGMENT_UNITS * workers))  # even work for every process
    size = -(-len(units) // count)
    slices = [units[i:i + size] for i in range(0, len(units), size)]
    parts = [Generation(building.path / f"part-{i}") for i in range(len(slices))]
    fork = multiprocessing.get_context("fork")  # a child sees the units without copying them
    pending = [fork.Process(target=_write_segment_in_child, args=(part, chunk), daemon=True)
               for part, chunk in zip(parts, slices)]
    running: list = []
    try:
        while pending or running:
            while pending and len(running) < workers:
                running.append(pending.pop(0))
                running[-1].start()
            if meanwhile is not None:  # this process's own work, once the children are going
                meanwhile()
                meanwhile = None
            finished = multiprocessing.connection.wait([child.sentinel for child in running])
            for child in [c for c in running if c.sentinel in finished]:
                child.join()
                running.remove(child)
                if child.exitcode != 0:
                    raise IndexUnavailableError(
                        f"a process writing the index failed (exit code {child.exitcode}) — the index "
                        f"is unchanged; run `congres index` again")
    finally:
        for child in running:
            child.kill()
            child.join()
    segments = []
    for part in parts:
        segments += TOC.read(part.whoosh_storage(), Generation.WHOOSH_NAME).segments
        for path in part.segment_files():
            path.rename(building.path / path.name)
        shutil.rmtree(part.path)
    TOC(SCHEMA, segments, 1).write(building.whoosh_storage(readonly=False), Generation.WHOOSH_NAME)


def _worker_count(unit_count: int, tasks: int | None = None) -> int:
    """Processes worth starting: one for a small corpus, else one per core (at most 4).
    Only a single-threaded, non-daemon process forks: forking beside other threads can
    deadlock, and a daemon process may not have children."""
    if (unit_count < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods()
            or threading.active_count() > 1 or multiprocessing.current_process().daemon):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, 4, tasks or cores))


def _leave_interrupts_to_parent() -> None:
    """In a child of a build: Ctrl-C reaches the whole process group, and the parent alone answers
    it (it stops the children and removes the half-built generation), in one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write_segment_in_child(generation: Generation, units: list[Unit]) -> None:
    _leave_interrupts_to_parent()
    _write_segment(generation, units)


def _write_segment(generation: Generation, units: list[Unit]) -> None:
    generation.path.mkdir(exist_ok=True)
    ix = whoosh_index.create_in(str(generation.path), SCHEMA, indexname=Generation.WHOOSH_NAME)
    with _missing_columns_remembered():
        writer = ix.writer(limitmb=SEGMENT_MB)
        for unit in units:
            writer.add_document(
                key=f"{unit.doc}:{unit.id}",
                id=unit.id,
                kind=unit.kind,
                paragraph=unit.paragraph,
                letter=unit.letter,
                agenda_key=unit.agenda_key,
                section=unit.section,
                text=unit.text,
                **facet_field_values(unit),  # the values the facet bitsets are written from
            )
        writer.commit()
    ix.close()


def _write_lookups(building: Generation, units: list[Unit]) -> None:
    """What searching reads beside the Whoosh segments."""
    write_postings(building.postings_dir, (unit.text for unit in units))
    write_facet_units(building.facet_units_path, units)
    write_vocabulary(building.vocabulary_path, (unit.text for unit in units))


def _counts(units: list[Unit]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for unit in units:
        per_doc = counts.setdefault(unit.doc, {"paragraph": 0, "recommendation": 0})
        per_doc[unit.kind] += 1
    return counts


def _point_current_to(index_dir: Path, name: str) -> None:
    """Replace CURRENT in one rename. The new pointer is created exclusively under a name of its
    own (``mkstemp``: never through a link planted in a shared folder), and it and the folder are
    flushed to disk, so that a crash leaves the old pointer or the new one."""
    descriptor, pointer = tempfile.mkstemp(prefix=f"{CURRENT}.", suffix=".tmp", dir=index_dir)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(name + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(pointer, 0o644)  # readable by those who may search the index, as the rest of it
        os.replace(pointer, index_dir / CURRENT)
    except BaseException:
        Path(pointer).unlink(missing_ok=True)
        raise
    _sync_folder(index_dir)


def _synced(folder: Path) -> None:
    """Flush every file of a new generation to disk before CURRENT may name it."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as written:
                os.fsync(written.fileno())
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (its renames) to disk; a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_leftovers(index_dir: Path) -> None:
    """Folders of builds that were killed; safe under the build lock."""
    for path in index_dir.glob(f"{BUILDING}*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.glob(f"{CURRENT}.*.tmp"):
        path.unlink(missing_ok=True)


def _prune(index_dir: Path, keep: set) -> None:
    """Drop every generation but the new one and the one CURRENT named before it (readers that
    opened it just before the swap finish on it). Not by age: a clock set back would reorder them."""
    for old in generations(index_dir):
        if old.name not in keep:
            shutil.rmtree(old.path, ignore_errors=True)
