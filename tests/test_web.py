"""`congres serve`'s application through FastAPI's TestClient: every route, every error, the
page as HTML, the security headers; the API's objects compared with the CLI's `--json`."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from search import export
from search.cli import cli
from search.web import create_app
from search.web.params import MAX_QUERY_CHARS
from tests.conftest import CORPUS

HONDURAS_UNITS = 48  # the units of the two sections where Honduras spoke (README)


@pytest.fixture(scope="module")
def searcher(default_searcher):
    return default_searcher  # the engine congres serve chooses, not each engine in turn


@pytest.fixture(scope="module")
def client(searcher):
    return TestClient(create_app(searcher))


@pytest.fixture
def congres(index_dir):
    """`congres ARGS` against the same index: (exit code, stdout, stderr)."""
    def invoke(*args):
        result = CliRunner().invoke(cli, [*args], env={"CONGRES_INDEX": str(index_dir), "CONGRES_CORPUS": str(CORPUS)})
        return result.exit_code, result.stdout, result.stderr
    return invoke


# (query, filters, page, limit): what is typed in the URL and on the command line alike
SEARCH_CASES = [
    ("traite des personnes", {"state": ["Brésil"]}, 1, 10),
    ("traite des personnes", {"state": ["Brésil"]}, 3, 10),
    ("criminalité", {"state": ["BRA"], "agenda": ["5"]}, 1, 3),
    ("", {"state": ["Honduras"]}, 1, 200),
    ("armes à feu", {"theme": ["armes"], "doc": ["san-jose-2025"]}, 2, 2),
    ('"armes à feu" -trafic', {}, 1, 10),
    ("corruption", {"state": ["Brésil", "Chili"], "org": ["Alliance of NGOs on Crime Prevention and Criminal Justice"]},
     1, 5),
    ("money laundering", {}, 1, 10),
    ("extraditon", {"agenda": ["theme"]}, 1, 10),
    ("state:Honduras victimes", {"theme": ["victimes"]}, 1, 10),
    ("le la les", {}, 1, 10),
    ("prisons", {"report": ["Amérique latine et les Caraïbes — San José, février 2025"]}, 1, 4),
]


def _params(query, filters, page, limit):
    return [("q", query), *((name, v) for name, values in filters.items() for v in values),
            ("page", page), ("limit", limit)]


def _cli_args(query, filters, page, limit):
    args = ["search", "--json", "--page", str(page), "--limit", str(limit)]
    for name, values in filters.items():
        for value in values:
            args += [f"--{name}", value]
    return [*args, "--", query] if query else args


@pytest.mark.parametrize("query,filters,page,limit", SEARCH_CASES)
def test_api_search_is_the_cli_json(client, congres, query, filters, page, limit):
    code, out, err = congres(*_cli_args(query, filters, page, limit))
    assert code == 0, err
    response = client.get("/api/search", params=_params(query, filters, page, limit))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(out)
    assert list(response.json()) == list(json.loads(out))
    assert list(response.json()["filters"]) == list(json.loads(out)["filters"])


def test_api_search_defaults_are_the_cli_defaults(client, congres):
    _, out, _ = congres("search", "--json", "victimes")
    assert client.get("/api/search?q=victimes").json() == json.loads(out)


@pytest.mark.parametrize("params,facet,value,suggestions", [
    ({"state": "Bresill"}, "state", "Bresill", ["Brésil"]),
    ({"q": "traite", "theme": "cybercriminalte"}, "theme", "cybercriminalte", ["cybercriminalité"]),
])
def test_unknown_facet_value_is_422_with_suggestions(client, congres, params, facet, value, suggestions):
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    body = response.json()
    assert (body["facet"], body["value"], body["suggestions"]) == (facet, value, suggestions)
    code, _, err = congres("search", f"--{facet}", value, params.get("q", ""))
    assert code == 2
    assert err.strip() == f"Error: {body['error']}"


@pytest.mark.parametrize("path,message", [
    ("/api/search?limit=0", "limit: Input should be greater than or equal to 1"),
    ("/api/search?limit=10001", "limit: Input should be less than or equal to 10000"),
    ("/api/search?page=0", "page: Input should be greater than or equal to 1"),
    ("/api/search?page=1000001", "page: Input should be less than or equal to 1000000"),
    ("/api/search?page=deux", "page: Input should be a valid integer, unable to parse string as an integer"),
    (f"/api/search?q={'a' * (MAX_QUERY_CHARS + 1)}", f"q: String should have at most {MAX_QUERY_CHARS} characters"),
    ("/api/search?" + "&".join(["state=Chili"] * 51), "state: List should have at most 50 items after validation, "
                                                     "not 51"),
    ("/api/search.csv?limit=0", "limit: Input should be greater than or equal to 1"),
    ("/api/facets?facet=pays", "facet: Input should be 'agenda', 'state', 'theme', 'org', 'report' or 'doc'"),
])
def test_out_of_range_parameters_are_422_in_one_line(client, path, message):
    response = client.get(path)
    assert response.status_code == 422
    assert response.json() == {"error": message}


def test_unit_is_the_cli_show_json(client, congres):
    code, out, err = congres("show", "--json", "san-jose-2025:37h")
    assert code == 0, err
    response = client.get("/api/units/san-jose-2025/37h")
    assert response.status_code == 200
    assert response.json() == json.loads(out)
    assert response.json()["citation"] == "§37 h)"


@pytest.mark.parametrize("doc,unit_id", [("san-jose-2025", "999"), ("beyrouth-2025", "28"), ("rapport.inconnu", "28"),
                                         ("san-jose-2025", "28zz"), ("a:b", "28")])
def test_unknown_unit_is_404(client, congres, doc, unit_id):
    response = client.get(f"/api/units/{doc}/{unit_id}")
    assert response.status_code == 404
    code, _, err = congres("show", f"{doc}:{unit_id}")
    assert code == 1
    assert err.strip() == f"Error: {response.json()['error']}"


@pytest.mark.parametrize("facet", [None, "state", "agenda", "report"])
def test_facets_are_the_cli_facets_json(client, congres, facet):
    code, out, err = congres("facets", "--json", *([facet] if facet else []))
    assert code == 0, err
    response = client.get("/api/facets", params={"facet": facet} if facet else {})
    assert response.status_code == 200
    assert response.json() == json.loads(out)


def test_csv_holds_every_page_of_the_results(client, congres):
    _, out, _ = congres("search", "--json", "--limit", "200", "--state", "Honduras")
    expected = json.loads(out)["hits"]
    response = client.get("/api/search.csv", params={"state": "Honduras", "limit": 5, "page": 3})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # spreadsheets then read it as UTF-8
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == ["citation", "citation_full", "report", "doc", "agenda", "states", "themes", "text"]
    assert len(rows) == 1 + HONDURAS_UNITS
    assert [row[0] for row in rows[1:]] == [hit["citation"] for hit in expected]
    assert rows[1][3:] == [expected[0]["doc"], expected[0]["agenda"], "; ".join(expected[0]["states"]),
                           "; ".join(expected[0]["themes"]), expected[0]["text"]]
    assert all("Honduras" in row[5].split("; ") for row in rows[1:])


def test_jsonl_holds_every_hit_object(client, congres):
    _, out, _ = congres("search", "--json", "--limit", "10000", "--", "traite des personnes")
    expected = json.loads(out)["hits"]
    response = client.get("/api/search.jsonl", params={"q": "traite des personnes"})
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert len(lines) == len(expected) > 10
    assert [json.loads(line) for line in lines] == expected


def test_export_errors_come_before_any_row(client):
    response = client.get("/api/search.csv", params={"state": "Bresill"})
    assert response.status_code == 422
    assert response.json()["suggestions"] == ["Brésil"]


@pytest.mark.parametrize("page_size", [1, 7, 48, 500])
def test_iter_all_hits_reads_every_page_in_rank_order(searcher, page_size):
    everything = searcher.search("", filters={"state": ["Honduras"]}, limit=10_000)
    hits = list(export.iter_all_hits(searcher, "", {"state": ["Honduras"]}, page_size=page_size))
    assert [(hit.doc, hit.id) for hit in hits] == [(hit.doc, hit.id) for hit in everything.hits]
    assert len(hits) == HONDURAS_UNITS


def test_export_cells_that_a_spreadsheet_would_run_are_kept_as_text(searcher):
    hit = searcher.get("37h")
    hit.text = '=HYPERLINK("http://exemple.org")'
    row = dict(zip(export.CSV_COLUMNS, export.csv_row(hit)))
    assert row["text"] == '\'=HYPERLINK("http://exemple.org")'
    assert row["citation"] == "§37 h)"


def test_unknown_routes_and_methods_answer_json_errors(client):
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/api/nothing").json() == {"error": "no such page"}
    response = client.post("/api/search", json={})
    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed"}


def test_a_bug_is_a_logged_500_json_error_without_traceback(searcher, monkeypatch, caplog):
    client = TestClient(create_app(searcher))

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(searcher, "search", broken)
    response = client.get("/api/search?q=traite")
    assert response.status_code == 500
    assert response.json() == {"error": "internal error — please report it"}
    assert "secret detail" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "secret detail" in caplog.text  # in the server's log instead
    page = client.get("/?q=traite")
    assert page.status_code == 500 and "secret detail" not in page.text


# --- security headers, static files -----------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/?q=traite", "/units/san-jose-2025/28", "/api/search?q=x", "/api/facets",
                                  "/api/search.csv?q=traite", "/static/app.js", "/static/nothing", "/openapi.json",
                                  "/units/san-jose-2025/999", "/api/search?limit=0"])
def test_every_answer_has_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/static/../cli.py", "/static/%2e%2e/cli.py", "/static/..%2fcli.py",
                                  "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static//etc/passwd",
                                  "/static/app.js%00", "/static/templates", "/static/..%5capp.py",
                                  "/static/%2fetc%2fpasswd"])
def test_static_files_are_a_fixed_list(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text and "root:" not in response.text


@pytest.mark.parametrize("name,kind", [("app.js", "text/javascript"), ("style.css", "text/css")])
def test_static_files_are_served(client, name, kind):
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(kind)
    assert len(response.content) > 1000


def test_the_favicon_is_served(client):
    assert client.get("/static/favicon.svg").headers["content-type"] == "image/svg+xml"


class _Page(HTMLParser):
    """The elements of a page, as (tag, attributes), and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.scripts_with_code = 0
        self._in_script = False
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.scripts_with_code += 1
        self.text.append(data)

    def all(self, tag, **attrs):
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def test_no_inline_script_and_no_event_attributes(client):
    for path in ["/?q=traite+des+personnes&state=Br%C3%A9sil", "/units/san-jose-2025/37h", "/?state=Bresill"]:
        page = _Page(client.get(path).text)
        assert page.scripts_with_code == 0
        assert [a["src"] for a in page.all("script")] and all(a["src"].startswith("/static/") for a in page.all("script"))
        assert not [a for _, a in page.elements for name in a if name.startswith("on")]
        assert not [a for _, a in page.elements if "style" in a]  # the CSP allows no inline style either


