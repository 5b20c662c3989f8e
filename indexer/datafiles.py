"""The tab-separated data files of the packages (``indexer/data``, ``search/data``), read one way.

The rule for every file: lines starting with ``#`` are comments, blank lines are skipped,
the first other line is the header naming the columns, and every row has one field per
column. Fields are taken as written (no quoting: a ``"`` is a quote mark); a field that
holds several values separates them with ``|`` (see ``values``).

>>> rows = parse_tsv("# a comment\\nword\\tterm\\n\\ntraite\\ttraite\\n", "example.tsv")
>>> rows, values(" déclaration | Déclaration de Kyoto |")
([{'word': 'traite', 'term': 'traite'}], ['déclaration', 'Déclaration de Kyoto'])
"""

from __future__ import annotations

import csv
from importlib import resources


class DataFileError(ValueError):
    """A data file of the package that does not follow the rule: a broken installation or edit."""


def read_tsv(package: str, name: str) -> list[dict[str, str]]:
    """The rows of ``<package>/data/<name>``, as dicts keyed by the header's column names."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return parse_tsv(text, f"{package}/data/{name}")


def parse_tsv(text: str, where: str) -> list[dict[str, str]]:
    """The rows of a data file's ``text``; ``where`` names the file in errors."""
    header: list[str] | None = None
    rows = []
    reader = csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    for fields in reader:
        if not "".join(fields).strip() or fields[0].startswith("#"):
            continue
        if header is None:
            header = [name.strip() for name in fields]
            if not all(header) or len(set(header)) != len(header):
                raise DataFileError(f"{where}, line {reader.line_num}: the header needs distinct, non-empty "
                                    f"column names, tab-separated (got {fields!r})")
            continue
        if len(fields) != len(header):
            raise DataFileError(f"{where}, line {reader.line_num}: {len(fields)} field(s) where the header "
                                f"has {len(header)} ({', '.join(header)}); fields are separated by tabs")
        rows.append(dict(zip(header, fields)))
    if header is None:
        raise DataFileError(f"{where}: no header line (only comments or blank lines)")
    return rows


def values(field: str) -> list[str]:
    """The values of a field that lists several, separated by ``|``: stripped, empty ones dropped."""
    return [value.strip() for value in field.split("|") if value.strip()]
