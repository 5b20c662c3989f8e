"""The `congres` command, through click's CliRunner and once as a real process."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from indexer.build import build_index

from search.cli import cli
from tests.conftest import CORPUS, FIXTURES, ROOT

# The keys of the --json objects, in order: the one place to change when a field is added.
SEARCH_KEYS = ["query", "total", "offset", "limit", "filters", "notices", "suggested_filters", "hits", "facets",
               "generation"]
HIT_KEYS = ["id", "doc", "kind", "paragraph", "letter", "citation", "citation_full", "report", "symbol", "agenda",
            "section", "states", "observers", "organisations", "themes", "score", "snippet", "text"]
SHOW_KEYS = [key for key in HIT_KEYS if key != "snippet"] + ["report_metadata"]  # `show --json`: the unit in full
FACET_NAMES = ["agenda", "state", "theme", "org", "report", "doc"]
FACET_ROW_KEYS = ["value", "count", "selected"]  # then "observer": true for observer states only


@pytest.fixture
def run(index_dir):
    """Run `congres ARGS` against the session's index; returns (exit code, stdout, stderr)."""
    def invoke(*args, index=index_dir):
        result = CliRunner().invoke(cli, [*args], env={"CONGRES_INDEX": str(index), "CONGRES_CORPUS": str(CORPUS)})
        return result.exit_code, result.stdout, result.stderr
    return invoke


def test_search_prints_ranked_highlighted_results_and_facets(run):
    code, out, err = run("search", "traite des personnes", "--state", "Brésil")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "32 results for « traite des personnes » · state: Brésil · page 1 of 4"
    assert lines[2].startswith("  1. §37 h)  Point 3 – ")
    assert "victimes de la **traite** des **personnes** d'être poursuivies" in lines[3]
    assert "  state  Brésil* (32)" in out
    assert "Facets (units per value, * = selected)" in out
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_search_json_is_the_api_object(run, searcher):
    code, out, _ = run("search", "criminalité", "--json", "--limit", "3", "--state", "BRA", "--agenda", "5")
    assert code == 0
    data = json.loads(out)
    expected = searcher.search("criminalité", filters={"state": ["BRA"], "agenda": ["5"]}, limit=3).to_dict()
    assert data == expected
    assert list(data) == SEARCH_KEYS
    assert [list(hit) for hit in data["hits"]] == [HIT_KEYS] * 3
    assert list(data["facets"]) == FACET_NAMES
    assert data["filters"]["state"] == ["Brésil"]
    assert [h["id"] for h in data["hits"]] == ["64", "56", "66c"]
    assert data["hits"][0]["snippet"].count("<mark>criminalité</mark>") == 2


def test_acceptance_honduras_browse(run):
    code, out, _ = run("search", "", "--state", "Honduras", "--limit", "200", "--json")
    data = json.loads(out)
    assert code == 0 and data["total"] == 48
    assert [h["id"] for h in data["hits"]][:3] == ["7", "8", "9"]
    assert [h["id"] for h in data["hits"]][-3:] == ["76f", "76g", "76h"]
    assert {h["agenda"].split(" – ")[0] for h in data["hits"]} == {"Thème principal", "Point 6"}


def test_acceptance_accents_do_not_change_results(run):
    without = json.loads(run("search", "criminalite", "--json")[1])
    with_accents = json.loads(run("search", "criminalité", "--json")[1])
    assert [h["id"] for h in without["hits"]] == [h["id"] for h in with_accents["hits"]]
    assert without["total"] == with_accents["total"] == 50


def test_query_words_may_start_with_a_dash_or_come_unquoted(run):
    code, out, _ = run("search", "armes", "à", "feu", "-violence")
    assert code == 0 and out.startswith("3 results for « armes à feu -violence »")
    code, out, _ = run("search", "-criminalité", "--limit", "1")
    assert code == 0 and out.startswith("111 results for « -criminalité »")
    code, _, err = run("search", "crime", "--lmit", "5")
    assert code == 2 and "No such option '--lmit'. Did you mean '--limit'?" in err


