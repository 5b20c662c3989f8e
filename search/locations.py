"""Where the bundled corpus and the default index live, and the variables that move them.

The index defaults to ``$CONGRES_INDEX``; else, run from a source checkout (a clone or an
editable install: the project's ``pyproject.toml`` beside the packages), to the project's
``index/``; else, installed as a package, to the user's data folder
(``~/.local/share/congres/index`` on Linux), never into site-packages. The corpus defaults to
``$CONGRES_CORPUS``, else the report shipped with the package (``indexer/data/corpus/``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INDEX_ENV = "CONGRES_INDEX"
CORPUS_ENV = "CONGRES_CORPUS"
APP_NAME = "congres"

_PROJECT_NAME = re.compile(r"""^name\s*=\s*["']congres["']""", re.MULTILINE)


def is_source_checkout(root: Path | None = None) -> bool:
    """True when the packages sit in the project's own tree (not in site-packages)."""
    pyproject = (root or PROJECT_ROOT) / "pyproject.toml"
    try:
        return bool(_PROJECT_NAME.search(pyproject.read_text("utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def default_index_dir() -> Path:
    if os.environ.get(INDEX_ENV):
        return Path(os.environ[INDEX_ENV])
    if is_source_checkout():
        return PROJECT_ROOT / "index"
    import platformdirs  # only installed copies need it; a search in a checkout skips the import

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "index"  # no vendor folder on Windows


def default_corpus_dir() -> Path:
    if os.environ.get(CORPUS_ENV):
        return Path(os.environ[CORPUS_ENV])
    return bundled_corpus_dir()


def bundled_corpus_dir() -> Path:
    """The reports shipped inside the ``indexer`` package, as a folder on disk."""
    from importlib import resources

    folder = resources.files("indexer") / "data" / "corpus"
    # pip installs packages as files, so this is a real folder; a zipped copy would give a
    # path that does not exist, which the build reports as "corpus folder not found".
    return folder if isinstance(folder, Path) else Path(str(folder))
