"""Acceptance 3: a two-node cluster answers through the loss of a node and through an alias swap.

The test starts its own cluster with ``deploy/opensearch/node.sh`` (built beforehand with
``node.sh build``), publishes both reports with 2 shards and 1 replica, then SIGKILLs the node
that is not the cluster manager while searches stream: once the cluster has noticed, every
search answers as before; the node comes back and the cluster is green again. A publish of
another corpus during a stream of searches gives each search wholly the old answer or wholly
the new one. Bounded: a fixed number of searches, loopback only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import httpx
import pytest

from bench.relevance.__main__ import two_report_corpus
from indexer.build import build_index
from indexer.opensearch_load import publish
from indexer.store import Generation
from search import Searcher
from tests.conftest import CORPUS, ROOT

NODE_SH = ROOT / "deploy" / "opensearch" / "node.sh"
PORT = 9250  # beside a development node on 9200
URL = f"http://127.0.0.1:{PORT}"
QUERIES = ["traite des personnes", "cybercriminalité", '"justice réparatrice"', "victimes -enfants", "corruption"]
WAIT = 90  # seconds the cluster may take to notice, recover, turn green


def _answer(searcher, query):
    results = searcher.search(query, limit=1000)
    return results.total, frozenset((h.doc, h.id) for h in results.hits), results.to_dict()["facets"]["state"]


def _health(port=PORT, **params):
    return httpx.get(f"http://127.0.0.1:{port}/_cluster/health", params=params, timeout=WAIT).json()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not (NODE_SH.parent / "target" / "classes" / "org").is_dir():
        reason = "the OpenSearch launcher is not built — run `deploy/opensearch/node.sh build`"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    env = {**os.environ, "OPENSEARCH_RUN": str(tmp_path_factory.mktemp("run"))}
    started = subprocess.run(["bash", str(NODE_SH), "start", "--nodes", "2", "--port", str(PORT)], env=env,
                             capture_output=True, text=True, timeout=WAIT * 2)
    assert started.returncode == 0, started.stderr
    try:
        yield env
    finally:
        subprocess.run(["bash", str(NODE_SH), "stop"], env=env, capture_output=True, timeout=WAIT)


def _stream(searcher, expected, stop, outcomes):
    """Search the queries in turn until ``stop``; record each answer's time and whether it was right."""
    for _ in range(5_000):  # bounded
        if stop.is_set():
            return
        for query in QUERIES:
            try:
                outcomes.append((time.monotonic(), _answer(searcher, query) == expected[query]))
            except Exception:
                outcomes.append((time.monotonic(), False))


def test_searches_survive_a_killed_node_and_the_node_comes_back(cluster, tmp_path):
    corpus = two_report_corpus(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index")
    publish(Generation.current(tmp_path / "index"), URL, shards=2, replicas=1)
    assert _health(wait_for_status="green", timeout="60s")["status"] == "green"
    with Searcher(tmp_path / "index", corpus, engine="whoosh", auto_build=False) as whoosh:
        expected = {q: _answer(whoosh, q) for q in QUERIES}
    manager = httpx.get(f"{URL}/_cat/cluster_manager?h=node", timeout=10).text.strip()
    victim = "node-2" if manager == "node-1" else "node-1"
    survivor_port = PORT if victim == "node-2" else PORT + 1
    run = cluster["OPENSEARCH_RUN"]
    with Searcher(engine="opensearch", url=f"http://127.0.0.1:{survivor_port}") as remote:
        assert {q: _answer(remote, q) for q in QUERIES} == expected
        stop, outcomes = threading.Event(), []
        stream = threading.Thread(target=_stream, args=(remote, expected, stop, outcomes))
        stream.start()
        try:
            time.sleep(1)
            os.kill(int(open(f"{run}/{victim}.pid").read()), signal.SIGKILL)
            noticed = _health(survivor_port, wait_for_nodes="1", timeout="60s")
            assert noticed["number_of_nodes"] == 1 and noticed["status"] in ("yellow", "green")
            noticed_at = time.monotonic()
            time.sleep(3)
        finally:
            stop.set()
            stream.join(WAIT)
        after = [ok for at, ok in outcomes if at > noticed_at]
        assert after and all(after), f"{after.count(False)} of {len(after)} searches differed after the loss"
        restarted = subprocess.run(["bash", str(NODE_SH), "restart-node", victim.split("-")[1]], env=cluster,
                                   capture_output=True, text=True, timeout=WAIT)
        assert restarted.returncode == 0, restarted.stderr
        healed = _health(survivor_port, wait_for_nodes="2", wait_for_status="green", timeout="90s")
        assert (healed["number_of_nodes"], healed["status"]) == (2, "green")
        assert {q: _answer(remote, q) for q in QUERIES} == expected
        print(f"{len(outcomes)} searches; {sum(1 for at, ok in outcomes if at <= noticed_at and not ok)} "
              f"failed before the cluster noticed, {after.count(False)} after")


def test_an_alias_swap_gives_each_search_the_old_or_the_new_corpus(cluster, tmp_path):
    corpora = {"both": two_report_corpus(tmp_path / "both"), "one": CORPUS}
    answers, generations = {}, {}
    for name, corpus in corpora.items():
        build_index(corpus, tmp_path / name / "index")
        generations[name] = Generation.current(tmp_path / name / "index")
        with Searcher(tmp_path / name / "index", corpus, engine="whoosh", auto_build=False) as whoosh:
            answers[name] = {q: _answer(whoosh, q) for q in QUERIES}
    assert answers["both"] != answers["one"]
    publish(generations["both"], URL, shards=2, replicas=1)
    with Searcher(engine="opensearch", url=URL) as remote:
        seen, stop = [], threading.Event()

        def stream():
            for _ in range(2_000):
                if stop.is_set():
                    return
                for query in QUERIES:
                    got = _answer(remote, query)
                    seen.append("both" if got == answers["both"][query] else
                                "one" if got == answers["one"][query] else "mixed")

        thread = threading.Thread(target=stream)
        thread.start()
        try:
            time.sleep(0.5)
            publish(generations["one"], URL, shards=2, replicas=1)
            time.sleep(1.5)
        finally:
            stop.set()
            thread.join(WAIT)
    assert "mixed" not in seen
    assert seen[0] == "both" and seen[-1] == "one"
