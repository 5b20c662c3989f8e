"""No code runs from an index: a generation is opened only if this user's key signed its files
(indexer/trust.py), checked before Whoosh unpickles its table of contents or segments."""

from __future__ import annotations

import json
import os
import pickle

import pytest
from click.testing import CliRunner

from indexer.errors import IndexUnavailableError
from indexer.store import Generation
from indexer.trust import UntrustedIndexError, digests
from search import Searcher
from search.cli import cli
from tests.conftest import CORPUS


class _Payload:
    """What an attacker puts in a pickle: unpickling it creates a file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


NOT_BUILT_HERE = "was not built here — rebuild it with `congres index`, or, if you trust whoever gave it to you"


def poison_toc(index, marker) -> Generation:
    generation = Generation.current(index)
    toc = next(generation.path.glob("_MAIN_*.toc"))
    toc.write_bytes(pickle.dumps(_Payload(marker)))
    return generation


def test_a_poisoned_table_of_contents_is_never_unpickled(index_copy, tmp_path):
    marker = tmp_path / "ran"
    poison_toc(index_copy, marker)
    result = CliRunner().invoke(cli, ["search", "corruption", "--index", str(index_copy), "--corpus", str(CORPUS)])
    assert result.exit_code == 1 and "is damaged (ChangedFileError) — rebuild it with `congres index`" in result.stderr
    assert not marker.exists()


def test_a_poisoned_index_with_its_digests_rewritten_is_not_built_here(index_copy, tmp_path):
    """The attacker also records the new digests in the manifest: without the key, no signature."""
    marker = tmp_path / "ran"
    generation = poison_toc(index_copy, marker)
    manifest = json.loads(generation.manifest_path.read_text("utf-8"))
    manifest["files"] = digests(generation.path, leave_out="congres.json")
    generation.manifest_path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(UntrustedIndexError, match=NOT_BUILT_HERE):
        Searcher(index_copy, CORPUS, auto_build=False)
    assert not marker.exists()


def test_an_index_built_with_another_key_is_not_opened_until_trusted(index_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CONGRES_KEY_FILE", str(tmp_path / "someone-else.key"))
    result = CliRunner().invoke(cli, ["search", "traite", "--index", str(index_copy), "--corpus", str(CORPUS)])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: the index in {index_copy} {NOT_BUILT_HERE}, "
                             f"`congres trust --index {index_copy}`\n")
    trusted = CliRunner().invoke(cli, ["trust", "--index", str(index_copy)])
    assert trusted.exit_code == 0 and trusted.stdout.startswith(f"Trusted the index in {index_copy} (gen-")
    with Searcher(index_copy, CORPUS, auto_build=False) as searcher:
        assert searcher.search("traite").total == 8
    assert oct((tmp_path / "someone-else.key").stat().st_mode & 0o777) == "0o600"


def test_an_index_without_a_manifest_cannot_be_trusted(index_copy):
    Generation.current(index_copy).manifest_path.unlink()
    result = CliRunner().invoke(cli, ["trust", "--index", str(index_copy)])
    assert result.exit_code == 1 and "has no readable manifest: it was not written by congres" in result.stderr
    with pytest.raises(IndexUnavailableError, match=NOT_BUILT_HERE):
        Searcher(index_copy, CORPUS, auto_build=False)


def test_the_key_lives_outside_every_index(index_dir):
    key = os.environ["CONGRES_KEY_FILE"]
    assert not key.startswith(str(index_dir)) and os.path.getsize(key) == 32
