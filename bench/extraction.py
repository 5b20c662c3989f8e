"""``python -m bench.extraction [--runs 5]``: how fast, and how right, each candidate reads a report file.

PDF: the two reports of the series are laid out as UN-style PDFs (tests/fixtures/un_pdf.py);
each candidate library hands its characters to the same layout reader
(``indexer.formats.pdf.assemble``). For each: pages per second (median of the runs, the
characters alone and the whole read), whether the units are the ``.txt``'s word for word,
and how many line-end hyphens it resolved as printed. One function per format, so that
another format's half sits beside it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = (ROOT / "indexer" / "data" / "corpus" / "san-jose-2025.txt", ROOT / "tests" / "fixtures" / "second_report.txt")


def _median_seconds(task, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pdf_extraction(runs: int = 5) -> list[dict]:
    """One row per candidate library: pages/s (characters only, whole read), units and hyphens right."""
    sys.path.insert(0, str(ROOT))
    from indexer.formats import pdf
    from indexer.parse import parse_report
    from tests.fixtures.un_pdf import build_un_pdf

    candidates = {"pypdfium2": pdf._pdfium_pages, "pdfplumber": pdf._pdfplumber_pages}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for txt in REPORTS:
            out = Path(folder) / f"{txt.stem}.pdf"
            files.append((txt, out, build_un_pdf(txt, out)))
        pages = sum(layout.pages for _, _, layout in files)
        for name, chars_of in candidates.items():
            chars_s = _median_seconds(lambda: [chars_of(out) for _, out, _ in files], runs)
            read_s = _median_seconds(lambda: [pdf.assemble(chars_of(out), out) for _, out, _ in files], runs)
            units_right = units_total = hyphens_right = hyphens_total = 0
            for txt, out, layout in files:
                document = pdf.assemble(chars_of(out), out)
                expected = parse_report(txt.read_text(encoding="utf-8").replace("\u00a0", " "), "d")
                got = parse_report(document.text, "d")
                units_total += len(expected)
                units_right += sum((a.id, a.text, a.headings, a.subheading) == (b.id, b.text, b.headings, b.subheading)
                                   for a, b in zip(expected, got))
                for head, tail, kind, _ in layout.hyphenations:
                    hyphens_total += 1
                    hyphens_right += (head[:-1] + tail if kind == "soft" else head + tail) in document.text
            rows.append({"library": name, "pages": pages, "chars_pages_per_s": pages / chars_s,
                         "read_pages_per_s": pages / read_s, "units": f"{units_right}/{units_total}",
                         "hyphens": f"{hyphens_right}/{hyphens_total}"})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rows = pdf_extraction(args.runs)
    print(f"PDF, {rows[0]['pages']} pages, median of {args.runs} runs")
    print("| library | characters, pages/s | whole read, pages/s | units as the .txt | line-end hyphens |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['library']} | {row['chars_pages_per_s']:.0f} | {row['read_pages_per_s']:.0f} | "
              f"{row['units']} | {row['hyphens']} |")
    fastest, other = sorted(rows, key=lambda r: -r["read_pages_per_s"])
    print(f"{fastest['library']} reads {fastest['read_pages_per_s'] / other['read_pages_per_s']:.1f}× "
          f"as many pages per second as {other['library']}")


if __name__ == "__main__":
    main()