def test_pages(run):
    first = json.loads(run("search", "justice", "--json", "--limit", "5")[1])
    second = json.loads(run("search", "justice", "--json", "--limit", "5", "--page", "2")[1])
    assert second["offset"] == 5
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    code, out, _ = run("search", "justice", "--page", "999")
    assert code == 0 and "no results on this page" in out


def test_show_prints_one_unit_with_metadata(run):
    code, out, _ = run("show", "37f")
    assert code == 0
    assert out.splitlines()[0] == "§37 f) · san-jose-2025 · recommandation"
    assert "observers:     Émirats arabes unis" in out
    assert "themes:        traite des personnes, cybercriminalité, enfants et jeunes" in out
    assert out.rstrip().endswith("l'exploitation sexuelle d'enfants ;")
    data = json.loads(run("show", "91", "--json")[1])
    assert list(data) == SHOW_KEYS
    assert data["text"].endswith("Rapporteur : Rodrigo Bertoglio Cardoso (Brésil)")


def test_facets_lists_values_with_counts(run):
    code, out, _ = run("facets", "agenda")
    assert code == 0
    assert out.splitlines()[0] == "agenda (8 values)"
    assert any(line.split()[-1] == "30" and "Thème principal" in line for line in out.splitlines())
    data = json.loads(run("facets", "state", "--json")[1])
    assert list(data) == ["state"]
    assert {"value": "Viet Nam", "count": 30, "selected": False, "observer": True} in data["state"]
    assert {tuple(row) for row in data["state"]} == {(*FACET_ROW_KEYS,), (*FACET_ROW_KEYS, "observer")}
    assert all(row["observer"] is True for row in data["state"] if "observer" in row)
    everything = json.loads(run("facets", "--json")[1])
    assert list(everything) == FACET_NAMES
    assert all(list(row) == FACET_ROW_KEYS for name in FACET_NAMES if name != "state" for row in everything[name])


