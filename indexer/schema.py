"""The index schema, declared once, and the fingerprint that tells an index is outdated."""

import hashlib
from functools import lru_cache
from pathlib import Path

from whoosh import fields

from indexer.analysis import FAST_FRENCH_ANALYZER
from indexer.facets import REGISTRY, Facet

SCHEMA_VERSION = 4  # bump when a field changes


@lru_cache(maxsize=1)
def indexer_fingerprint() -> str:
    """Changes with the indexer's code or data (analyzer, stop words, themes…): the index must follow."""
    digest = hashlib.sha256(str(SCHEMA_VERSION).encode())
    package = Path(__file__).resolve().parent
    # data/corpus/ (the bundled reports) is not the indexer's: the corpus has its own fingerprint
    data = [path for path in package.glob("data/*") if path.is_file()]
    for path in sorted([*package.glob("*.py"), *data]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()

#: Multi-valued facet fields hold one value per line (names contain spaces and commas).
FACET_SEPARATOR = "\n"


def _facet_field(facet: Facet):
    if facet.multiple:
        return fields.IDLIST(stored=True, expression=r"[^\n]+")
    return fields.ID(stored=True)


SCHEMA = fields.Schema(
    key=fields.ID(stored=True, unique=True),         # "doc:id", unique across the corpus
    id=fields.ID(stored=True),                       # "28" or "37f"
    kind=fields.ID(stored=True),                     # "paragraph" | "recommendation"
    paragraph=fields.STORED(),                       # 28 (document order is the docnum order)
    letter=fields.STORED(),
    agenda_key=fields.STORED(),                      # "theme", "3"…"6" or None
    section=fields.STORED(),                         # innermost heading, for display
    text=fields.TEXT(analyzer=FAST_FRENCH_ANALYZER, stored=True, phrase=True),
    **{facet.name: _facet_field(facet) for facet in REGISTRY},  # one field per facet (indexer.facets)
)


def facet_field_values(unit) -> dict[str, str]:
    """A unit's facet fields as Whoosh stores them."""
    return {facet.name: FACET_SEPARATOR.join(facet.values_of(unit)) for facet in REGISTRY}


def split_values(stored: str | None) -> list[str]:
    """A stored facet field's values."""
    return stored.split(FACET_SEPARATOR) if stored else []
