"""The on-disk layout of an index folder, named once: its generations, their files, the pointer.

An index folder holds complete generations (``gen-…``), a ``CURRENT`` file naming the one
to read, a build lock, and the hidden folders of builds in progress. A ``Generation`` owns
every path inside one generation, for the build that writes it and the searcher that reads
it. Kept apart from ``build`` so that searching does not import what building needs.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import IndexUnavailableError
from indexer.schema import SCHEMA_VERSION, indexer_fingerprint

CURRENT = "CURRENT"
LOCK = ".lock"
BUILDING = ".building-"
GENERATION_PREFIX = "gen-"
MANIFEST = "congres.json"
#: Beside each generation, what the next build reuses (``reuse-gen-…``): never read by a search,
#: so not hashed when one opens the generation; signed on its own (``REUSE_SIGNED``).
REUSE_PREFIX = "reuse-"
REUSE_SIGNED = "signed.json"


@dataclass
class Manifest:
    schema_version: int
    fingerprint: str  # of the corpus
    corpus: str
    indexer: str = ""  # fingerprint of the indexer that wrote it
    documents: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what parsing had to mend ("paragraph 20 missing…")
    files: dict[str, str] = field(default_factory=dict)  # sha256 of every other file (indexer.trust)
    signature: str = ""  # of ``files``, with this user's key: the generation was built or trusted here
    reports: dict[str, dict] = field(default_factory=dict)  # each report's metadata (indexer.metadata), by id
    #: each corpus file not indexed: {"file", "reason", and its "digest", "size", "mtime_ns"}
    skipped: list[dict] = field(default_factory=list)
    #: each indexed report's file, by id: {"file", "digest" (sha256), "size", "mtime_ns"}
    sources: dict[str, dict] = field(default_factory=dict)

    @property
    def is_current(self) -> bool:
        """Written by this version of the indexer (same schema, analyzer and data)."""
        return self.schema_version == SCHEMA_VERSION and self.indexer == indexer_fingerprint()

    @property
    def unit_count(self) -> int:
        return sum(sum(counts.values()) for counts in self.documents.values())


class Generation:
    """One complete build inside an index folder, and the name of everything in it."""

    WHOOSH_NAME = "MAIN"                 # Whoosh's name for the index: MAIN_*.seg, _MAIN_*.toc
    POSTINGS = "postings"                # the text field's posting arrays (indexer.postings)
    FACET_UNITS = "facet_units.bin"      # each facet value's units (indexer.facet_units)
    VOCABULARY = "vocabulary.tsv"        # the words of the text (indexer.vocabulary)

    def __init__(self, path: Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Generation({str(self.path)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Generation) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    @classmethod
    def current(cls, index_dir: Path) -> Generation | None:
        """The generation readers should open, or None if no build has completed."""
        try:
            name = (Path(index_dir) / CURRENT).read_text("utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise IndexUnavailableError(f"cannot read the index in {index_dir} ({error.strerror})") from None
        path = Path(index_dir) / name
        return cls(path) if name.startswith(GENERATION_PREFIX) and path.is_dir() else None

    @classmethod
    def new_name(cls) -> str:
        """A name of its own (the build's time stamp and process)."""
        return f"{GENERATION_PREFIX}{time.time_ns()}-{os.getpid()}"

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def postings_dir(self) -> Path:
        return self.path / self.POSTINGS

    @property
    def facet_units_path(self) -> Path:
        return self.path / self.FACET_UNITS

    @property
    def vocabulary_path(self) -> Path:
        return self.path / self.VOCABULARY

    @property
    def reuse_dir(self) -> Path:
        """What the next build reuses: each report's units, each segment's lookups, the plan."""
        return self.path.parent / f"{REUSE_PREFIX}{self.name}"

    @property
    def plan_path(self) -> Path:
        """Which reports each segment holds, with their digests (indexer.build)."""
        return self.reuse_dir / "plan.json"

    def units_path(self, doc: str) -> Path:
        """One report's units as JSON (a report id is letters, digits, '.', '-', '_': a file name)."""
        return self.reuse_dir / "units" / f"{doc}.json"

    def part_dir(self, segment_id: str) -> Path:
        """One segment's own lookups (indexer.partials), merged into the generation's."""
        return self.reuse_dir / "parts" / segment_id

    def segment_path(self, segment_id: str) -> Path:
        return self.path / f"{self.WHOOSH_NAME}_{segment_id}.seg"

    def segment_files(self) -> list[Path]:
        return sorted(self.path.glob(f"{self.WHOOSH_NAME}_*.seg"))

    def whoosh_storage(self, readonly: bool = True):
        """Whoosh's storage of this generation, without mmap: closing a reader releases its
        files, so that a generation a rebuild made obsolete can be deleted."""
        from whoosh.filedb.filestore import FileStorage

        return FileStorage(str(self.path), supports_mmap=False, readonly=readonly)

    def open_whoosh(self):
        """The Whoosh index (thread-safe: each thread opens its own reader from it)."""
        return self.whoosh_storage().open_index(self.WHOOSH_NAME)

    def read_manifest(self) -> Manifest | None:
        try:
            return Manifest(**json.loads(self.manifest_path.read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def write_manifest(self, manifest: Manifest) -> None:
        self.manifest_path.write_text(json.dumps(manifest.__dict__, ensure_ascii=False, indent=1), "utf-8")


def generations(index_dir: Path) -> list[Generation]:
    """Every generation of an index folder."""
    return [Generation(p) for p in sorted(Path(index_dir).glob(f"{GENERATION_PREFIX}*"))]


def current_generation(index_dir: Path) -> Path | None:
    """The folder of the current generation (see ``Generation.current``)."""
    generation = Generation.current(index_dir)
    return generation.path if generation else None


def check_index_folder(folder: Path) -> None:
    """Refuse a path this project must not write in: a file, or a folder of other files."""
    if folder.exists() and not folder.is_dir():
        raise IndexUnavailableError(f"{folder} is a file, not an index folder — pass another --index")
    if folder.is_dir() and not all(_is_ours(p.name) for p in folder.iterdir()):
        raise IndexUnavailableError(f"{folder} is not an index folder — pass another --index")


#: What an index folder may hold besides its generations and builds: nothing else is ours, so a
#: folder with other files (a home folder, even one of dotfiles only) is not written in.
_OURS = {CURRENT, LOCK, ".gitkeep"}


def _is_ours(name: str) -> bool:
    return (name in _OURS or name.startswith((GENERATION_PREFIX, BUILDING, REUSE_PREFIX))
            or (name.startswith(f"{CURRENT}.") and name.endswith(".tmp")))