def test_index_command_reports_what_it_indexed(tmp_path):
    result = CliRunner().invoke(cli, ["index", "--corpus", str(CORPUS), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "Indexed 1 report" in result.stdout and "161 units" in result.stdout
    assert "san-jose-2025: 95 paragraphs, 66 recommendations" in result.stdout


def test_index_command_lists_the_first_reports_of_a_large_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(12):  # the shorter report of the two: the listing, not the size, is checked here
        shutil.copy(FIXTURES / "second_report.txt", corpus / f"rapport-{i + 1:02d}.txt")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "Indexed 12 reports" in lines[0] and "744 units" in lines[0]
    assert lines[1:] == [f"  rapport-{i:02d}: 39 paragraphs, 23 recommendations" for i in range(1, 11)] + \
        ["  … and 2 more (`congres reports` lists them all)"]


def test_first_search_builds_the_index(tmp_path):
    result = CliRunner().invoke(cli, ["search", "extradition", "--index", str(tmp_path / "new")],
                                env={"CONGRES_CORPUS": str(CORPUS)})
    assert result.exit_code == 0
    assert "Built the index" in result.stderr
    assert result.stdout.startswith("4 results for « extradition »")


@pytest.mark.parametrize("args, code, message", [
    (["search", "x", "--state", "Bresill"], 2, "Error: unknown state 'Bresill' — did you mean Brésil?"),
    (["search", "x", "--theme", "cyber"], 0, None),
    (["search", "x", "--agenda", "9"], 2, "Error: unknown agenda '9'"),
    (["search", "x", "--limit", "-1"], 2, "Invalid value for '--limit'"),
    (["search", "x", "--limit", "abc"], 2, "Invalid value for '--limit'"),
    (["search", "x", "--page", "0"], 2, "Invalid value for '--page'"),
    (["search", "x", "--colour"], 2, "No such option '--colour'"),
    (["show", "999"], 1, "Error: no unit '999' in the index"),
    (["show", "hello"], 1, "Error: 'hello' is not a unit id"),
    (["facets", "country"], 2, "'country' is not one of 'agenda', 'state', 'theme', 'org', 'report', 'doc', 'all'"),
    (["frobnicate"], 2, "No such command 'frobnicate'"),
])
def test_errors_are_one_line_with_an_exit_code(run, args, code, message):
    exit_code, out, err = run(*args)
    assert exit_code == code
    if message:
        assert "Traceback" not in err
        assert len(err.strip().splitlines()) == 1  # one line, usage errors included
        assert message in err


def test_index_that_is_a_file(tmp_path, run):
    (tmp_path / "file").write_text("x")
    code, _, err = run("search", "crime", index=tmp_path / "file")
    assert code == 1
    assert err.strip() == f"Error: {tmp_path / 'file'} is a file, not an index folder — pass another --index"


def test_bad_corpus_file_is_named(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "san-jose-2025.txt", corpus)
    (corpus / "image.txt").write_bytes(b"\x89PNG\x00\x00")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--strict"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: 1 corpus file cannot be indexed: image.txt: binary file, not a text "
                                     "report — fix or remove them (the index is unchanged)")
    assert not (tmp_path / "ix" / "CURRENT").exists()
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 3  # partial: the readable reports were indexed
    assert result.stdout.startswith(f"Indexed 1 report from {corpus}")
    assert result.stderr.splitlines() == [
        "Skipped: image.txt: binary file, not a text report",
        "Warning: 1 file of the corpus could not be indexed (listed above); the others were"]


def test_installed_command_runs_as_a_real_process(index_dir, tmp_path):
    env = {**os.environ, "CONGRES_INDEX": str(index_dir), "CONGRES_CORPUS": str(CORPUS)}
    congres = shutil.which("congres")
    command = [congres] if congres else [sys.executable, "-m", "search"]
    done = subprocess.run([*command, "search", "armes à feu", "--limit", "2"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("6 results for « armes à feu »")
    assert "§34" in done.stdout and "**armes** à **feu**" in done.stdout
    help_text = subprocess.run([*command, "--help"], env=env, capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0 and "search" in help_text.stdout
    module = subprocess.run([sys.executable, "-m", "search", "show", "28"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert module.returncode == 0 and module.stdout.startswith("§28 · san-jose-2025")


def test_filters_are_listed_state_first_whatever_the_order_typed(run):
    code, out, _ = run("search", "armes à feu", "--agenda", "5", "--state", "BRA")
    assert code == 0
    assert out.splitlines()[0] == ("2 results for « armes à feu » · state: Brésil · agenda: Point 5 – Formes de "
                                   "criminalité nouvelles, émergentes et évolutives (atelier 3)")


ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    """The bundled report with terminal escape sequences inside paragraph 28."""
    corpus = tmp_path_factory.mktemp("escapes")
    text = (CORPUS / "san-jose-2025.txt").read_text("utf-8")
    start = text.index("\n28. ") + len("\n28. ")
    (corpus / "san-jose-2025.txt").write_text(text[:start] + ESCAPES + text[start:], "utf-8")
    index = tmp_path_factory.mktemp("escapes-index")
    build_index(corpus, index)
    return index, corpus


@pytest.mark.parametrize("args", [["search", "pwned"], ["show", "28"], ["search", "pwned\x1b[2J", "--explain"],
                                  ["search", "pwned", "--format", "csv"], ["search", "pwned", "--format", "jsonl"]])
def test_escape_sequences_from_a_report_never_reach_the_terminal(hostile_index, args):
    index, corpus = hostile_index
    result = CliRunner().invoke(cli, [*args, "--index", str(index), "--corpus", str(corpus)])
    assert result.exit_code == 0
    assert "pwned" in result.stdout
    assert not set("\x1b\x07\x9b") & set(result.stdout + result.stderr)


def test_json_keeps_the_text_and_escapes_its_control_characters(hostile_index):
    index, corpus = hostile_index
    result = CliRunner().invoke(cli, ["show", "28", "--json", "--index", str(index), "--corpus", str(corpus)])
    assert result.exit_code == 0 and not set("\x1b\x07\x9b") & set(result.stdout)
    assert json.loads(result.stdout)["text"].startswith(ESCAPES)


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_a_closed_output_is_one_clear_error(index_dir, extra):
    done = subprocess.run([sys.executable, "-m", "search", "search", "traite", "--index", str(index_dir), *extra],
                          cwd=ROOT, preexec_fn=lambda: os.close(1), stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == "Error: the standard output is closed — nothing can be printed\n"


def test_index_warns_about_a_paragraph_numbered_out_of_sequence_and_keeps_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = (CORPUS / "san-jose-2025.txt").read_text("utf-8").split("\n")
    (corpus / "san-jose-2025.txt").write_text("\n".join(l for l in lines if not l.startswith("20. ")), "utf-8")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "160 units." in result.stdout and "  san-jose-2025: 94 paragraphs, 66 recommendations" in result.stdout
    assert result.stderr == "Warning: san-jose-2025: paragraph 20 missing (19 is followed by 21)\n"


def test_state_names_the_gazetteer_does_not_know_are_one_warning(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (CORPUS / "san-jose-2025.txt").read_text("utf-8")
    unknown = ", ".join(f"Pays{i:03}" for i in range(305))
    text = text.replace("États suivants : Argentine, Brésil, Canada, Chili, Colombie, Cuba,",
                        f"États suivants : {unknown}, Argentine, Brésil, Canada, Chili, Colombie, Cuba,", 1)
    (corpus / "san-jose-2025.txt").write_text(text, "utf-8")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert result.stderr == ("Warning: san-jose-2025: 305 state names not in the gazetteer, kept as printed: "
                             "'Pays000', 'Pays001', 'Pays002' and 302 more\n")
    code = CliRunner().invoke(cli, ["search", "", "--state", "Pays123", "--index", str(tmp_path / "ix"),
                                    "--corpus", str(corpus)])
    assert code.exit_code == 0 and code.stdout.startswith("30 results for all units · state: Pays123")


def test_accents_typed_under_a_c_locale_are_read_as_typed(index_dir):
    def total(env):
        done = subprocess.run([sys.executable, "-m", "search", "search", "sécurité", "--json", "--index", str(index_dir)],
                              cwd=ROOT, env={**os.environ, **env}, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.decode("ascii", "replace"))["total"]

    assert total({"LC_ALL": "C", "PYTHONUTF8": "0"}) == total({"LC_ALL": "C.UTF-8"}) == 6


def test_bare_congres_prints_the_help_and_succeeds(run):
    code, out, err = run()
    assert code == 0 and not err
    assert out.startswith("Usage: ") and "[OPTIONS] COMMAND [ARGS]..." in out.splitlines()[0]
    assert {"search", "show", "facets", "reports", "index", "serve"} <= {
        line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}


@pytest.mark.parametrize("typed", ["37m", "37 m)", "par. 37 m)", "§37 m)", "paragraphe 37 m)", "san-jose-2025:37m",
                                   "san-jose-2025, par. 37 m)", "SAN-JOSE-2025 par. 37 m)"])
def test_show_accepts_the_ways_a_unit_is_cited(run, typed):
    code, out, err = run("show", typed)
    assert code == 0, err
    assert out.splitlines()[:2] == ["§37 m) · san-jose-2025 · recommandation", "cite as:       san-jose-2025, par. 37 m)"]


def test_show_also_takes_the_citation_as_several_words(run):
    code, out, _ = run("show", "san-jose-2025,", "par.", "14")
    assert code == 0 and out.startswith("§14 · san-jose-2025 · paragraphe")


def test_show_names_an_unknown_report(run):
    code, _, err = run("show", "A/CONF.241/RPM.9/1, par. 14")
    assert code == 1
    assert err == "Error: no report 'A/CONF.241/RPM.9/1' in the index — `congres reports` lists them\n"


def test_show_json_carries_the_report_metadata(run):
    data = json.loads(run("show", "par. 14", "--json")[1])
    assert data["citation_full"] == "san-jose-2025, par. 14"
    assert data["report"] == "Amérique latine et les Caraïbes — San José, février 2025"
    assert data["report_metadata"]["meeting_dates"] == ["2025-02-04", "2025-02-06"]
    assert data["report_metadata"]["city"] == "San José"


def test_reports_lists_each_report_with_its_metadata(run):
    code, out, _ = run("reports")
    assert code == 0
    assert out.splitlines()[0] == "san-jose-2025 · Amérique latine et les Caraïbes — San José, février 2025"
    assert "  dates    2025-02-04 – 2025-02-06" in out
    assert "  language français, original: anglais" in out
    assert "  units    95 paragraphs, 66 recommendations" in out
    data = json.loads(run("reports", "--json")[1])
    assert data["san-jose-2025"]["symbol"] is None and data["san-jose-2025"]["cited_as"] == "san-jose-2025"
    assert (data["san-jose-2025"]["paragraph"], data["san-jose-2025"]["recommendation"]) == (95, 66)


def test_facets_takes_the_query_and_filters_of_search(run):
    code, out, err = run("facets", "state", "--theme", "cybercriminalité", "--json")
    assert code == 0, err
    search = json.loads(run("search", "", "--theme", "cybercriminalité", "--json")[1])
    assert json.loads(out) == {"state": search["facets"]["state"]}
    with_query = json.loads(run("facets", "state", "traite", "des", "personnes", "--state", "Brésil", "--json")[1])
    search = json.loads(run("search", "traite des personnes", "--state", "Brésil", "--json")[1])
    assert with_query["state"] == search["facets"]["state"]
    brazil = next(row for row in with_query["state"] if row["value"] == "Brésil")
    assert brazil["selected"] and brazil["count"] == 32
    everything = json.loads(run("facets", "all", "--org", "Housing Works", "--json")[1])
    assert list(everything) == FACET_NAMES


def test_sort_by_document_lists_matches_in_report_order(run):
    by_relevance = json.loads(run("search", "traite", "--limit", "20", "--json")[1])
    by_document = json.loads(run("search", "traite", "--limit", "20", "--sort", "document", "--json")[1])
    ids = [hit["id"] for hit in by_document["hits"]]
    assert sorted(ids) == sorted(hit["id"] for hit in by_relevance["hits"]) and len(ids) == 8
    assert ids[:3] == ["12", "17", "24h"] and ids != [hit["id"] for hit in by_relevance["hits"]]
    assert {hit["score"] for hit in by_document["hits"]} == {None}


def test_all_pages_at_once(run):
    data = json.loads(run("search", "", "--state", "Honduras", "--all", "--format", "json")[1])
    assert data["total"] == len(data["hits"]) == 48
    assert data["offset"] == 0 and data["limit"] == 48


@pytest.mark.parametrize("args, message", [
    (["search", "x", "--json", "--format", "csv"], "--json and --format csv contradict each other: choose one"),
    (["search", "x", "--all"], "--all is for --format csv, jsonl or json (text shows one page: use --page)"),
])
def test_output_options_that_contradict_are_usage_errors(run, args, message):
    code, _, err = run(*args)
    assert code == 2 and err.startswith(f"Error: {message} (see '") and err.count("\n") == 1


@pytest.mark.parametrize("typed", ["3", "point 3", "Point 3", "atelier 1", "workshop 1"])
def test_agenda_by_point_or_workshop(run, typed):
    data = json.loads(run("search", "", "--agenda", typed, "--json", "--limit", "1")[1])
    assert data["filters"]["agenda"] == ["Point 3 – Prévention de la criminalité fondée sur des données factuelles "
                                         "(atelier 1)"] and data["total"] == 28


def test_csv_has_one_row_per_hit_of_every_page(run):
    import csv
    import io

    code, out, err = run("search", "", "--state", "Honduras", "--format", "csv", "--all")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["citation", "citation_full", "report", "doc", "agenda", "states", "themes", "text"]
    assert len(rows) == 1 + 48
    first = dict(zip(rows[0], rows[1]))
    assert (first["citation"], first["citation_full"]) == ("§7", "san-jose-2025, par. 7")
    assert "Honduras" in first["states"].split("; ")
    one_page = list(csv.reader(io.StringIO(run("search", "", "--state", "Honduras", "--format", "csv")[1])))
    assert [row[0] for row in one_page[1:]] == [row[0] for row in rows[1:11]]


def test_jsonl_is_one_hit_object_per_line(run):
    code, out, _ = run("search", "traite des personnes", "--format", "jsonl", "--limit", "3")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    search = json.loads(run("search", "traite des personnes", "--json", "--limit", "3")[1])
    assert lines == search["hits"]
