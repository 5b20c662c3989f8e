"""Reading a corpus: a folder of report files (or one file), each named by its file name."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple

from indexer.errors import CorpusError, UnreadableReportError
from indexer.formats import READERS, read_document

_DOC_ID = re.compile(r"[\w.-]+")  # the whole name (fullmatch): no trailing newline
#: When one report is in the folder in several formats (same file name), the one read.
FORMAT_PREFERENCE = (".txt", ".docx", ".pdf", ".doc")


class Report(NamedTuple):  # not a frozen dataclass: several times quicker to define (cold start)
    doc: str    # the file name without its extension, e.g. "san-jose-2025"
    path: Path
    text: str   # as a .txt report reads (indexer.formats)
    symbol: str | None = None        # read from the file's own header, when it has one
    footnotes: tuple[str, ...] = ()  # not part of any unit's text


def corpus_files(corpus: Path) -> list[Path]:
    """Every file a build looks at: the file itself, or each visible file of the folder
    (reports of any format, and the others, which the build names as skipped)."""
    corpus = Path(corpus)
    if corpus.is_file():
        return [corpus]
    if not corpus.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus} — pass --corpus DIR (a folder or one report file)")
    try:
        paths = sorted(p for p in corpus.iterdir() if not p.name.startswith(".") and p.is_file())
    except OSError as error:
        raise CorpusError(f"cannot read the corpus folder {corpus} ({error.strerror})") from None
    if not paths:
        raise CorpusError(f"no report in {corpus} (reports are {', '.join(READERS)} files)")
    return paths


def report_paths(corpus: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files read as reports, and the others with the reason they are not (same report id as
    another file, unsupported type)."""
    chosen: dict[str, Path] = {}
    skipped: list[tuple[Path, str]] = []
    rank = {suffix: i for i, suffix in enumerate(FORMAT_PREFERENCE)}
    for path in corpus_files(corpus):
        suffix = path.suffix.lower()
        if suffix not in READERS:
            skipped.append((path, f"unsupported file type '{path.suffix or '(none)'}' — reports are "
                                  f"{', '.join(FORMAT_PREFERENCE)} files"))
            continue
        key = path.stem.casefold()  # --doc rapport could not tell Rapport.txt from rapport.txt
        other = chosen.get(key)
        if other is None:
            chosen[key] = path
            continue
        keep, drop = sorted((other, path), key=lambda p: (rank[p.suffix.lower()], p.name))
        chosen[key] = keep
        skipped.append((drop, f"same report id as {keep.name} (one file per report; {keep.name} is read)"))
    return sorted(chosen.values()), skipped


def read_report(path: Path) -> Report:
    """The report in ``path``, decoded and checked; ``UnreadableReportError`` names the file and why."""
    path = Path(path)
    doc = path.stem
    if not _DOC_ID.fullmatch(doc):
        raise UnreadableReportError(f"{path}: file names may only use letters, digits, '.', '-' and '_'")
    document = read_document(path)
    return Report(doc, path, document.text, document.symbol, tuple(document.footnotes))


def file_digest(path: Path) -> str:
    """The content digest of one corpus file (what an incremental build compares)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(corpus: Path) -> str:
    """Changes whenever a file is added to, removed from or edited in the corpus."""
    return fingerprint_of((path.name, file_digest(path)) for path in corpus_files(corpus))


def fingerprint_of(named_digests) -> str:
    """The corpus fingerprint from each file's (name, content digest), in ``corpus_files`` order."""
    digest = hashlib.sha256()
    for name, file_hash in named_digests:
        digest.update(name.encode() + b"\0" + file_hash.encode() + b"\0")
    return digest.hexdigest()


#: A file modified this close to the moment it was hashed may change again within the same
#: time stamp (file systems that keep seconds, or two seconds): its stat is not trusted later.
RACY_NS = 2_000_000_000


def source_record(path: Path, digest: str, hashed_at_ns: int) -> dict:
    """What the manifest keeps of a corpus file, so that ``changed`` hashes it only if its stat moved."""
    try:
        stat = Path(path).stat()
    except FileNotFoundError:  # removed during the build: the next one notices (and drops it)
        return {"file": Path(path).name, "digest": digest, "size": None, "mtime_ns": None}
    racy = stat.st_mtime_ns >= hashed_at_ns - RACY_NS
    return {"file": Path(path).name, "digest": digest, "size": stat.st_size,
            "mtime_ns": None if racy else stat.st_mtime_ns}


def changed(manifest, corpus: Path) -> bool:
    """Whether the corpus differs from the one ``manifest`` was built from (a file added, removed
    or edited), hashing only the files whose name, size or modification time is not as recorded:
    a search asks this every time, and PDF reports are large. Raises ``CorpusError`` as
    ``corpus_files`` does."""
    known = {entry.get("file"): entry for entry in [*manifest.sources.values(), *manifest.skipped]
             if isinstance(entry, dict)}
    named = []
    for path in corpus_files(corpus):
        entry, stat = known.get(path.name), path.stat()
        same = (entry is not None and entry.get("mtime_ns") == stat.st_mtime_ns
                and entry.get("size") == stat.st_size and isinstance(entry.get("digest"), str))
        named.append((path.name, entry["digest"] if same else file_digest(path)))
    return fingerprint_of(named) != manifest.fingerprint
