"""Human-readable output of the CLI. Colour on a terminal; ``**word**`` marks matches elsewhere."""

from __future__ import annotations

import re

import click

from indexer.facets import FACETS
from search.facets import FacetCount
from search.query import SYNONYM_BOOST
from search.results import Hit, SearchResults

#: Facet values shown under the results; `congres facets NAME` lists them all.
FACET_VALUES_SHOWN = 6


#: Control characters (C0 but line breaks and tabs, DEL, C1): from a report or a query they would
#: reach the terminal as escape sequences (a new window title, a cleared screen).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text) -> str:
    """``text`` without control characters, for the terminal."""
    return _CONTROLS.sub("", str(text))


def highlighter(color: bool):
    if color:
        return lambda text: click.style(text, fg="yellow", bold=True)
    return lambda text: f"**{text}**"


def render_results(results: SearchResults, color: bool, show_doc: bool = False) -> str:
    mark = highlighter(color)
    lines = [_summary(results, color)]
    for rank, hit in enumerate(results.hits, start=results.offset + 1):
        lines.append("")
        lines.append(f"{rank:>3}. {_bold(plain(hit.citation), color)}  {_where(hit, show_doc)}")
        lines.append("     " + "".join(mark(plain(t)) if marked else plain(t) for t, marked in hit.snippet_parts))
    if results.total:
        lines.append("")
        lines.append(_bold("Facets", color) + " (units per value, * = selected)")
        for facet in FACETS:
            rows = results.facets.get(facet, [])
            if rows:
                lines.append(f"  {facet:<7}" + render_facet_row(rows, FACET_VALUES_SHOWN))
    return "\n".join(lines)


def render_explanation(results: SearchResults, color: bool) -> str:
    """``--explain``: how the query was read, step by step."""
    e = results.explanation
    rows = [("query", f"« {results.query} »")]
    rows += [("translated", f"{english} → {' | '.join(french)}") for english, french in e.translated]
    rows += [("question", "dropped " + ", ".join(e.question_words))] if e.question_words else []
    rows += [("corrected", f"{typed} → {corrected}") for typed, corrected in e.corrections]
    rows += [("synonyms", f"{expr} → {', '.join(syn)} (weight {SYNONYM_BOOST:g})") for expr, syn in e.expansions]
    rows.append(("words", " · ".join(e.words) or "(none: browsing)"))
    rows.append(("terms", " ".join(e.terms) or "—"))
    rows += [("filter", f"{facet}: {' | '.join(values)}") for facet, values in results.filters.items()]
    rows.append(("all words", e.strict or "—"))
    rows.append(("ranking", e.scoring or "document order"))
    lines = [_bold("How the query was understood", color)]
    lines += [f"  {label:<11}{plain(value)}" for label, value in rows]
    return "\n".join(lines)


def render_facet_row(rows: list[FacetCount], shown: int) -> str:
    visible = [r for r in rows if r.selected] + [r for r in rows if not r.selected]
    cells = [_facet_cell(r) for r in visible[:max(shown, sum(r.selected for r in rows))]]
    more = len(rows) - len(cells)
    return " · ".join(cells) + (f" · … +{more}" if more > 0 else "")


def render_facet_table(facet: str, rows: list[FacetCount]) -> str:
    width = max((len(_facet_label(r)) for r in rows), default=0)
    lines = [f"{plain(facet)} ({len(rows)} values)"]
    lines += [f"  {_facet_label(r):<{width}}  {r.count:>5}" for r in rows]
    return "\n".join(lines)


def render_unit(hit: Hit, color: bool) -> str:
    kind = "recommandation" if hit.kind == "recommendation" else "paragraphe"
    lines = [f"{_bold(plain(hit.citation), color)} · {plain(hit.doc)} · {kind}",
             f"cite as:       {plain(hit.citation_full)}", f"report:        {plain(hit.report)}",
             f"agenda:        {plain(hit.agenda)}"]
    if hit.section:
        lines.append(f"section:       {plain(hit.section)}")
    speakers = [s for s in hit.states if s not in hit.observers]
    for label, values in (("states:", speakers), ("observers:", hit.observers),
                          ("organisations:", hit.organisations), ("themes:", hit.themes)):
        if values:
            lines.append(f"{label:<15}{plain(', '.join(values))}")
    lines += ["", plain(hit.text)]
    return "\n".join(lines)


def render_reports(reports: dict[str, dict], documents: dict[str, dict[str, int]]) -> str:
    """``congres reports``: each report with what it says about itself."""
    blocks = []
    for doc, meta in reports.items():
        kinds = documents.get(doc, {})
        lines = [f"{plain(meta.get('symbol') or doc)} · {plain(meta.get('label') or doc)}"]
        rows = (("id", doc), ("title", meta.get("title")), ("meeting", meta.get("meeting")),
                ("place", meta.get("city")), ("dates", " – ".join(meta.get("meeting_dates") or [])),
                ("issued", meta.get("date")),
                ("language", ", ".join(filter(None, (meta.get("language"), meta.get("original_language")
                                                     and f"original: {meta['original_language']}")))),
                ("units", f"{kinds.get('paragraph', 0)} paragraphs, {kinds.get('recommendation', 0)} recommendations"))
        lines += [f"  {label:<9}{plain(value)}" for label, value in rows if value]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else "no report in the index"


def _summary(results: SearchResults, color: bool) -> str:
    what = f"« {plain(results.query)} »" if results.query.strip() else "all units"
    filters = plain(" · ".join(f"{facet}: {' | '.join(values)}" for facet, values in results.filters.items()))
    head = f"{results.total} result{'s' if results.total != 1 else ''} for {what}"
    if filters:
        head += f" · {filters}"
    if results.total > results.limit > 0:
        pages = -(-results.total // results.limit)
        head += f" · page {results.offset // results.limit + 1} of {pages}"
    if results.total and not results.hits:
        head += " · no results on this page"
    return _bold(head, color)


def _where(hit: Hit, show_doc: bool) -> str:
    """The agenda item; the UN citation too when the report has a symbol or the index several reports."""
    return plain(f"{hit.citation_full} · {hit.agenda}" if show_doc or hit.symbol else hit.agenda)


def _facet_label(row: FacetCount) -> str:
    return plain(row.value) + (" (observateur)" if row.observer else "") + ("*" if row.selected else "")


def _facet_cell(row: FacetCount) -> str:
    return f"{_facet_label(row)} ({row.count})"


def _bold(text: str, color: bool) -> str:
    return click.style(text, bold=True) if color else text
