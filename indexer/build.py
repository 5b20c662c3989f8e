"""Corpus → units → Whoosh index, built aside and swapped in atomically, report by report.

An index folder holds complete generations (``gen-…``) and a ``CURRENT`` file naming the one
to read. A build writes a hidden ``.building-…`` folder, renames it to a generation, then
replaces ``CURRENT`` in one ``os.replace``: a reader sees the old index or the new one, never
a half-written one. The previous generation is kept for readers that opened it just before
the swap.

Builds are incremental. A generation's segments each hold a run of consecutive reports, and
the newest generation has beside it what the next build needs (``reuse-gen-…``, signed on its
own, never read by a search): each report's units as JSON, each segment's own lookups
(``indexer.partials``) and the plan (which reports each segment holds, with their content
digests). The next build parses only the reports whose content changed,
rewrites only the segments they fall in (with their small neighbours), links the other
segments' files into the new generation, and merges every segment's lookups. Nothing is
reused from a generation of another indexer version, nor one whose signed files changed.
A corpus file that cannot be read is skipped and named (``Manifest.skipped``), unless the
build is strict.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import NamedTuple

import whoosh
from filelock import FileLock, Timeout
from whoosh import index as whoosh_index
from whoosh.index import TOC

from indexer.corpus import file_digest, fingerprint_of, corpus_files, report_paths, source_record
from indexer.errors import CorpusError, IndexUnavailableError
from indexer.model import Unit
from indexer.partials import merge_parts, write_part
from indexer.schema import SCHEMA, SCHEMA_VERSION, facet_field_values, indexer_fingerprint
from indexer.store import (BUILDING, CURRENT, GENERATION_PREFIX, LOCK, MANIFEST, REUSE_PREFIX, REUSE_SIGNED, Generation, Manifest,
                           check_index_folder, generations)
from indexer.trust import sign, verify
from indexer.report_units import ReportUnits, report_units

PLAN_FORMAT = 1
#: Segments a full build aims at (each a run of whole reports): few enough for Whoosh to search
#: quickly and for a reader to hold one file per segment, small enough that rewriting one
#: (a report removed or edited in it) is a small part of a full build.
SEGMENTS = 32
GROUP_MIN = 1_000  # units a segment holds at least, unless the corpus is smaller


def load_units(corpus_dir: Path, on_progress=None, problems: list[str] | None = None,
               reports: dict[str, dict] | None = None, skipped: list[tuple[str, str]] | None = None) -> list[Unit]:
    """Every unit of every readable report in the corpus, with its facets (reports parsed side by
    side when the corpus is large). ``on_progress("reports", done, total)`` follows each report;
    ``problems`` receives what the parser had to mend (paragraph numbers out of sequence);
    ``reports`` each report's metadata (``indexer.metadata``), by report id; ``skipped`` each file
    left out, with why."""
    paths, left_out = report_paths(corpus_dir)
    parsed = _parse(paths, on_progress)
    if skipped is not None:
        skipped.extend([(path.name, reason) for path, reason in left_out]
                       + [(path.name, result) for path, result in zip(paths, parsed) if isinstance(result, str)])
    per_report = [result for result in parsed if not isinstance(result, str)]
    if problems is not None:
        problems.extend(problem for report in per_report for problem in report.problems)
    if reports is not None:
        reports.update((report.doc, report.metadata) for report in per_report)
    return [unit for report in per_report for unit in report.units]


def _parse(paths: list[Path], on_progress) -> list[ReportUnits | str]:
    """Each report's units, or the one-line reason it cannot be read."""
    workers = _worker_count(sum(path.stat().st_size for path in paths) // _BYTES_PER_UNIT, len(paths))
    if workers == 1:
        return _followed(map(_read_one, paths), len(paths), on_progress)
    with multiprocessing.get_context("fork").Pool(workers, initializer=_leave_interrupts_to_parent) as pool:
        return _followed(pool.imap(_read_one, paths, chunksize=max(1, len(paths) // (4 * workers))),
                         len(paths), on_progress)


def _read_one(path: Path) -> ReportUnits | str:
    """A report's units, or the one-line reason it cannot be read. A PDF or Word file is read in a
    child process with bounded memory and time: its reader runs C code (pdfium, libxml2) that a
    hostile file of a few hundred bytes can make abort the process or take all the memory."""
    if (path.suffix.lower() in ISOLATED_FORMATS and hasattr(os, "fork") and threading.active_count() == 1
            and not os.environ.get("CONGRES_DEBUG")):  # forking beside other threads could deadlock the child
        return _read_in_child(path)
    return _read_here(path)


def _read_here(path: Path) -> ReportUnits | str:
    try:
        return report_units(path)
    except CorpusError as error:
        return _reason(path, str(error))
    except ImportError as error:  # a format whose reader (or its library) is not installed
        return f"{TRANSIENT}cannot read {path.suffix} files here ({error})"
    except MemoryError:
        return f"reading it needs more than {READER_MEMORY >> 30} GiB of memory — the file may be damaged or hostile"
    except Exception as error:  # noqa: BLE001 - a reader's library failing on a hostile or odd file
        if os.environ.get("CONGRES_DEBUG"):
            raise
        # one bad file must not stop the others (nor a search's automatic rebuild)
        return (f"{TRANSIENT}could not be read ({type(error).__name__}: {' '.join(str(error).split())[:200]}) "
                f"— please report it")


#: Formats read in a child process (``_read_in_child``), with these bounds.
ISOLATED_FORMATS = (".pdf", ".docx", ".doc")
READER_MEMORY = 3 << 30   # bytes of address space beyond what the build already uses
READER_SECONDS = 300      # LibreOffice, converting a .doc, has 120 of them
#: Marks a reason that depends on this machine, not on the file (a missing tool, a crash, a
#: timeout): such a file is tried again by the next build, not skipped by its digest.
TRANSIENT = "\x00"


def _read_in_child(path: Path) -> ReportUnits | str:
    import pickle
    import resource
    import select

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: bounded, and it leaves by os._exit whatever happens
        status = 1
        try:
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            used = _address_space()
            resource.setrlimit(resource.RLIMIT_AS, (used + READER_MEMORY, used + READER_MEMORY))
            result = _read_here(path)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)  # our own child's units
            status = 0
        except MemoryError:
            status = 3
        finally:
            os._exit(status)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + READER_SECONDS
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    return f"{TRANSIENT}reading it took more than {READER_SECONDS} s — the file may be damaged"
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:
        _kill_quietly(pid)
        raise
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return pickle.loads(b"".join(chunks))
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3:
        return f"reading it needs more than {READER_MEMORY >> 30} GiB of memory — the file may be damaged or hostile"
    how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}"
    return f"its reader crashed ({how}) — the file may be damaged or hostile"


def _address_space() -> int:
    """This process's virtual memory size, in bytes (Linux), else 0."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def _reason(path: Path, message: str) -> str:
    """A file's error message without the path it starts with: the manifest names the file."""
    for prefix in (f"{path}: ", f"{path.name}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _followed(parsed, total: int, on_progress) -> list:
    """The units of each report as they come, told to ``on_progress`` report by report."""
    per_report = []
    for report in parsed:
        per_report.append(report)
        if on_progress:
            on_progress("reports", len(per_report), total)
    return per_report


class _Report(NamedTuple):
    """A readable report of this build: parsed now (``parsed``), or reused from the previous generation."""
    doc: str
    path: Path
    digest: str
    entry: dict                      # its plan entry: file, digest, counts, metadata, problems
    parsed: ReportUnits | None = None


def build_index(corpus_dir: Path, index_dir: Path, on_wait=None, on_progress=None,
                still_needed=None, strict: bool = False) -> Manifest | None:
    """Index the corpus into ``index_dir``; the previous index answers until the swap.

    Only the reports whose content changed since the previous build are parsed, and only the
    segments they fall in are written again. A file that cannot be read is left out and named
    in ``Manifest.skipped``; with ``strict``, it makes the build fail (``CorpusError`` naming
    every such file) before anything is written. ``on_wait`` is called once if another build
    holds the folder (this one then waits for it). ``on_progress(stage, done, total)`` follows a
    long build: ``"reports"`` once per report parsed (the changed ones), then ``"index"``: 0 of
    the segments to write when writing starts, one more as each is written, all of them once
    the index is swapped in. ``still_needed()``, for a build that a search decided on, is asked
    again once the build lock is held: when several searches found the index out of date at
    once, one builds and the others find it done (None is then returned).
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    corpus_files(corpus_dir)  # a missing or empty corpus is said before anything else
    _ensure_writable(index_dir)
    with build_lock(index_dir, on_wait):
        if still_needed is not None and not still_needed():
            return None
        _remove_leftovers(index_dir)
        building = Generation(index_dir / f"{BUILDING}{os.getpid()}-{time.time_ns()}")
        building.path.mkdir()
        try:
            try:
                manifest, written, linked = _build(corpus_dir, index_dir, building, on_progress, strict, True)
            except _Restart:  # a file of the previous generation changed since it was signed
                for folder in (building.path, building.reuse_dir):
                    shutil.rmtree(folder, ignore_errors=True)
                building.path.mkdir()
                manifest, written, linked = _build(corpus_dir, index_dir, building, on_progress, strict, False)
            _synced(building.path, already=set())
            _synced(building.reuse_dir, already=linked)
            generation = Generation(index_dir / Generation.new_name())
            previous = Generation.current(index_dir)
            building.reuse_dir.rename(generation.reuse_dir)  # none, or a stale one: a full build then
            building.path.rename(generation.path)
            _point_current_to(index_dir, generation.name)
        except BaseException:
            shutil.rmtree(building.path, ignore_errors=True)
            shutil.rmtree(building.reuse_dir, ignore_errors=True)
            raise
        _prune(index_dir, keep={generation.name, previous.name if previous else None}, newest=generation.name)
    if on_progress:
        on_progress("index", written, written)
    return manifest


def _build(corpus_dir: Path, index_dir: Path, building: Generation, on_progress, strict: bool,
           reuse: bool) -> tuple[Manifest, int, set[str]]:
    """Everything of a build between the lock and the swap, written into ``building``: the
    manifest, the number of segments written, the files linked from the previous generation."""
    paths, left_out = report_paths(corpus_dir)
    hashed_at, listed = time.time_ns(), corpus_files(corpus_dir)
    digest_of: dict[Path, str] = {}
    for path in [*listed, *paths, *(path for path, _ in left_out)]:  # the same files, unless one just came
        digest_of[path] = digest_of.get(path) or file_digest(path)
    previous = _previous(index_dir, building) if reuse else None
    plan = previous[1] if previous else {"segments": [], "reports": {}, "unreadable": {}}
    reports, to_parse, unreadable = [], [], {}
    for path in paths:
        entry = plan["reports"].get(path.stem)
        known_bad = plan["unreadable"].get(path.name)
        if entry and entry.get("file") == path.name and entry.get("digest") == digest_of[path]:
            reports.append(_Report(path.stem, path, digest_of[path], entry))
        elif known_bad and known_bad.get("digest") == digest_of[path] and not known_bad.get("transient"):
            unreadable[path] = known_bad["reason"]
        else:
            to_parse.append(path)
    transient: set[Path] = set()
    for path, result in zip(to_parse, _parse(to_parse, on_progress)):
        if isinstance(result, str):
            if result.startswith(TRANSIENT):
                transient.add(path)
            unreadable[path] = result.removeprefix(TRANSIENT)
        else:
            reports.append(_Report(result.doc, path, digest_of[path], _entry(path, digest_of[path], result), result))
    bad = sorted([*left_out, *unreadable.items()], key=lambda pair: pair[0])
    if strict and bad:
        raise CorpusError(f"{len(bad)} corpus file{'s' if len(bad) > 1 else ''} cannot be indexed: "
                          + "; ".join(f"{path.name}: {reason}" for path, reason in bad)
                          + " — fix or remove them (the index is unchanged)")
    if not reports:
        raise CorpusError(f"no readable report in {corpus_dir}: "
                          + "; ".join(f"{path.name}: {reason}" for path, reason in bad))
    reports.sort(key=lambda report: report.path)  # the order of report_paths: docnums follow it

    workers = _worker_count(sum(sum(report.entry["counts"].values()) for report in reports))
    groups = _groups(reports, plan["segments"] if previous else [], workers)
    copied, linked = _link_reused(previous, building, groups, reports, index_dir) if previous else ({}, {})
    if copied is None:
        raise _Restart
    written = max(1, sum(segment is None for segment, _ in groups))
    if on_progress:
        on_progress("index", 0, written)
    segments = _write_groups(building, groups, reports, {segment["id"]: segment for segment in plan["segments"]},
                             workers,
                             lambda done: on_progress and done < written and on_progress("index", done, written))
    merge_parts(building, [(building.part_dir(segment.segid), segment.doc_count_all()) for segment in segments])
    TOC(SCHEMA, segments, 1).write(building.whoosh_storage(readonly=False), Generation.WHOOSH_NAME)

    by_doc = {report.doc: report for report in reports}
    new_plan = {"format": PLAN_FORMAT,
                "segments": [{"id": segment.segid, "reports": docs, "units": segment.doc_count_all(),
                              "field_lengths": dict(segment._fieldlengths)}
                             for segment, (_, docs) in zip(segments, groups)],
                "reports": {report.doc: report.entry for report in reports},
                "unreadable": {path.name: {"digest": digest_of[path], "reason": reason, "transient": path in transient}
                               for path, reason in unreadable.items()}}
    building.plan_path.write_text(json.dumps(new_plan, ensure_ascii=False), "utf-8")
    kept = {relative: linked.get(relative) or file_digest(building.reuse_dir / relative)
            for relative in _relative_files(building.reuse_dir) if relative != REUSE_SIGNED}
    (building.reuse_dir / REUSE_SIGNED).write_text(json.dumps({"files": kept, "signature": sign(kept)}), "utf-8")
    files = {relative: copied.get(relative) or file_digest(building.path / relative)
             for relative in _relative_files(building.path) if relative != MANIFEST}
    ordered = [by_doc[doc] for _, docs in groups for doc in docs]
    manifest = Manifest(
        SCHEMA_VERSION, fingerprint_of((path.name, digest_of[path]) for path in listed),
        str(corpus_dir.resolve()), indexer_fingerprint(),
        {report.doc: dict(report.entry["counts"]) for report in ordered},
        [problem for report in ordered for problem in report.entry["problems"]], files, sign(files),
        {report.doc: report.entry["metadata"] for report in ordered},
        [{**source_record(path, digest_of[path], hashed_at), "reason": reason} for path, reason in bad],
        {report.doc: source_record(report.path, report.digest, hashed_at) for report in ordered})
    building.write_manifest(manifest)
    return manifest, written, set(linked)


class _Restart(Exception):
    """A file the build meant to reuse is not the one signed: build everything afresh."""


def _entry(path: Path, digest: str, parsed: ReportUnits) -> dict:
    """What the plan keeps of a parsed report, so that a later build need not parse it again."""
    counts = {"paragraph": 0, "recommendation": 0}
    for unit in parsed.units:
        counts[unit.kind] += 1
    return {"file": path.name, "digest": digest, "counts": counts, "metadata": parsed.metadata,
            "problems": list(parsed.problems)}


def _previous(index_dir: Path, building: Generation) -> tuple[Generation, dict, Manifest, dict] | None:
    """The current generation, its plan, manifest and signed list of reused files, if this indexer
    wrote it and the plan is the one it signed (checked on a link in ``building``'s reuse folder:
    it cannot change after the check)."""
    generation = Generation.current(index_dir)
    manifest = generation.read_manifest() if generation else None
    if manifest is None or not manifest.is_current:
        return None
    try:
        signed = json.loads((generation.reuse_dir / REUSE_SIGNED).read_text("utf-8"))
        _link(generation.plan_path, building.plan_path)
        verify(building.reuse_dir, signed["files"], signed["signature"], index_dir, leave_out=REUSE_SIGNED)
        plan = json.loads(building.plan_path.read_text("utf-8"))
        return (generation, plan, manifest, signed) if plan.get("format") == PLAN_FORMAT else None
    except Exception:  # noqa: BLE001 - missing, unsigned, changed, unreadable: nothing is reused
        return None
    finally:
        shutil.rmtree(building.reuse_dir, ignore_errors=True)


def _groups(reports: list[_Report], old_segments: list[dict], workers: int) -> list[tuple[str | None, list[str]]]:
    """The segments of the new generation, in unit order: (id of a segment kept as it is, its
    reports) or (None, reports to write). A previous segment is kept when all its reports are
    unchanged and still next to each other; the reports in between are written in new segments,
    with any small segment next to them (so that adding reports one by one does not leave a
    trail of tiny segments). A run is cut into pieces of at most ``limit`` units, or into one
    per process when it is worth it, never inside a report."""
    size = {report.doc: sum(report.entry["counts"].values()) for report in reports}
    limit = min(SEGMENT_UNITS, max(GROUP_MIN, -(-sum(size.values()) // SEGMENTS)))
    order = [report.doc for report in reports]
    position = {doc: i for i, doc in enumerate(order)}
    unchanged = {report.doc for report in reports if report.parsed is None}
    kept = {}
    for segment in old_segments:
        docs = segment.get("reports") or []
        if all(doc in unchanged for doc in docs) and docs and \
                [position[doc] for doc in docs] == list(range(position[docs[0]], position[docs[0]] + len(docs))):
            kept[docs[0]] = (segment["id"], list(docs))
    blocks: list[tuple[str | None, list[str]]] = []
    i = 0
    while i < len(order):
        if order[i] in kept:
            blocks.append(kept[order[i]])
            i += len(blocks[-1][1])
        else:
            blocks.append((None, [order[i]]))
            i += 1
    rewrite = [segment is None for segment, _ in blocks]
    for k, (segment, docs) in enumerate(blocks):
        if segment is not None and sum(size[doc] for doc in docs) < limit // 4 and (
                (k > 0 and blocks[k - 1][0] is None) or (k + 1 < len(blocks) and blocks[k + 1][0] is None)):
            rewrite[k] = True
    groups: list[tuple[str | None, list[str]]] = []
    run: list[str] = []
    for (segment, docs), again in zip(blocks + [(None, [])], rewrite + [False]):
        if again:
            run += docs
            continue
        if run:
            groups += [(None, piece) for piece in _pieces(run, size, limit, workers)]
            run = []
        if docs:
            groups.append((segment, docs))
    return groups


def _pieces(docs: list[str], size: dict[str, int], limit: int, workers: int) -> list[list[str]]:
    """Consecutive reports cut into pieces of about even units."""
    units = sum(size[doc] for doc in docs)
    count = -(-units // limit)
    if units >= limit // 2:
        count = max(count, workers)
    count = max(1, min(count, len(docs)))
    pieces, piece, done = [], [], 0
    for i, doc in enumerate(docs):
        piece.append(doc)
        done += size[doc]
        still_to_cut = count - 1 - len(pieces)
        if still_to_cut and (done >= units * (len(pieces) + 1) / count or len(docs) - i - 1 == still_to_cut):
            pieces.append(piece)
            piece = []
    return pieces + [piece] if piece else pieces


def _link_reused(previous: tuple[Generation, dict, Manifest, dict], building: Generation,
                 groups: list[tuple[str | None, list[str]]], reports: list[_Report],
                 index_dir: Path) -> tuple[dict[str, str] | None, dict[str, str]]:
    """Copy the kept segments into ``building`` and link the files kept beside them and the
    units of the unchanged reports, then check them there against the previous generation's
    signed digests: their digests by path, in the generation and in its reuse folder (None, {}
    if one does not match). Whoosh's files are
    copied, not linked: damage to one generation's segment must not reach the other, which
    readers may still be answering from (the reuse folder is read by builds alone, which check
    it first)."""
    old, _, manifest, signed = previous
    try:
        for segment, _docs in groups:
            if segment is not None:
                shutil.copyfile(old.segment_path(segment), building.segment_path(segment), follow_symlinks=False)
                for path in sorted(old.part_dir(segment).rglob("*")):
                    if path.is_file():
                        _link(path, building.part_dir(segment) / path.relative_to(old.part_dir(segment)))
        for report in reports:
            if report.parsed is None:
                _link(old.units_path(report.doc), building.units_path(report.doc))
        verify(building.path, manifest.files, manifest.signature, index_dir, leave_out=MANIFEST)
        verify(building.reuse_dir, signed["files"], signed["signature"], index_dir, leave_out=REUSE_SIGNED)
        return ({relative: manifest.files[relative] for relative in _relative_files(building.path)},
                {relative: signed["files"][relative] for relative in _relative_files(building.reuse_dir)})
    except Exception:  # noqa: BLE001 - missing, changed or unsigned: build everything afresh
        return None, {}


def _relative_files(folder: Path) -> list[str]:
    """Every file below ``folder``, by its path relative to it (as ``indexer.trust`` names them)."""
    return [path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*")) if path.is_file()]


def _link(source: Path, target: Path) -> None:
    """``target`` made the same file as ``source`` (a hard link; a copy where links are refused)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        if source.is_symlink():
            raise
        shutil.copyfile(source, target)


def _unit_record(unit: Unit) -> dict:
    """A unit as JSON: every field of the dataclass (so that a new field passes through)."""
    return {field.name: getattr(unit, field.name) for field in fields(Unit)}


_TUPLE_FIELDS = {field.name for field in fields(Unit) if str(field.type).startswith("tuple")}


def _unit_of(record: dict) -> Unit:
    return Unit(**{name: tuple(value) if name in _TUPLE_FIELDS else value for name, value in record.items()})


def _write_units(path: Path, units: list[Unit]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([_unit_record(unit) for unit in units], ensure_ascii=False), "utf-8")


def _read_units(path: Path) -> list[Unit]:
    return [_unit_of(record) for record in json.loads(path.read_text("utf-8"))]


def _write_groups(building: Generation, groups, reports: list[_Report], old_segments: dict[str, dict],
                  workers: int, on_written):
    """The Whoosh segment of every group, in order: those kept are already linked in; the others
    are written, with their lookups and the units of their parsed reports, by child processes
    (or here, for a small corpus), each in a ``part-…`` folder moved into place afterwards."""
    by_doc = {report.doc: report for report in reports}
    tasks = []
    for segment, docs in groups:
        if segment is None:
            units, parsed = [], []
            for doc in docs:
                report = by_doc[doc]
                if report.parsed is None:
                    units += _read_units(building.units_path(doc))
                else:
                    units += report.parsed.units
                    parsed.append((doc, report.parsed.units))
            tasks.append((Generation(building.path / f"part-{len(tasks)}"), units, parsed))
    _run(tasks, min(workers, len(tasks)), on_written)
    segments, written = [], iter(tasks)
    for segment, docs in groups:
        if segment is not None:
            segments.append(_kept_segment(old_segments[segment]))
            continue
        part, _, parsed = next(written)
        [new] = TOC.read(part.whoosh_storage(), Generation.WHOOSH_NAME).segments
        for path in part.segment_files():
            path.rename(building.path / path.name)
        building.part_dir(new.segid).parent.mkdir(parents=True, exist_ok=True)
        (part.path / "lookups").rename(building.part_dir(new.segid))
        for doc, _ in parsed:
            building.units_path(doc).parent.mkdir(parents=True, exist_ok=True)
            (part.path / "units" / f"{doc}.json").rename(building.units_path(doc))
        shutil.rmtree(part.path)
        segments.append(new)
    return segments


def _kept_segment(recorded: dict):
    """The Whoosh segment object of a segment kept from the previous generation, made again from
    what its plan recorded (as the TOC would unpickle it: Whoosh 2.7's W3Segment)."""
    from collections import defaultdict

    from whoosh.codec.whoosh3 import W3Codec, W3Segment

    segment = W3Segment(W3Codec(), Generation.WHOOSH_NAME, int(recorded["units"]), str(recorded["id"]))
    segment.compound = True
    segment._fieldlengths = defaultdict(int, {str(name): int(length)
                                              for name, length in recorded["field_lengths"].items()})
    return segment


def _write_group(part: Generation, units: list[Unit], parsed: list[tuple[str, list[Unit]]]) -> None:
    """One new segment, its lookups, and the units of its newly parsed reports, into ``part``."""
    _write_segment(part, units)
    write_part(part.path / "lookups", units)
    for doc, doc_units in parsed:
        _write_units(part.path / "units" / f"{doc}.json", doc_units)


def _run(tasks, workers: int, on_written) -> None:
    """``_write_group`` for every task: here, or in up to ``workers`` child processes at once."""
    if workers <= 1:
        for done, task in enumerate(tasks, 1):
            _write_group(*task)
            on_written(done)
        return
    fork = multiprocessing.get_context("fork")  # a child sees the units without copying them
    pending = [fork.Process(target=_write_group_in_child, args=task, daemon=True) for task in tasks]
    running: list = []
    done = 0
    try:
        while pending or running:
            while pending and len(running) < workers:
                running.append(pending.pop(0))
                running[-1].start()
            finished = multiprocessing.connection.wait([child.sentinel for child in running])
            for child in [c for c in running if c.sentinel in finished]:
                child.join()
                running.remove(child)
                if child.exitcode != 0:
                    raise IndexUnavailableError(
                        f"a process writing the index failed (exit code {child.exitcode}) — the index "
                        f"is unchanged; run `congres index` again")
                done += 1
                on_written(done)
    finally:
        for child in running:
            child.kill()
            child.join()


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
#: Units per segment, at most (unless one report has more). Whoosh sorts a segment's postings in
#: memory up to the writer's ``limitmb``, and on disk beyond, twice as slowly: this many units
#: stay well within SEGMENT_MB.
SEGMENT_UNITS, SEGMENT_MB = 12_000, 384


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


def _write_group_in_child(part: Generation, units: list[Unit], parsed) -> None:
    _leave_interrupts_to_parent()
    _write_group(part, units, parsed)


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


def _synced(folder: Path, already) -> None:
    """Flush every file of a new generation to disk before CURRENT may name it (but those linked
    from the previous generation, flushed when it was written)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.relative_to(folder).as_posix() not in already:
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
    for path in [*index_dir.glob(f"{BUILDING}*"), *index_dir.glob(f"{REUSE_PREFIX}{BUILDING}*")]:
        shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.glob(f"{CURRENT}.*.tmp"):
        path.unlink(missing_ok=True)


def _prune(index_dir: Path, keep: set, newest: str) -> None:
    """Drop every generation but the new one and the one CURRENT named before it (readers that
    opened it just before the swap finish on it). Not by age: a clock set back would reorder them."""
    for old in generations(index_dir):
        if old.name not in keep:
            shutil.rmtree(old.path, ignore_errors=True)
    for reuse in index_dir.glob(f"{REUSE_PREFIX}{GENERATION_PREFIX}*"):  # only the newest is ever reused
        if reuse.name != f"{REUSE_PREFIX}{newest}":
            shutil.rmtree(reuse, ignore_errors=True)
