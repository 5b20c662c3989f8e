"""Search UN Crime Congress reports in French: ranked, faceted, highlighted.

Example::

    from search import Searcher

    with Searcher() as searcher:   # opens the default index, building it from the bundled report if needed
        results = searcher.search("traite des personnes", filters={"state": ["Brésil"]})
        for hit in results.hits:
            print(hit.citation, hit.agenda, hit.snippet())
"""

from indexer.errors import (
    CongresError,
    CorpusError,
    IndexUnavailableError,
    InvalidRequestError,
    UnknownFacetValueError,
    UnknownUnitError,
)
from indexer.facets import FACETS
from search.facets import FacetCount
from search.results import Hit, SearchResults
from search.searcher import Searcher

__all__ = [
    "FACETS",
    "CongresError",
    "CorpusError",
    "FacetCount",
    "Hit",
    "IndexUnavailableError",
    "InvalidRequestError",
    "SearchResults",
    "Searcher",
    "UnknownFacetValueError",
    "UnknownUnitError",
]
