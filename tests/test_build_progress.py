"""Progress of a long build: told to a callback, shown by ``congres index`` on a terminal only."""

import io

from click.testing import CliRunner

from indexer.build import build_index, load_units
from search import cli as cli_module
from search.cli import cli
from tests.conftest import parallel_build, two_report_corpus


def test_the_callback_follows_each_report_then_the_writing(tmp_path):
    calls = []
    build_index(two_report_corpus(tmp_path / "corpus"), tmp_path / "ix", on_progress=lambda *call: calls.append(call))
    assert calls == [("reports", 1, 2), ("reports", 2, 2), ("index", 0, 1), ("index", 1, 1)]


def test_reports_parsed_side_by_side_are_counted_too(tmp_path):
    calls = []
    with parallel_build(segment_units=100):
        units = load_units(two_report_corpus(tmp_path / "corpus"), on_progress=lambda *call: calls.append(call))
    assert len(units) == 161 + 62
    assert calls == [("reports", 1, 2), ("reports", 2, 2)]


def test_no_progress_output_off_a_terminal(tmp_path):
    corpus = two_report_corpus(tmp_path / "corpus")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (f"Indexed 2 reports from {corpus} into {tmp_path / 'ix'}: 223 units.\n"
                             "  beyrouth-2025: 39 paragraphs, 23 recommendations\n"
                             "  san-jose-2025: 95 paragraphs, 66 recommendations\n")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_a_bar_over_the_reports_then_a_line(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress = cli_module._BuildProgress()
    for call in [("reports", 1, 3), ("reports", 2, 3), ("reports", 3, 3), ("index", 0, 1), ("index", 1, 1)]:
        progress(*call)
    progress.finish()
    shown = terminal.getvalue()
    assert "Reading reports" in shown and "100%" in shown
    assert shown.rstrip().endswith("Writing the index…")


def test_the_writing_counts_the_segments_written(tmp_path):
    calls = []
    with parallel_build(segment_units=100):  # one segment per report: two written side by side
        build_index(two_report_corpus(tmp_path / "corpus"), tmp_path / "ix", on_progress=lambda *call: calls.append(call))
    assert [call for call in calls if call[0] == "index"] == [("index", 0, 2), ("index", 1, 2), ("index", 2, 2)]


def test_an_unchanged_corpus_parses_nothing_and_writes_no_segment(tmp_path):
    corpus = two_report_corpus(tmp_path / "corpus")
    build_index(corpus, tmp_path / "ix")
    calls = []
    build_index(corpus, tmp_path / "ix", on_progress=lambda *call: calls.append(call))
    assert calls == [("index", 0, 1), ("index", 1, 1)]
