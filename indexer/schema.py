"""The index schema, declared once, and the fingerprint that tells an index is outdated."""

import hashlib
from functools import lru_cache
from pathlib import Path

from whoosh import fields

from indexer.analysis import FAST_FRENCH_ANALYZER

SCHEMA_VERSION = 3  # bump when a field changes


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


def _facet(stored=True):
    return fields.IDLIST(stored=stored, expression=r"[^\n]+")


SCHEMA = fields.Schema(
    key=fields.ID(stored=True, unique=True),         # "doc:id", unique across the corpus
    doc=fields.ID(stored=True),                      # report identifier
    id=fields.ID(stored=True),                       # "28" or "37f"
    kind=fields.ID(stored=True),                     # "paragraph" | "recommendation"
    paragraph=fields.STORED(),                       # 28 (document order is the docnum order)
    letter=fields.STORED(),
    agenda=fields.ID(stored=True),                   # agenda facet: short French label
    agenda_key=fields.STORED(),                      # "theme", "3"…"6" or None
    state=_facet(),                                  # state facet: members and observers that spoke
    observer=_facet(),                               # the observers among them
    org=_facet(),                                    # organisations that spoke
    theme=_facet(),                                  # theme facet
    section=fields.STORED(),                         # innermost heading, for display
    text=fields.TEXT(analyzer=FAST_FRENCH_ANALYZER, stored=True, phrase=True),
)
