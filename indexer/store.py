"""Reading an index folder: which generation is current, its manifest, whether a path may hold an index.

Kept apart from ``build`` so that searching does not import what building needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import IndexUnavailableError
from indexer.schema import SCHEMA_VERSION, indexer_fingerprint

CURRENT = "CURRENT"
MANIFEST = "congres.json"
LOCK = ".lock"
BUILDING = ".building-"


@dataclass
class Manifest:
    schema_version: int
    fingerprint: str  # of the corpus
    corpus: str
    indexer: str = ""  # fingerprint of the indexer that wrote it
    documents: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def is_current(self) -> bool:
        """Written by this version of the indexer (same schema, analyzer and data)."""
        return self.schema_version == SCHEMA_VERSION and self.indexer == indexer_fingerprint()

    @property
    def unit_count(self) -> int:
        return sum(sum(counts.values()) for counts in self.documents.values())


def current_generation(index_dir: Path) -> Path | None:
    """The generation folder readers should open, or None if no build has completed."""
    try:
        name = (Path(index_dir) / CURRENT).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise IndexUnavailableError(f"cannot read the index in {index_dir} ({error.strerror})") from None
    generation = Path(index_dir) / name
    return generation if name.startswith("gen-") and generation.is_dir() else None


def read_manifest(generation: Path) -> Manifest | None:
    try:
        data = json.loads((generation / MANIFEST).read_text("utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None


def check_index_folder(folder: Path) -> None:
    """Refuse a path this project must not write in: a file, or a folder of other files."""
    if folder.exists() and not folder.is_dir():
        raise IndexUnavailableError(f"{folder} is a file, not an index folder — pass another --index")
    ours = (CURRENT, LOCK, "gen-", BUILDING, ".")
    if folder.is_dir() and not all(p.name.startswith(ours) for p in folder.iterdir()):
        raise IndexUnavailableError(f"{folder} is not an index folder — pass another --index")
