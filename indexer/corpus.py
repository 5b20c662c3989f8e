"""Reading a corpus folder: one report per ``.txt`` file, named by its file name."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple

from indexer.errors import CorpusError

_DOC_ID = re.compile(r"[\w.-]+")  # the whole name (fullmatch): no trailing newline


class Report(NamedTuple):  # not a frozen dataclass: several times quicker to define (cold start)
    doc: str    # the file name without ".txt" (any case), e.g. "san-jose-2025"
    path: Path
    text: str


def report_paths(corpus_dir: Path) -> list[Path]:
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir} — pass --corpus DIR")
    paths = sorted(p for p in corpus_dir.iterdir() if p.suffix.lower() == ".txt" and p.is_file())  # .TXT too
    if not paths:
        raise CorpusError(f"no .txt report in {corpus_dir}")
    seen: dict[str, Path] = {}
    for path in paths:  # --doc rapport could not tell Rapport.txt from rapport.txt
        other = seen.setdefault(path.stem.casefold(), path)
        if other is not path:
            raise CorpusError(f"{other.name} and {path.name} differ only by case — rename one "
                              f"(report ids must be told apart by `--doc`)")
    return paths


def read_report(path: Path) -> Report:
    """The report's text, decoded and checked; a bad file is named in the error."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorpusError(f"{path}: cannot read ({error.strerror})") from None
    if not data.strip():
        raise CorpusError(f"{path}: empty file")
    if b"\x00" in data:
        raise CorpusError(f"{path}: binary file, not a text report")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path}: not UTF-8 text (byte {error.start}); convert it with `iconv -t UTF-8`") from None
    doc = path.stem
    if not _DOC_ID.fullmatch(doc):
        raise CorpusError(f"{path}: file names may only use letters, digits, '.', '-' and '_'")
    return Report(doc, path, text)


def fingerprint(corpus_dir: Path) -> str:
    """Changes whenever a report is added, removed or edited."""
    digest = hashlib.sha256()
    for path in report_paths(corpus_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
