"""``python -m bench.extraction_docx [--runs 7]``: how fast a Word report becomes report text.

Writes both Word versions of the bundled report (typed numbers; automatic numbering) with the
test fixtures' generator, then times ``indexer.formats.docx.read`` on each (open the package,
count the numbering, lay out the text), the whole per-report step ``report_units`` (reading
and parsing), and, as the reference point, ``report_units`` on the ``.txt``. Medians of
``--runs`` runs; Word paragraphs per second and the ratio to the ``.txt``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "indexer" / "data" / "corpus" / "san-jose-2025.txt"
SYMBOL = "A/CONF.241/RPM.2/1"


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import docx

    from indexer.formats.docx import read
    from indexer.report_units import report_units
    from tests.fixtures.un_docx import variants_of

    with tempfile.TemporaryDirectory() as folder:
        paths = variants_of(REPORT, Path(folder), SYMBOL)
        report_units(REPORT)  # warm caches (taxonomy, gazetteer) for every row alike
        txt = median_seconds(lambda: report_units(REPORT), args.runs)
        print(f"{'file':<28}{'Word paragraphs':>16}{'read (ms)':>11}{'paragraphs/s':>14}{'units (ms)':>12}"
              f"{'× .txt':>8}")
        print(f"{'san-jose-2025.txt':<28}{'':>16}{'':>11}{'':>14}{txt * 1000:>12.1f}{1:>8.1f}")
        for variant, path in paths.items():
            paragraphs = len(docx.Document(str(path)).paragraphs)
            reading = median_seconds(lambda: read(path), args.runs)
            units = median_seconds(lambda: report_units(path), args.runs)
            print(f"{variant + ' .docx':<28}{paragraphs:>16}{reading * 1000:>11.1f}{paragraphs / reading:>14.0f}"
                  f"{units * 1000:>12.1f}{units / txt:>8.1f}")
    print(f"median of {args.runs} runs each")


if __name__ == "__main__":
    main()
