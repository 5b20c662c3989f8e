"""One report file → its units with their facets, its metadata, and what parsing had to mend.

The step a build runs per report (side by side for a large corpus); it knows nothing of
indexes, so an incremental build can run it on the changed reports alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from indexer.agenda import agenda_of
from indexer.corpus import read_report
from indexer.errors import UnreadableReportError
from indexer.metadata import read_metadata
from indexer.model import Unit
from indexer.parse import parse_report
from indexer.speakers import assign_speakers
from indexer.themes import taxonomy

UNKNOWN_LISTED = 3  # state names quoted when a report names some the gazetteer does not know


class ReportUnits(NamedTuple):
    doc: str
    units: list[Unit]
    problems: list[str]   # what the parser had to mend, one line each
    metadata: dict        # indexer.metadata.read_metadata: symbol, title, meeting…


def report_units(path: Path) -> ReportUnits:
    """Raises ``UnreadableReportError`` (with the reason) for a file that is not a readable report."""
    report = read_report(path)
    problems: list[str] = []
    units = parse_report(report.text, report.doc, problems)
    if not units:
        raise UnreadableReportError(f"{path}: no numbered paragraph found — not a report of the series?")
    unknown: list[str] = []
    assign_speakers(units, unknown)
    if unknown:  # one line for the report, however many there are
        names = ", ".join(repr(name[:60]) for name in unknown[:UNKNOWN_LISTED])
        more = f" and {len(unknown) - UNKNOWN_LISTED} more" if len(unknown) > UNKNOWN_LISTED else ""
        problems.append(f"{report.doc}: {len(unknown)} state name{'s' if len(unknown) > 1 else ''} not in the "
                        f"gazetteer, kept as printed: {names}{more}")
    metadata = read_metadata(report)
    for unit in units:
        unit.agenda_key, unit.agenda = agenda_of(unit.headings)
        unit.themes = taxonomy().themes_of(unit.text)
        unit.report = metadata["label"]
    return ReportUnits(report.doc, units, problems, metadata)
