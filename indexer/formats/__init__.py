"""Report files of every supported format → the plain text the report parser reads.

Each format module turns one file into a ``Document``: its text laid out as the ``.txt``
reports of the series are (one paragraph per line, headings on lines of their own, blank
lines between blocks, the first page's block "Assemblée générale / Distr. générale / …"
at the top), plus what the file says about itself (the document symbol of its running
header) and what is not body text (footnotes). The same parser then reads every format,
so units, sections, speakers and themes do not depend on the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import UnreadableReportError


@dataclass
class Document:
    text: str                                  # as a .txt report of the series reads
    symbol: str | None = None                  # "A/CONF.241/RPM.2/1", from the file's own header
    footnotes: list[str] = field(default_factory=list)  # footnote texts, in order (not unit text)
    pages: int | None = None                   # pages read (PDF), for progress and benchmarks


#: File suffixes (lower case) → the module that reads them (imported only when such a file is read).
READERS = {".txt": "indexer.formats.text", ".pdf": "indexer.formats.pdf",
           ".docx": "indexer.formats.docx", ".doc": "indexer.formats.doc"}


def is_supported(path: Path) -> bool:
    return Path(path).suffix.lower() in READERS


def read_document(path: Path) -> Document:
    """The document in ``path``; ``UnreadableReportError`` names the file and says why it cannot be read."""
    from importlib import import_module

    path = Path(path)
    module = READERS.get(path.suffix.lower())
    if module is None:
        raise UnreadableReportError(f"{path}: unsupported file type '{path.suffix or '(none)'}' — "
                                    f"reports are .txt, .pdf, .docx or .doc files")
    return import_module(module).read(path)


def head_of(path: Path, shown_as: Path | None = None, size: int = 8) -> bytes:
    """The first bytes of a file, to tell what it really is; ``UnreadableReportError`` (naming
    ``shown_as``, the file the user gave) if it cannot be read or is empty."""
    try:
        with open(path, "rb") as file:
            head = file.read(size)
    except OSError as error:
        raise UnreadableReportError(f"{shown_as or path}: cannot read ({error.strerror})") from None
    if not head:
        raise UnreadableReportError(f"{shown_as or path}: empty file")
    return head
