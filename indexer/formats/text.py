"""``.txt`` reports (any case of the extension): UTF-8 text as exported from the ODS."""

from __future__ import annotations

from pathlib import Path

from indexer.errors import UnreadableReportError
from indexer.formats import Document


def read(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableReportError(f"{path}: cannot read ({error.strerror})") from None
    if not data.strip():
        raise UnreadableReportError(f"{path}: empty file")
    if b"\x00" in data:
        raise UnreadableReportError(f"{path}: binary file, not a text report")
    try:
        return Document(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise UnreadableReportError(f"{path}: not UTF-8 text (byte {error.start}); "
                                    f"convert it with `iconv -t UTF-8`") from None