# --- the page -----------------------------------------------------------------------------

def test_page_shows_total_hits_and_highlights(client, searcher):
    response = client.get("/", params={"q": "traite des personnes", "state": "Brésil"})
    assert response.status_code == 200
    html = response.text
    page = _Page(html)
    assert page.all("html")[0]["lang"] == "fr"
    box = page.all("input", type="search", name="q")[0]
    assert box["value"] == "traite des personnes" and page.all("label", **{"for": box["id"]})
    assert re.search(r'role="status">32 résultats pour « traite des personnes » · page 1 sur 4<', html)
    expected = searcher.search("traite des personnes", filters={"state": ["Brésil"]})
    citations = re.findall(r'<span class="citation">([^<]+)</span>', html)
    assert citations == [hit.citation for hit in expected.hits]
    assert "d&#39;être poursuivies" not in html or "<mark>traite</mark> des <mark>personnes</mark>" in html
    assert "<mark>traite</mark> des <mark>personnes</mark>" in html
    assert 'href="/units/san-jose-2025/37h?q=traite+des+personnes&amp;state=Br%C3%A9sil"' in html


def test_sidebar_lists_every_facet_value_with_disjunctive_counts(client, searcher):
    html = client.get("/", params={"q": "traite des personnes", "state": "Brésil"}).text
    page = _Page(html)
    results = searcher.search("traite des personnes", filters={"state": ["Brésil"]})
    boxes = page.all("input", type="checkbox")
    states = [(a["value"], "checked" in a) for a in boxes if a["name"] == "state"]
    expected = sorted(results.facets["state"], key=lambda row: (not row.selected, -row.count))
    assert states == [(row.value, row.selected) for row in expected]
    assert states[0] == ("Brésil", True)
    assert all(a.get("form") == "search-form" for a in boxes)
    counts = dict(re.findall(r'<span class="value">([^<]+)</span>(?: <abbr[^>]*>obs\.</abbr>)? '
                             r'<span class="count">(\d+)</span>', html.replace("&#39;", "'")))
    assert counts["Canada"] == str(next(r.count for r in results.facets["state"] if r.value == "Canada"))
    assert "voir plus (" in html  # the list of states is cut, and says so
    assert 'class="facet-filter"' in html  # a box to filter the long list
    assert re.search(r'Émirats arabes unis</span> <abbr class="observer"', html)


