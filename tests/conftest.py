"""Shared fixtures: the real corpus indexed once into a temporary folder.

No test writes into the project's index/: CONGRES_INDEX points every test at
a temporary folder, and the session checks at the end that index/ is untouched.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from indexer.build import build_index, load_units
from search import Searcher
from search.engines import ENGINES

# Hypothesis profiles. `quick` (the default) keeps `pytest` short; `ci` (HYPOTHESIS_PROFILE=ci, as .ci/run
# sets it) runs the full counts the README reports. Tests size their loops with stress(ci=..., quick=...).
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
IN_CI_PROFILE = PROFILE == "ci"
settings.register_profile("quick", max_examples=50, deadline=None, database=None)
settings.register_profile("ci", deadline=None, database=None)
settings.load_profile(PROFILE)


def stress(ci, quick):
    """A figure for the running profile: ``ci`` under the ci profile, ``quick`` otherwise (examples, workers…)."""
    return ci if IN_CI_PROFILE else quick


ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "indexer" / "data" / "corpus"  # the bundled report, shipped as package data
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_INDEX = ROOT / "index"


@pytest.fixture(scope="session", autouse=True)
def own_signing_key(tmp_path_factory):
    """The key that signs the indexes the tests build (indexer.trust), not the user's own."""
    os.environ["CONGRES_KEY_FILE"] = str(tmp_path_factory.mktemp("key") / "index.key")
    yield
    os.environ.pop("CONGRES_KEY_FILE", None)


@pytest.fixture(scope="session", autouse=True)
def real_index_untouched():
    before = sorted(p.name for p in REAL_INDEX.iterdir()) if REAL_INDEX.is_dir() else []
    yield
    after = sorted(p.name for p in REAL_INDEX.iterdir()) if REAL_INDEX.is_dir() else []
    assert after == before, "a test wrote into the project's index/"


@pytest.fixture(autouse=True)
def isolated_paths(monkeypatch, tmp_path):
    """Any index a test opens without saying where goes to its own temporary folder."""
    monkeypatch.setenv("CONGRES_INDEX", str(tmp_path / "default-index"))
    monkeypatch.delenv("CONGRES_CORPUS", raising=False)
    monkeypatch.delenv("CONGRES_ENGINE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="session")
def corpus_units():
    """Units of the bundled corpus, by id (the San José report)."""
    return {unit.id: unit for unit in load_units(CORPUS)}


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(CORPUS, folder)
    return folder


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    """Each local engine in turn (the arrays engine forced on the small index too)."""
    return request.param


@pytest.fixture(scope="session")
def searcher(index_dir, engine):
    with Searcher(index_dir, CORPUS, engine=engine) as searcher:
        yield searcher


@pytest.fixture(scope="session")
def default_searcher(index_dir):
    """The bundled index with the engine it chooses itself (what `congres` and `congres serve` open)."""
    with Searcher(index_dir, CORPUS) as searcher:
        yield searcher


@pytest.fixture
def index_copy(index_dir, tmp_path) -> Path:
    """A private copy of the built index, for tests that change it."""
    copy = tmp_path / "index-copy"
    shutil.copytree(index_dir, copy)
    return copy


def two_report_corpus(folder: Path) -> Path:
    """The bundled report and the second report of the series (doc ``beyrouth-2025``), in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "san-jose-2025.txt", folder)
    shutil.copy(FIXTURES / "second_report.txt", folder / "beyrouth-2025.txt")
    return folder


@contextmanager
def parallel_build(segment_units: int):
    """Builds as a large corpus gets them: reports parsed by a pool, two processes writing
    segments of at most ``segment_units`` units."""
    from indexer import build

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "PARALLEL_FROM", 1)
        patch.setattr(build, "SEGMENT_UNITS", segment_units)
        patch.setattr(build, "_worker_count", lambda units, tasks=None: 2)
        yield


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]
