"""Default index and corpus folders: in a source checkout, installed as a package, moved by variables."""

import os
import subprocess
import sys

import platformdirs
import pytest

from search import locations
from tests.conftest import CORPUS, ROOT


@pytest.fixture
def no_variables(monkeypatch):
    monkeypatch.delenv(locations.INDEX_ENV, raising=False)
    monkeypatch.delenv(locations.CORPUS_ENV, raising=False)


@pytest.fixture
def installed(monkeypatch, tmp_path, no_variables):
    """The packages as pip lays them out: in site-packages, with no pyproject.toml beside them."""
    site_packages = tmp_path / "venv" / "lib" / "site-packages"
    (site_packages / "search").mkdir(parents=True)
    monkeypatch.setattr(locations, "PROJECT_ROOT", site_packages)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return site_packages


def test_a_checkout_keeps_its_index_in_the_project(no_variables):
    assert locations.is_source_checkout()
    assert locations.default_index_dir() == ROOT / "index"


def test_an_installed_copy_keeps_its_index_in_the_user_data_folder(installed, tmp_path):
    assert not locations.is_source_checkout()
    index = locations.default_index_dir()
    assert index == platformdirs.user_data_path("congres", appauthor=False) / "index"
    assert installed not in index.parents
    if sys.platform.startswith("linux"):
        assert index == tmp_path / "data" / "congres" / "index"


def test_another_projects_pyproject_does_not_make_a_checkout(installed):
    (installed / "pyproject.toml").write_text('[project]\nname = "autre-projet"\n', "utf-8")
    assert not locations.is_source_checkout()
    (installed / "pyproject.toml").write_bytes(b"\xff\xfe binary")
    assert not locations.is_source_checkout()


@pytest.mark.parametrize("layout", ["checkout", "installed"])
def test_the_index_variable_wins(request, monkeypatch, tmp_path, layout):
    if layout == "installed":
        request.getfixturevalue("installed")
    monkeypatch.setenv(locations.INDEX_ENV, str(tmp_path / "ailleurs"))
    assert locations.default_index_dir() == tmp_path / "ailleurs"


def test_an_empty_variable_counts_as_unset(monkeypatch, no_variables):
    monkeypatch.setenv(locations.INDEX_ENV, "")
    monkeypatch.setenv(locations.CORPUS_ENV, "")
    assert locations.default_index_dir() == ROOT / "index"
    assert locations.default_corpus_dir() == CORPUS


@pytest.mark.parametrize("layout", ["checkout", "installed"])
def test_the_corpus_is_the_bundled_package_data(request, layout, no_variables):
    if layout == "installed":
        request.getfixturevalue("installed")
    corpus = locations.default_corpus_dir()
    assert corpus == CORPUS == ROOT / "indexer" / "data" / "corpus"
    assert [p.name for p in corpus.glob("*.txt")] == ["san-jose-2025.txt"]


def test_the_corpus_variable_wins(monkeypatch, tmp_path):
    monkeypatch.setenv(locations.CORPUS_ENV, str(tmp_path / "rapports"))
    assert locations.default_corpus_dir() == tmp_path / "rapports"


def test_a_checkout_does_not_import_platformdirs():
    """Cold start of `congres search` matters: only an installed copy pays for the import."""
    env = {k: v for k, v in os.environ.items() if k not in (locations.INDEX_ENV, locations.CORPUS_ENV)}
    env["PYTHONPATH"] = str(ROOT)
    code = ("import sys; from search.locations import default_index_dir, default_corpus_dir; "
            "default_index_dir(); default_corpus_dir(); print('platformdirs' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