def test_chips_remove_one_filter_and_clear_keeps_the_query(client):
    html = client.get("/", params=[("q", "victimes"), ("state", "BRA"), ("theme", "traite")]).text
    chips = re.findall(r'<a class="chip" href="([^"]+)"', html)
    assert chips == ["/?q=victimes&amp;theme=traite+des+personnes", "/?q=victimes&amp;state=Br%C3%A9sil"]
    assert '<a class="clear" href="/?q=victimes" data-nav>tout effacer</a>' in html


def test_pagination_and_export_links_carry_the_state(client):
    html = client.get("/", params={"q": "traite des personnes", "state": "Brésil", "page": 2}).text
    assert 'href="/?q=traite+des+personnes&amp;state=Br%C3%A9sil" data-nav rel="prev"' in html
    assert 'href="/?q=traite+des+personnes&amp;state=Br%C3%A9sil&amp;page=3" data-nav rel="next"' in html
    assert '<span class="current" aria-current="page">2</span>' in html
    assert 'href="/api/search?q=traite+des+personnes&amp;state=Br%C3%A9sil&amp;page=2"' in html
    assert 'href="/api/search.csv?q=traite+des+personnes&amp;state=Br%C3%A9sil"' in html


@pytest.mark.parametrize("query", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
                                   "</title><script>alert(1)</script>", "' onfocus='alert(1)"])
