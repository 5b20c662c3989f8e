"""The project's errors. The CLI turns each into a one-line message and an exit code."""


class CongresError(Exception):
    """Raised for any failure the user can act on; the message says what to do next."""


class CorpusError(CongresError):
    """Raised when a corpus file cannot be read or is not a report of the series."""


class IndexUnavailableError(CongresError):
    """Raised when there is no usable index and none can be built."""


class UnknownFacetValueError(CongresError):
    """Raised when a facet filter names a value the index does not know."""

    def __init__(self, facet: str, value: str, suggestions: list[str]):
        self.facet, self.value, self.suggestions = facet, value, suggestions
        hint = f" — did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {facet} '{value}'{hint} (see `congres facets {facet}`)")


class UnknownUnitError(CongresError):
    """Raised when ``show`` is given an id that no unit has."""


class InvalidRequestError(CongresError):
    """Raised for arguments outside their range (negative limit, unknown facet name…)."""


class UnreadableReportError(CorpusError):
    """Raised when one corpus file cannot be turned into a report's text (unsupported type,
    damaged or scanned PDF, a .docx that is not one…); a build skips it and names it with this
    message, its reason."""
