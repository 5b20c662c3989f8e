"""Turn UN reports into units and units into a French, faceted Whoosh index.

The names below are loaded on first use, so that searching (which needs only a few
modules of this package) does not import the parser and the builder.
"""

from importlib import import_module

_EXPORTS = {
    "FRENCH_ANALYZER": "indexer.analysis",
    "analyze": "indexer.analysis",
    "build_index": "indexer.build",
    "load_units": "indexer.build",
    "Unit": "indexer.model",
    "parse_report": "indexer.parse",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'indexer' has no attribute {name!r}")
