"""The project as a user installs it: a wheel built from a clean checkout, in a fresh venv.

Slow (a venv and an install, a few seconds with a warm pip cache), so it runs in CI
(``CI=true``) or when asked (``CONGRES_PACKAGING_TEST=1``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import ROOT

QUERY = ["search", "traite des personnes", "--state", "Brésil"]
LEFTOVERS = {".git", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("CI") != "true" and os.environ.get("CONGRES_PACKAGING_TEST") != "1",
                       reason="builds a wheel and a venv: runs when CI=true or CONGRES_PACKAGING_TEST=1"),
]


def tracked_files(root: Path) -> list[str] | None:
    """The files git tracks (as they are in the work tree), or None outside a git checkout."""
    try:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return [name for name in done.stdout.decode().split("\0") if name and (root / name).is_file()]


def clean_copy(root: Path, target: Path) -> list[str]:
    """Copy what a fresh clone would hold: no untracked file, built index or build leftover
    can slip into the wheel. Returns the copied paths."""
    names = tracked_files(root)
    if names is None:  # an unpacked source tree: leave out what builds and runs produce
        def ignore(folder, names):
            if Path(folder) == root / "index":
                return [name for name in names if name != ".gitkeep"]
            return [name for name in names if name in LEFTOVERS or name.endswith(".egg-info")]

        shutil.copytree(root, target, ignore=ignore)
        return [p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()]
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target / name)
    return names


def builds_without_isolation() -> bool:
    """setuptools is here and can make wheels by itself (70.1+) or with the wheel package."""
    try:
        version = tuple(int(part) for part in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    if version < (61, 0):
        return False
    try:
        metadata.version("wheel")
        return True
    except metadata.PackageNotFoundError:
        return version >= (70, 1)


def pip_version() -> tuple[int, ...]:
    return tuple(int(part) for part in metadata.version("pip").split(".")[:2] if part.isdigit())


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CONGRES_INDEX", "CONGRES_CORPUS", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NO_COLOR")}
    env.update(extra)
    return env


def test_a_wheel_installed_in_a_fresh_venv_searches_like_the_checkout(tmp_path, index_dir):
    # the wheel, from a copy of the checkout (building in place would leave build/ and egg-info)
    source = tmp_path / "source"
    copied = clean_copy(ROOT, source)
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", wheels, source]
    if builds_without_isolation():
        build.insert(4, "--no-build-isolation")  # no download of setuptools for the build
    run(build, env=clean_env())
    [wheel] = wheels.glob("congres-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = [name for name in archive.namelist() if ".dist-info/" not in name]
    assert "indexer/data/corpus/san-jose-2025.txt" in packaged
    assert "search/data/thesaurus_fr.tsv" in packaged
    assert {"search/web/templates/search.html", "search/web/templates/unit.html", "search/web/static/app.js",
            "search/web/static/style.css"} <= set(packaged)  # congres serve's page, installed
    assert set(packaged) <= set(copied), "the wheel holds files the checkout does not track"

    # a venv of its own, outside the checkout; this pip installs into it (--python, pip 22.3+),
    # which saves installing pip there
    venv = tmp_path / "venv"
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    if pip_version() >= (22, 3):
        run([sys.executable, "-m", "venv", "--without-pip", venv])
        pip = [sys.executable, "-m", "pip", "--python", python]
    else:
        run([sys.executable, "-m", "venv", venv])
        pip = [python, "-m", "pip"]
    run([*pip, "install", "--quiet", "--no-compile", wheel], env=clean_env())
    site_packages = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())

    # what the checkout prints for the same search
    expected = run([sys.executable, "-m", "search", *QUERY], cwd=ROOT,
                   env=clean_env(PYTHONPATH=str(ROOT), CONGRES_INDEX=str(index_dir)))

    # a user with no index yet, anywhere: the first search builds it in the user's data folder
    home, data, cwd = tmp_path / "home", tmp_path / "data", tmp_path / "cwd"
    for folder in (home, data, cwd):
        folder.mkdir()
    user = clean_env(HOME=str(home), XDG_DATA_HOME=str(data))
    searched = run([bin_dir / "congres", *QUERY], cwd=cwd, env=user)
    assert searched.stdout == expected.stdout
    assert searched.stdout.count("§") >= 1
    index = data / "congres" / "index"
    assert (index / "CURRENT").is_file()
    assert not (site_packages / "index").exists() and not (site_packages / "corpus").exists()
    assert sorted(p.name for p in (site_packages / "indexer" / "data" / "corpus").iterdir()) == ["san-jose-2025.txt"]

    indexed = run([bin_dir / "congres", "index"], cwd=cwd, env=user)
    assert f"from {site_packages / 'indexer' / 'data' / 'corpus'} into {index}" in indexed.stdout
    assert "san-jose-2025: 95 paragraphs, 66 recommendations" in indexed.stdout
    assert run([bin_dir / "congres", *QUERY], cwd=cwd, env=user).stdout == expected.stdout