def test_queries_are_shown_as_text(client, query):
    html = client.get("/", params={"q": query}).text
    assert "<script>alert" not in html and "<img" not in html and "onfocus='" not in html
    page = _Page(html)
    assert page.all("input", name="q")[0]["value"] == query
    assert f"pour « {query} »" in "".join(page.text)


def test_unknown_value_on_the_page_says_it_in_french_with_a_link(client):
    response = client.get("/", params={"q": "traite", "state": "Bresill"})
    assert response.status_code == 422
    assert "Valeur inconnue pour le filtre État : « Bresill »." in response.text
    assert '<a href="/?q=traite&amp;state=Br%C3%A9sil" data-nav>Brésil</a>' in response.text


def test_bad_parameters_on_the_page_are_a_page_not_json(client):
    response = client.get("/?page=0")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Requête invalide — page: Input should be greater than or equal to 1" in response.text


def test_unit_page_has_text_metadata_and_the_way_back(client, searcher):
    response = client.get("/units/san-jose-2025/37h", params={"q": "traite", "state": "Brésil"})
    assert response.status_code == 200
    html = response.text
    hit = searcher.get("37h")
    assert hit.text.replace("'", "&#39;") in html
    assert '<a class="back" href="/?q=traite&amp;state=Br%C3%A9sil">' in html
    assert 'data-citation="san-jose-2025, par. 37 h)">copier la citation</button>' in html
    for value in [hit.agenda, *hit.states, *hit.organisations, *hit.themes]:
        assert value.replace("'", "&#39;") in html
    assert re.search(r"<li>Émirats arabes unis <abbr class=\"observer\"", html)


def test_unknown_unit_page_is_404_in_french(client):
    response = client.get("/units/san-jose-2025/999")
    assert response.status_code == 404
    assert "Ce paragraphe n&#39;existe pas dans l&#39;index." in response.text
    assert client.get("/nothing").status_code == 404


# --- the schema ---------------------------------------------------------------------------

