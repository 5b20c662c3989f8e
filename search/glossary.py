"""English queries: a bilingual glossary (``data/glossary_en_fr.tsv``) turns them into the report's French.

>>> translation = GLOSSARY.translate("money laundering", lambda word: False, lambda word: False)
>>> translation.text, translation.pairs[0][0]
('("blanchiment d\\'argent")', 'money laundering')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from indexer.analysis import analyze
from indexer.datafiles import read_tsv, values

_ENGLISH_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
#: English function words: they need no translation and do not make a query French.
ENGLISH_STOP_WORDS = frozenset(
    "a an the of in on at to for with by from and or about into over under is are was were be been does do did "
    "what which who whom whose how why when where there their its it this that these those as than not no "
    "should can could would will may might must has have had any all some more most against between "
    # the verbs that frame a question ("what did Mexico say?", "which states spoke about …?")
    "say says said speak speaks spoke spoken talk talks talked mention mentions mentioned discuss discusses "
    "discussed tell told raise raised address addressed".split()
)


@dataclass
class Translation:
    text: str                          # the query, with each English expression replaced by its French
    pairs: list[tuple[str, list[str]]]  # (English expression, French expressions)


class Glossary:
    def __init__(self, entries: dict[str, list[str]]):
        self.entries = entries
        self.longest = max((len(k.split()) for k in entries), default=0)

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]]) -> Glossary:
        """From the rows of ``glossary_en_fr.tsv`` (english, french: expressions separated by ``|``)."""
        entries = {}
        for row in rows:
            alternatives = values(row["french"])
            if alternatives:
                entries[" ".join(row["english"].lower().split())] = alternatives
        return cls(entries)

    def translate(self, query: str, is_french: Callable[[str], bool],
                  knows: Callable[[str], bool]) -> Translation | None:
        """The French for an English query, or None when the query is not English.

        A query is English when glossary expressions cover its words (English function
        words, numbers and capitalised names aside, which are kept as they are) and
        something in it is foreign to the French text: an English function word ("of"),
        a single word whose stem the text does not know ("firearms"; but "prison" finds
        "prisons" as it is), or an expression that is not French as it stands ("legal
        aid", "crime prevention").
        """
        if not query.isascii() or any(ch in query for ch in '"():*'):
            return None
        words = _ENGLISH_WORD.findall(query)
        pieces, pairs, i, foreign = [], [], 0, False
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                phrase = " ".join(words[i:i + size]).lower()
                french = self.entries.get(phrase) or self.entries.get(_singular(phrase))
                if french:
                    pairs.append((phrase, french))
                    pieces.append("(" + " OR ".join(f'"{f}"' for f in french) + ")")
                    if size == 1:
                        foreign |= not knows(phrase)
                    else:
                        foreign |= any(not is_french(w) for w in words[i:i + size]) or not _is_french_order(
                            phrase, french)
                    i += size
                    break
            else:
                word = words[i]
                if word.lower() in ENGLISH_STOP_WORDS:
                    foreign |= not is_french(word)
                elif word.isdigit() or word[0].isupper():
                    pieces.append(word)  # "2030", "Brazil": kept
                else:
                    return None  # a word the glossary does not know: not (only) English
                i += 1
        # Names alone ("what did Mexico say?") are English too once the function words are left out.
        return Translation(" ".join(pieces), pairs) if (pairs or pieces) and foreign else None


def _is_french_order(phrase: str, french: list[str]) -> bool:
    """True when the English expression is itself one of its French translations."""
    return any(analyze(phrase) == analyze(f) for f in french)


def _singular(phrase: str) -> str:
    return re.sub(r"(?<=[a-z]{3})s\b", "", phrase)


GLOSSARY = Glossary.from_rows(read_tsv("search", "glossary_en_fr.tsv"))
