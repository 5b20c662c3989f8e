"""``python -m bench.load [--sizes 1 100] [--seconds 30] [--clients 16]``: `congres serve` under load.

For each size K (K copies of the bundled report, as ``bench.perf`` makes them), the index is
built, then:

- the in-process ``Searcher`` answers the query mix in a loop for ``--seconds`` (one thread, in a
  process of its own): its own throughput, the ceiling for one server process;
- ``python -m search serve`` runs as a separate process on a free loopback port, and
  ``--clients`` threads (one keep-alive ``httpx.Client`` each, in this process) send
  ``GET /api/search`` with the same mix for ``--seconds``: requests/s, p50/p95/p99 latency,
  errors (any answer but 200, or a failed request); then, for a third of that time, the same
  clients fetch a small static file, the floor of the HTTP stack (server and clients) here.

The mix is ``bench.perf``'s: four queries × three filter sets (none, a state, a state and an
agenda item), top 10 with the counts of every facet. Only loopback is ever addressed, and the
run stops by itself.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.perf.__main__ import ROOT, synthetic_corpus  # the corpus generator of the perf benchmark
from bench.perf.worker import FILTERS, QUERIES

MIX = [(query, filters) for query in QUERIES for filters in FILTERS]


def _params(query: str, filters: dict) -> list[tuple[str, str]]:
    return [("q", query), *((name, value) for name, values in filters.items() for value in values)]


def in_process(index: str, corpus: str, seconds: str) -> dict:
    """Searches per second of one thread calling ``Searcher.search`` on the mix."""
    from search import Searcher

    with Searcher(index, corpus, auto_build=False) as searcher:
        for query, filters in MIX:  # warm-up
            searcher.search(query, filters=filters, limit=10)
        done, deadline = 0, time.perf_counter() + float(seconds)
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            query, filters = MIX[done % len(MIX)]
            searcher.search(query, filters=filters, limit=10)
            done += 1
        return {"searches_per_s": done / (time.perf_counter() - start), "searches": done}


def _start_server(index: Path, corpus: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "search", "serve", "--port", "0", "--index", str(index),
                               "--corpus", str(corpus)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    match = re.match(r"Serving the search at (http://127\.0\.0\.1:\d+/)", line)
    if not match:
        server.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return server, match[1]


SEARCHES = [("api/search", _params(query, filters)) for query, filters in MIX]
#: The floor of the HTTP stack on this machine (server and clients): a static file from memory.
FLOOR = [("static/favicon.svg", [])]


def over_http(url: str, seconds: float, clients: int, requests=SEARCHES) -> dict:
    """``clients`` threads sending ``requests`` (path, parameters) in turn for ``seconds``."""
    import httpx

    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    with httpx.Client(base_url=url) as warm:
        for path, params in requests:
            warm.get(path, params=params).raise_for_status()
    start = time.perf_counter()
    deadline = start + seconds

    def client(number: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            sent = number  # each client starts at another point of the mix
            while time.perf_counter() < deadline:
                path, params = requests[sent % len(requests)]
                sent += 1
                began = time.perf_counter()
                try:
                    ok = http.get(path, params=params).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[number].append(time.perf_counter() - began)
                errors[number] += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    samples = sorted(ms * 1000 for times in latencies for ms in times)

    def pct(p: float) -> float:
        return samples[min(len(samples) - 1, int(p * len(samples)))]

    return {"requests": len(samples), "requests_per_s": len(samples) / elapsed, "p50_ms": statistics.median(samples),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99), "errors": sum(errors)}


def measure(size: int, seconds: float, clients: int, tmp: Path) -> dict:
    corpus = synthetic_corpus(tmp / f"corpus-{size}", size)
    index = tmp / f"index-{size}"
    subprocess.run([sys.executable, "-m", "search", "index", "--corpus", str(corpus), "--index", str(index)],
                   cwd=ROOT, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "bench.load", "--in-process", str(index), str(corpus), str(seconds)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    own = json.loads(done.stdout.strip().splitlines()[-1])
    server, url = _start_server(index, corpus)
    try:
        http = over_http(url, seconds, clients)
        floor = over_http(url, max(5.0, seconds / 3), clients, FLOOR)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    units = 161 * size
    return {"size": size, "units": units, **http, "in_process_per_s": own["searches_per_s"],
            "ratio": http["requests_per_s"] / own["searches_per_s"], "floor_per_s": floor["requests_per_s"],
            "floor_errors": floor["errors"], "server_exit": server.returncode}


def table(rows: list[dict], seconds: float, clients: int) -> str:
    lines = [f"Run {datetime.date.today().isoformat()}: {clients} clients for {seconds:g} s per size, "
             f"`GET /api/search` on the mix of {len(MIX)} searches.", "",
             "| K | units | requests/s | p50 ms | p95 ms | p99 ms | errors | in-process searches/s | ratio | "
             "static file requests/s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size']} | {r['units']:,} | {r['requests_per_s']:.0f} | {r['p50_ms']:.1f} | "
                     f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {r['in_process_per_s']:.0f} | "
                     f"{r['ratio']:.2f} | {r['floor_per_s']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--in-process":
        print(json.dumps(in_process(*sys.argv[2:5])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 100])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows.append(measure(size, args.seconds, args.clients, Path(tmp)))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(table(rows, args.seconds, args.clients))
    if any(r["errors"] or r["floor_errors"] for r in rows):
        raise SystemExit("errors under load")


if __name__ == "__main__":
    main()