def test_openapi_documents_every_route_and_facet(client):
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {"/", "/units/{doc_id}/{unit_id}", "/api/search", "/api/search.csv",
                                    "/api/search.jsonl", "/api/units/{doc}/{unit_id}", "/api/facets"}
    names = [p["name"] for p in schema["paths"]["/api/search"]["get"]["parameters"]]
    assert names == ["q", "page", "limit", "agenda", "state", "theme", "org", "report", "doc"]
    search = schema["paths"]["/api/search"]["get"]["responses"]
    assert search["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SearchResponse"}
    assert search["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    facet = schema["paths"]["/api/facets"]["get"]["parameters"][0]
    assert schema["components"]["schemas"]["FacetName"]["enum"] == ["agenda", "state", "theme", "org", "report", "doc"]
    assert facet["name"] == "facet"


def test_openapi_lists_the_values_of_small_facets(client, searcher):
    parameters = {p["name"]: p["schema"] for p in client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]}
    assert parameters["agenda"]["items"]["enum"] == [row.value for row in searcher.facet_values("agenda")]
    assert "Brésil" in parameters["state"]["items"]["enum"]
    assert parameters["limit"]["maximum"] == 10_000


@pytest.mark.slow
def test_serve_as_a_real_process_answers_then_stops_cleanly_on_ctrl_c(index_dir):
    import os
    import signal
    import subprocess
    import sys

    import httpx

    from tests.conftest import ROOT

    server = subprocess.Popen([sys.executable, "-m", "search", "serve", "--port", "0", "--index", str(index_dir),
                               "--corpus", str(CORPUS)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = server.stdout.readline()
        match = re.fullmatch(r"Serving the search at (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C stops it\)\n", line)
        assert match, line
        page = httpx.get(match[1], params={"q": "traite des personnes", "state": "BRA"}, timeout=10)
        assert page.status_code == 200 and 'role="status">32 résultats pour « traite des personnes »' in page.text
        api = httpx.get(match[1] + "api/search", params={"q": "traite des personnes", "state": "BRA"}, timeout=10)
        assert api.json()["total"] == 32 and api.json()["filters"] == {"state": ["Brésil"]}
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0
    assert err == "Stopped.\n"
    assert out == ""


@pytest.mark.parametrize("host,exposed", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_the_startup_line_says_when_the_search_is_exposed(searcher, monkeypatch, capsys, host, exposed):
    import uvicorn

    from search.web import serve

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets: None)  # started, then stopped at once
    serve(host=host, port=0, searcher=searcher)
    out = capsys.readouterr().out
    assert out.startswith(f"Serving the search at http://{host}:")
    assert ("exposed to every machine that can reach this one" in out) == exposed


def test_a_port_in_use_is_one_line(searcher):
    from search.web import listening_socket, serve
    from indexer.errors import InvalidRequestError

    taken = listening_socket("127.0.0.1", 0)
    try:
        with pytest.raises(InvalidRequestError, match=r"^cannot listen on 127\.0\.0\.1:\d+: Address already in use$"):
            serve(port=taken.getsockname()[1], searcher=searcher)
    finally:
        taken.close()


def test_the_other_commands_do_not_import_the_web_framework():
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys, search.cli, search.export; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'jinja2', 'starlette', 'search.web') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("error,status", [
    ("IndexUnavailableError", 503), ("CorpusError", 503), ("InvalidRequestError", 400)])
def test_what_the_searcher_cannot_do_has_its_status(searcher, monkeypatch, error, status):
    import indexer.errors

    message = "the index in /tmp/x is damaged (EOFError) — rebuild it with `congres index`"

    def failing(*args, **kwargs):
        raise getattr(indexer.errors, error)(message)

    client = TestClient(create_app(searcher))
    monkeypatch.setattr(searcher, "search", failing)
    response = client.get("/api/search?q=traite")
    assert (response.status_code, response.json()) == (status, {"error": message})
    page = client.get("/?q=traite")
    assert page.status_code == status and "Impossible de répondre : the index in /tmp/x is damaged" in page.text


def test_a_chip_of_a_filter_typed_in_the_query_takes_it_out_of_the_query(client):
    html = client.get("/", params={"q": "traite state:bresil", "theme": "victimes"}).text
    assert 'class="chip" href="/?q=traite&amp;theme=victimes"' in html  # Brésil's chip: out of q
    removed = client.get("/?q=traite&theme=victimes").text
    assert "Brésil" not in re.search(r'aria-label="Filtres actifs">(.*?)</ul>', removed, re.S).group(1)
