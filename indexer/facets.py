"""The facets, declared once: adding a facet is one entry here (plus its data).

Everything else is derived from ``REGISTRY``: the Whoosh fields of the schema, the facet
bitsets written at build time, the names accepted before ``:`` in a query, the options of
``congres search`` and the filter keys of ``Searcher.search``.

>>> [facet.name for facet in REGISTRY if facet.shown]
['agenda', 'state', 'theme', 'org', 'report', 'doc']
>>> QUERY_NAMES["pays"], QUERY_NAMES["rapport"]
('state', 'doc')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from indexer.model import Unit


@dataclass(frozen=True)
class Facet:
    name: str                                 # filter key, Whoosh field, JSON key, CLI option --name
    values_of: Callable[[Unit], list[str]]    # a unit's values
    help: str = ""                            # the CLI option's help
    aliases: tuple[str, ...] = ()             # other names users may type before ":" (folded, lower case)
    multiple: bool = True                     # several values per unit (one per line in Whoosh)
    shown: bool = True                        # a facet users filter and count; False: a field only
    option_rank: int = 0                      # place of its option in `congres search` (most used first)

    @property
    def option(self) -> str:
        return f"--{self.name}"


#: In display order (results, ``congres facets``, JSON).
REGISTRY: tuple[Facet, ...] = (
    Facet("agenda", lambda unit: [unit.agenda] if unit.agenda else [], multiple=False, aliases=("point",),
          option_rank=3, help="Agenda item: a point of the Congress agenda (3…6 or 'point 3'), a workshop "
               "('atelier 1': the point it is held under), 'theme' (main theme), or a label. Repeat for OR."),
    Facet("state", lambda unit: unit.states + unit.observers, aliases=("etat", "pays"), option_rank=1,
          help="Speaker state (name, any case or accents, or ISO code: BRA). Repeat for OR."),
    Facet("theme", lambda unit: unit.themes, option_rank=2,
          help="Theme, e.g. cybercriminalité. Repeat for OR."),
    Facet("org", lambda unit: unit.organisations, aliases=("organisation", "organization"), option_rank=4,
          help="Organisation that made a statement. Repeat for OR."),
    Facet("report", lambda unit: [unit.report] if unit.report else [], multiple=False, aliases=("reunion",),
          option_rank=5, help="Report, by its meeting: region, city, month (e.g. Afrique). Repeat for OR."),
    Facet("doc", lambda unit: [unit.doc], multiple=False, aliases=("rapport",), option_rank=6,
          help="Report identifier (corpus file name). Repeat for OR."),
    # The states among a section's speakers that spoke as observers: shown as a mark on the
    # state facet's values, not filtered on.
    Facet("observer", lambda unit: unit.observers, shown=False),
)

BY_NAME = {facet.name: facet for facet in REGISTRY}
#: The facets users filter on and see counted, in display order.
FACETS = tuple(facet.name for facet in REGISTRY if facet.shown)
#: The facets in the order filters are given and listed (CLI options, API parameters): most used first.
FILTER_ORDER = tuple(f.name for f in sorted((f for f in REGISTRY if f.shown), key=lambda f: f.option_rank))
#: What users may type before ":" in a query → the facet it filters.
QUERY_NAMES = {alias: facet.name for facet in REGISTRY if facet.shown for alias in (facet.name, *facet.aliases)}
