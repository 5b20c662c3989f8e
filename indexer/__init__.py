"""Turn UN reports into units and units into a French, faceted Whoosh index."""

from indexer.analysis import FRENCH_ANALYZER, analyze
from indexer.build import build_index, load_units
from indexer.model import Unit
from indexer.parse import parse_report

__all__ = ["FRENCH_ANALYZER", "Unit", "analyze", "build_index", "load_units", "parse_report"]
