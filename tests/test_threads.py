"""One Searcher shared by threads, as a web server uses it, while another process rebuilds the index.

Every answer must be exactly the single-threaded answer of the generation that served it
(results name it), and nothing but results may come out: no exception, no mixed answer.
The corpus alternates between two versions (without and with a second report), so that an
answer mixing two generations, or a stale one, differs from both references.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from indexer.build import build_index
from search import Searcher
from tests.conftest import CORPUS, FIXTURES, IN_CI_PROFILE, ROOT, stress

THREADS, REBUILDS = 8, 3  # REBUILDS odd: the last build is version B, whose answers are taken at the end
QUERIES = ["traite des personnes", "criminalité organisée", "armes à feu", "corruption", "cybercriminalité",
           "justice réparatrice", "recouvrement d'avoirs", "extradition", "que recommande-t-on sur la corruption ?",
           "victimes -enfants", '"coopération internationale"', "trafficking in persons"]
FILTERS = [{}, {"state": ["Brésil"]}, {"agenda": ["5"]}, {"state": ["Mexique", "Pérou"], "theme": ["corruption"]}]
MIX = [(query, filters) for query in QUERIES for filters in FILTERS]
SECOND_REPORT = "beyrouth-2025.txt"

#: Rebuilds REBUILDS times, alternating the second report in and out; prints each generation's version.
REBUILDER = """
import shutil, sys
from pathlib import Path
from indexer.build import build_index
from indexer.store import Generation
corpus, index, second, rebuilds = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
for i in range(rebuilds):
    with_second = i % 2 == 0
    target = corpus / second.name
    if with_second:
        shutil.copy(second, target)
    else:
        target.unlink()
    build_index(corpus, index)
    print(Generation.current(index).name, "B" if with_second else "A", flush=True)
"""


def answer(searcher: Searcher, query: str, filters: dict) -> tuple[str, dict]:
    data = searcher.search(query, filters=filters, limit=10).to_dict()
    return data.pop("generation"), data


def share_during_rebuilds(index: Path, corpus: Path, engine: str, wanted: int) -> None:
    """``wanted``: searches per thread, at least (the threads go on until the rebuilds are done)."""
    with Searcher(index, corpus, auto_build=False, engine=engine) as searcher:
        assert searcher.engine == engine
        first = searcher.generation
        expected = {"A": [answer(searcher, q, f)[1] for q, f in MIX]}
        served: list[list[tuple[int, str, dict]]] = [[] for _ in range(THREADS)]
        errors: list[BaseException] = []
        rebuilder = subprocess.Popen(
            [sys.executable, "-c", REBUILDER, str(corpus), str(index), str(FIXTURES / "second_report.txt"),
             str(REBUILDS)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})

        def work(thread: int) -> None:
            done = 0
            try:
                while done < wanted or (rebuilder.poll() is None and done < 20 * wanted):
                    query, filters = MIX[(thread * 7 + done) % len(MIX)]
                    generation, data = answer(searcher, query, filters)
                    served[thread].append(((thread * 7 + done) % len(MIX), generation, data))
                    done += 1
            except BaseException as error:  # any exception at all is a failure
                errors.append(error)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        out, err = rebuilder.communicate(timeout=600)
        assert rebuilder.returncode == 0, err
        version = {first: "A", **dict(line.split() for line in out.splitlines())}
        # The last rebuild left version B in place: its single-threaded answers, from the same searcher.
        last = [answer(searcher, q, f) for q, f in MIX]
        assert {generation for generation, _ in last} == {list(version)[-1]} and version[list(version)[-1]] == "B"
        expected["B"] = [data for _, data in last]

    assert errors == [], f"{len(errors)} exceptions, the first: {errors[0]!r}"
    answers = [entry for per_thread in served for entry in per_thread]
    assert all(len(per_thread) >= wanted for per_thread in served)
    wrong = [(MIX[i], generation) for i, generation, data in answers if data != expected[version[generation]][i]]
    assert wrong == [], f"{len(wrong)} of {len(answers)} answers differ from their generation's, e.g. {wrong[:3]}"
    # The searches did run across the rebuilds: answers came from more than one generation.
    assert len({generation for _, generation, _ in answers}) >= 2
    # The two versions answer differently (else a mixed answer could not be seen).
    assert expected["A"] != expected["B"]


def corpus_of(folder: Path, copies: int) -> Path:
    folder.mkdir()
    text = (CORPUS / "san-jose-2025.txt").read_text("utf-8")
    if copies == 1:
        shutil.copy(CORPUS / "san-jose-2025.txt", folder)
    for i in range(copies if copies > 1 else 0):
        (folder / f"san-jose-2025-{i:03}.txt").write_text(text, "utf-8")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("engine, searches", [("whoosh", stress(ci=1000, quick=40)),
                                              ("arrays", stress(ci=200, quick=40))])  # 1,000 below
def test_threads_sharing_a_searcher_on_the_bundled_index_during_rebuilds(tmp_path, engine, searches):
    corpus = corpus_of(tmp_path / "corpus", 1)
    build_index(corpus, tmp_path / "ix")
    share_during_rebuilds(tmp_path / "ix", corpus, engine, searches)


@pytest.mark.slow
@pytest.mark.skipif(not IN_CI_PROFILE, reason="16,100 units: runs under the ci profile (HYPOTHESIS_PROFILE=ci, as .ci/run sets)")
def test_threads_sharing_a_searcher_on_a_large_index_during_rebuilds(tmp_path):
    corpus = corpus_of(tmp_path / "corpus", 100)
    build_index(corpus, tmp_path / "ix")
    share_during_rebuilds(tmp_path / "ix", corpus, "arrays", stress(ci=1000, quick=40))
