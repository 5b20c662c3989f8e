"""Where the bundled corpus and the default index live, and the variables that move them."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INDEX_ENV = "CONGRES_INDEX"
CORPUS_ENV = "CONGRES_CORPUS"


def default_index_dir() -> Path:
    return Path(os.environ.get(INDEX_ENV) or PROJECT_ROOT / "index")


def default_corpus_dir() -> Path:
    return Path(os.environ.get(CORPUS_ENV) or PROJECT_ROOT / "indexer" / "data" / "corpus")
