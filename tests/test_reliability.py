"""Reliability: hostile input everywhere, index integrity, concurrent use.

The figures in the README's "Reliability" section come from these tests under the ci
profile (HYPOTHESIS_PROFILE=ci, as .ci/run runs them): EXAMPLES hostile queries through the
API and through the CLI, WORKERS processes × QUERIES_PER_WORKER queries across REBUILDS
rebuilds. The default (quick) profile runs the same checks with smaller counts.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import build_index
from indexer.store import current_generation
from indexer.errors import IndexUnavailableError, UnknownFacetValueError
from search import Searcher
from search.cli import cli
from tests.conftest import CORPUS, FIXTURES, ROOT, stress

EXAMPLES = stress(ci=2000, quick=50)
WORKERS, QUERIES_PER_WORKER, REBUILDS = stress(ci=4, quick=2), stress(ci=200, quick=60), stress(ci=3, quick=2)
REBUILD_PAUSE = stress(ci=0.8, quick=0.4)  # seconds of searching before each rebuild

# --- hostile input ---------------------------------------------------------------

SYNTAX = ['"', "(", ")", "*", "?", ":", "-", "OR", "AND", "NOT", "state:", "theme:", "agenda:", "\\", "^", "~",
          "[", "]", "{", "}", "'", "’", "«", "»", "\x00", "\t", "\n", "\r", "\u200b", "\u202e", "\ufeff"]
WORDS = ["traite", "personnes", "armes", "feu", "criminalité", "criminalite", "Brésil", "BRA", "l'État", "qu’il",
         "la", "des", "à", "🚀", "שלום", "مرحبا", "漢字", "é" * 30, "x" * 300]

hostile_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=200),  # any code point, surrogates included
    st.lists(st.sampled_from(SYNTAX + WORDS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(SYNTAX + WORDS), max_size=40).map("".join),
    st.builds(lambda piece, n: (piece * n)[:10_000], st.sampled_from(SYNTAX + WORDS + ["mot "]),
              st.integers(1, 10_000)),
)

hostile = settings(max_examples=EXAMPLES,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@hostile
@given(query=hostile_text, state=st.one_of(st.none(), hostile_text))
def test_api_answers_any_query_or_raises_only_its_own_error(searcher, query, state):
    try:
        results = searcher.search(query, filters={"state": [state]} if state is not None else None)
    except UnknownFacetValueError as error:  # from --state or from a state:/theme:… in the query
        assert str(error).startswith("unknown ")
        return
    assert len(results.hits) == min(10, results.total)
    assert sum(row.count for row in results.facets["doc"]) == results.total  # counts agree with the hits
    json.dumps(results.to_dict(), ensure_ascii=False).encode("utf-8")  # printable as UTF-8


@settings(hostile, max_examples=EXAMPLES // 2)  # per engine: the engines' answers are the API test's
@given(query=hostile_text)
def test_cli_answers_any_query_with_results_or_one_line(index_dir, engine, query):
    result = CliRunner().invoke(cli, ["search", "--index", str(index_dir), "--corpus", str(CORPUS),
                                      "--engine", engine, "--", query])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert " result" in result.stdout.splitlines()[0]
    else:
        assert result.exit_code in (1, 2) and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, code, message", [
    (["search", "x", "--state", "Bresill"], 2, "did you mean Brésil?"),
    (["search", "x", "--theme", "zzz"], 2, "unknown theme 'zzz'"),
    (["search", "x", "--limit", "0"], 2, "'--limit': 0 is not in the range 1<=x<=10000"),
    (["search", "x", "--limit", "99999999999999999999"], 2, "Invalid value for '--limit'"),
    (["search", "x", "--page", "-5"], 2, "Invalid value for '--page'"),
    (["show", "0"], 1, "no unit '0'"),
    (["show", "37zz"], 1, "is not a unit id"),
])
def test_absurd_options_get_one_clear_line(index_dir, args, code, message):
    result = CliRunner().invoke(cli, [*args, "--index", str(index_dir), "--corpus", str(CORPUS)])
    assert result.exit_code == code
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_index_option_pointing_at_a_folder_that_is_not_an_index(tmp_path):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "notes.txt").write_text("mes notes")
    result = CliRunner().invoke(cli, ["search", "crime", "--index", str(documents), "--corpus", str(CORPUS)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {documents} is not an index folder — pass another --index"
    assert sorted(p.name for p in documents.iterdir()) == ["notes.txt"]


def test_index_option_pointing_at_a_missing_folder_builds_there(tmp_path):
    result = CliRunner().invoke(cli, ["search", "crime", "--index", str(tmp_path / "a" / "b"), "--corpus", str(CORPUS)])
    assert result.exit_code == 0 and current_generation(tmp_path / "a" / "b") is not None


# --- index integrity ---------------------------------------------------------------

QUERIES = ["traite des personnes", "criminalite", '"armes à feu"', "captagon", "", "cyber*", "justice -pénale"]


def answers(searcher: Searcher) -> dict:
    """What users see for QUERIES: totals, ranked ids and agenda counts."""
    result = {}
    for query in QUERIES:
        r = searcher.search(query, limit=20)
        result[query] = [r.total, [f"{h.doc}:{h.id}" for h in r.hits], [(f.value, f.count) for f in r.facets["agenda"]]]
    return result


def corpus_with(tmp_path: Path, name: str, *reports: Path, copies: int = 1) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for report in reports:
        for i in range(copies):
            shutil.copy(report, folder / (f"{report.stem}-{i}.txt" if copies > 1 else report.name))
    return folder


@pytest.mark.slow
def test_a_killed_build_leaves_the_previous_index_answering(tmp_path):
    small = corpus_with(tmp_path, "small", CORPUS / "san-jose-2025.txt")
    big = corpus_with(tmp_path, "big", CORPUS / "san-jose-2025.txt", copies=12)
    ix = tmp_path / "ix"
    build_index(small, ix)
    with Searcher(ix, small) as searcher:
        before = answers(searcher)
    build = subprocess.Popen([sys.executable, "-m", "search", "index", "--corpus", str(big), "--index", str(ix)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(ix.glob(".building-*")) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert build.returncode == -signal.SIGKILL
    assert list(ix.glob(".building-*")), "the build finished before it could be killed"
    with Searcher(ix, small, auto_build=False) as searcher:
        assert answers(searcher) == before
    build_index(small, ix)
    assert not list(ix.glob(".building-*"))


@pytest.mark.parametrize("damage", ["segments", "toc", "manifest-missing"])
def test_a_damaged_index_is_reported_then_repaired_by_congres_index(index_copy, damage):
    generation = current_generation(index_copy)
    if damage == "segments":
        for path in generation.glob("*.seg"):
            path.write_bytes(path.read_bytes()[:100])
    elif damage == "toc":
        for path in generation.glob("*.toc"):
            path.write_bytes(b"")
    else:
        (generation / "congres.json").unlink()
    env = {"CONGRES_INDEX": str(index_copy), "CONGRES_CORPUS": str(CORPUS)}
    runner = CliRunner()
    if damage == "manifest-missing":  # unknown provenance: rebuilt on the next search
        result = runner.invoke(cli, ["search", "extradition"], env=env)
        assert result.exit_code == 0 and "Built the index" in result.stderr
        return
    result = runner.invoke(cli, ["search", "extradition"], env=env)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: the index in {index_copy} is damaged (" +
                                     result.stderr.split("damaged (")[1].split(")")[0] +
                                     ") — rebuild it with `congres index`")
    assert runner.invoke(cli, ["index"], env=env).exit_code == 0
    result = runner.invoke(cli, ["search", "extradition"], env=env)
    assert result.exit_code == 0 and result.stdout.startswith("4 results")


@contextmanager
def read_only(folder: Path):
    """Make ``folder`` read-only for this process, root included (a read-only bind mount)."""
    if os.geteuid() != 0:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield
        finally:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode == 0
    if not mounted or subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)],
                                     capture_output=True).returncode != 0:
        if mounted:
            subprocess.run(["umount", str(folder)])
        pytest.skip("cannot make a read-only folder for root here (no mount permission)")
    try:
        yield
    finally:
        if subprocess.run(["umount", str(folder)]).returncode != 0:  # busy: detach it, then fail
            subprocess.run(["umount", "-l", str(folder)])
            raise AssertionError(f"{folder} was still in use: a file of the index was left open")


def test_a_read_only_index_can_be_searched_but_not_rebuilt(tmp_path):
    corpus = corpus_with(tmp_path, "corpus", CORPUS / "san-jose-2025.txt")
    ix = tmp_path / "ix"
    build_index(corpus, ix)
    with read_only(ix):
        with Searcher(ix, corpus) as searcher:
            assert searcher.search("extradition").total == 4
        with pytest.raises(IndexUnavailableError, match="cannot build in .*: read-only file system|permission denied"):
            build_index(corpus, ix)
        result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(ix)])
        assert result.exit_code == 1 and result.stderr.startswith(f"Error: cannot build in {ix}")
        (corpus / "san-jose-2025.txt").write_text((CORPUS / "san-jose-2025.txt").read_text() + "\n")
        result = CliRunner().invoke(cli, ["search", "extradition", "--corpus", str(corpus), "--index", str(ix)])
        assert result.exit_code == 0
        assert result.stderr.startswith("Warning: the index is out of date and was not rebuilt")


# --- concurrency ---------------------------------------------------------------------

def _search_worker(ix: str, corpus: str, out: str, start) -> None:
    """Run QUERIES_PER_WORKER queries with one Searcher; record each answer or failure."""
    records = []
    start.wait()
    with Searcher(ix, corpus, auto_build=False) as searcher:
        for i in range(QUERIES_PER_WORKER):
            query = QUERIES[i % len(QUERIES)]
            try:
                r = searcher.search(query, limit=20)
                records.append([query, [r.total, [f"{h.doc}:{h.id}" for h in r.hits],
                                        [(f.value, f.count) for f in r.facets["agenda"]]]])
            except Exception as error:  # noqa: BLE001 - any failure is what we count
                records.append([query, f"{type(error).__name__}: {error}"])
            time.sleep(0.02)
    Path(out).write_text(json.dumps(records))


@pytest.mark.slow
def test_searching_while_rebuilding_never_fails_and_never_mixes_indexes(tmp_path):
    old = corpus_with(tmp_path, "old", CORPUS / "san-jose-2025.txt")
    new = corpus_with(tmp_path, "new", CORPUS / "san-jose-2025.txt", FIXTURES / "second_report.txt")
    expected = {}
    for name, corpus in (("old", old), ("new", new)):
        build_index(corpus, tmp_path / f"ix-{name}")
        with Searcher(tmp_path / f"ix-{name}", corpus) as searcher:
            expected[name] = json.loads(json.dumps(answers(searcher)))
    ix = tmp_path / "ix"
    build_index(old, ix)
    context = multiprocessing.get_context("fork")
    start = context.Event()
    outputs = [tmp_path / f"worker-{i}.json" for i in range(WORKERS)]
    workers = [context.Process(target=_search_worker, args=(str(ix), str(old), str(out), start)) for out in outputs]
    for worker in workers:
        worker.start()
    start.set()
    for corpus in [new, old, new][:REBUILDS]:
        time.sleep(REBUILD_PAUSE)
        build_index(corpus, ix)
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    records = [record for out in outputs for record in json.loads(out.read_text())]
    assert len(records) == WORKERS * QUERIES_PER_WORKER
    failures = [r for r in records if isinstance(r[1], str)]
    assert failures == []
    sources = []
    for query, answer in records:
        assert answer in (expected["old"][query], expected["new"][query]), query
        if expected["old"][query] != expected["new"][query]:
            sources.append("old" if answer == expected["old"][query] else "new")
    assert {"old", "new"} <= set(sources), "the rebuilds happened outside the searches"


@pytest.mark.slow
def test_two_builds_at_once_wait_for_each_other(tmp_path):
    corpus = corpus_with(tmp_path, "corpus", CORPUS / "san-jose-2025.txt", FIXTURES / "second_report.txt")
    ix = tmp_path / "ix"
    command = [sys.executable, "-m", "search", "index", "--corpus", str(corpus), "--index", str(ix)]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [build.communicate(timeout=300) for build in builds]
    assert [build.returncode for build in builds] == [0, 0]
    assert all("Indexed 2 reports" in out for out, _ in results)
    assert not list(ix.glob(".building-*"))
    assert len(list(ix.glob("gen-*"))) == 2
    with Searcher(ix, corpus, auto_build=False) as searcher:
        assert searcher.search("", limit=1).total == 161 + 62


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder; permission bits cannot hide one from it")
def test_an_unreadable_index_gives_one_clear_line(index_copy):
    index_copy.chmod(0)
    try:
        result = CliRunner().invoke(cli, ["search", "crime", "--index", str(index_copy), "--corpus", str(CORPUS)])
    finally:
        index_copy.chmod(0o755)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot read the index in")


def test_ctrl_c_during_a_parallel_build_is_one_line_and_leaves_the_previous_index(tmp_path):
    small = corpus_with(tmp_path, "small", CORPUS / "san-jose-2025.txt")
    big = corpus_with(tmp_path, "big", CORPUS / "san-jose-2025.txt", copies=40)  # parsed and written in parallel
    ix = tmp_path / "ix"
    build_index(small, ix)
    with Searcher(ix, small) as searcher:
        before = answers(searcher)
    build = subprocess.Popen([sys.executable, "-m", "search", "index", "--corpus", str(big), "--index", str(ix)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # its own process group, as a terminal's job
    deadline = time.monotonic() + 120
    while not list(ix.glob(".building-*")) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # the children are writing segments
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C sends: the whole group
    _, err = build.communicate(timeout=120)
    assert build.returncode == 130
    assert err == "Error: interrupted — an index being built was left as it was before\n"
    assert not list(ix.glob(".building-*"))
    with Searcher(ix, small, auto_build=False) as searcher:
        assert answers(searcher) == before
