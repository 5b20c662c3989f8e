"""The search page in a real browser: Debian's Chromium driven by Playwright, against a real
uvicorn server on a free port. What a person sees: totals, counts, Back, a unit, the keyboard,
hostile queries shown as text, the page without JavaScript.

Skipped when Playwright or Chromium is missing, except under CI=true, where they must run.
``CONGRES_SCREENSHOT=docs/web.png`` also saves the screenshot the README shows.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from urllib.parse import quote

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOT_ENV = "CONGRES_SCREENSHOT"

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

_missing = ("Playwright is not installed" if sync_playwright is None else
            "Debian's chromium is not on PATH" if CHROMIUM is None else None)
if _missing:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run under CI=true: {_missing}", pytrace=False)
    pytest.skip(f"browser tests need Playwright and Chromium: {_missing}", allow_module_level=True)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def searcher(default_searcher):
    return default_searcher  # the engine congres serve chooses, not each engine in turn


@pytest.fixture(scope="module")
def server(searcher):
    """A real uvicorn server in a thread, on a free loopback port; yields its base URL."""
    import uvicorn

    from search.web import create_app, listening_socket

    sock = listening_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(searcher), log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page with its console errors, page errors and dialogs recorded."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)


@pytest.fixture
def watched(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    watched = Watched(context)
    yield watched
    context.close()
    assert watched.errors == [], "console or page errors"
    assert watched.dialogs == [], "a dialog was opened"


def _total(searcher, query="", **filters) -> int:
    return searcher.search(query, filters={k: [v] for k, v in filters.items()}).total


def _status(total: int, query: str, pages: int) -> str:
    tail = f" · page 1 sur {pages}" if pages > 1 else ""
    return f"{total} résultat{'s' if total > 1 else ''} pour « {query} »{tail}"


def _checkbox(page, facet: str, value: str):
    return page.locator(f'input[type="checkbox"][name="{facet}"][value="{value}"]')


def _count_of(page, facet: str, value: str) -> int:
    box = _checkbox(page, facet, value)
    label = page.locator(f'label[for="{box.get_attribute("id")}"] .count')
    return int(label.inner_text())


def test_typing_shows_the_total_then_a_state_filters_and_back_restores(watched, server, searcher):
    page = watched.page
    page.goto(server + "/")
    page.locator("#q").press_sequentially("traite des personnes", delay=20)
    total = _total(searcher, "traite des personnes")
    expect(page.locator('[role="status"]')).to_have_text(_status(total, "traite des personnes", -(-total // 10)))
    assert page.url.endswith("/?q=traite+des+personnes")
    assert page.locator(".hit").count() == 10
    assert page.locator(".hit mark").first.inner_text().lower() in {"traite", "personnes"}

    _checkbox(page, "state", "Brésil").check()
    filtered = _total(searcher, "traite des personnes", state="Brésil")
    expect(page.locator('[role="status"]')).to_have_text(_status(filtered, "traite des personnes", -(-filtered // 10)))
    assert "state=Br%C3%A9sil" in page.url
    assert _checkbox(page, "state", "Brésil").is_checked()
    results = searcher.search("traite des personnes", filters={"state": ["Brésil"]})
    chile = next(row.count for row in results.facets["state"] if row.value == "Chili")
    assert _count_of(page, "state", "Chili") == chile  # other states still counted (disjunctive)
    expect(page.locator(".chip")).to_have_count(1)
    if os.environ.get(SCREENSHOT_ENV):
        page.screenshot(path=str(ROOT / os.environ[SCREENSHOT_ENV]), full_page=False)

    page.go_back()
    expect(page.locator('[role="status"]')).to_have_text(_status(total, "traite des personnes", -(-total // 10)))
    assert not _checkbox(page, "state", "Brésil").is_checked()
    assert page.locator("#q").input_value() == "traite des personnes"
    expect(page.locator(".chip")).to_have_count(0)

    page.go_back()  # the typing was one entry: back to the empty page
    expect(page.locator("#q")).to_have_value("")
    assert page.url == server + "/"

    page.go_forward()
    page.go_forward()
    expect(page.locator('[role="status"]')).to_have_text(_status(filtered, "traite des personnes", -(-filtered // 10)))
    assert _checkbox(page, "state", "Brésil").is_checked()


def test_pages_chips_and_clear_all(watched, server, searcher):
    page = watched.page
    page.goto(f"{server}/?q=criminalit%C3%A9&state={quote('Brésil')}&theme={quote('criminalité organisée')}")
    expect(page.locator(".chip")).to_have_count(2)
    page.locator(".pagination a[rel=next]").click()
    expect(page.locator('[aria-current="page"]')).to_have_text("2")
    assert "page=2" in page.url
    page.locator(".chip", has_text="Brésil").click()
    expect(page.locator(".chip")).to_have_count(1)
    assert _total(searcher, "criminalité", theme="criminalité organisée") == int(
        re.match(r"(\d+)", page.locator('[role="status"]').inner_text())[1])
    page.locator("a.clear").click()
    expect(page.locator(".chip")).to_have_count(0)
    assert page.locator("#q").input_value() == "criminalité"
    assert page.url == f"{server}/?q=criminalit%C3%A9"
    page.go_back()
    expect(page.locator(".chip")).to_have_count(1)


def test_opening_a_unit_and_coming_back(watched, server, searcher):
    page = watched.page
    watched.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto(f"{server}/?q=armes+%C3%A0+feu")
    first = page.locator(".hit a").first
    citation = first.locator(".citation").inner_text()
    first.click()
    expect(page.locator("h1 .citation")).to_have_text(citation)
    hit = searcher.search("armes à feu").hits[0]
    assert page.locator(".text").inner_text() == hit.text
    button = page.get_by_role("button", name="copier la citation")
    button.click()
    expect(page.locator(".copied")).to_have_text(f"Citation copiée : {hit.citation_full}")
    assert page.evaluate("navigator.clipboard.readText()") == hit.citation_full == f"{hit.doc}, par. {hit.paragraph}"
    page.get_by_role("link", name="← Retour à la recherche").click()
    expect(page.locator("#q")).to_have_value("armes à feu")
    assert page.locator(".hit .citation").first.inner_text() == citation


def test_slash_focuses_the_search_box_and_the_keyboard_ticks_filters(watched, server, searcher):
    page = watched.page
    page.goto(server + "/?q=corruption")
    page.locator("body").click(position={"x": 5, "y": 400})
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    box = _checkbox(page, "state", "Chili")
    box.focus()
    page.keyboard.press("Space")
    expect(page.locator(".chip")).to_have_count(1)
    assert page.evaluate("document.activeElement.value") == "Chili"  # focus stays on the ticked box


def test_long_lists_are_cut_and_can_be_filtered(watched, server):
    page = watched.page
    page.goto(server + "/")
    states = page.locator('fieldset[data-facet="state"]')
    more = states.locator("details.more")
    expect(more.locator("summary")).to_contain_text("voir plus")
    assert not more.evaluate("el => el.open")
    states.locator(".facet-filter").fill("hondu")
    visible = states.locator(".values li:visible")
    expect(visible).to_have_count(1)
    assert visible.inner_text().startswith("Honduras")


@pytest.mark.parametrize("query", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
                                   "</title><svg onload=alert(1)>"])
def test_hostile_queries_are_shown_as_text_and_never_run(watched, server, query):
    page = watched.page
    page.goto(server + "/")
    page.locator("#q").fill(query)
    expect(page.locator('[role="status"]')).to_contain_text(f"« {query} »")
    page.goto(f"{server}/?q={quote(query)}")
    expect(page.locator('[role="status"]')).to_contain_text(f"« {query} »")
    assert page.locator("#q").input_value() == query
    assert page.locator("#region img, #region svg, #region script").count() == 0
    assert watched.dialogs == []


def test_the_page_works_without_javascript(browser, server, searcher):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + "/")
        page.locator("#q").fill("traite des personnes")
        page.locator("#q").press("Enter")
        page.wait_for_url("**/?q=traite+des+personnes")
        total = _total(searcher, "traite des personnes")
        assert page.locator('[role="status"]').inner_text() == _status(total, "traite des personnes", -(-total // 10))
        _checkbox(page, "state", "Brésil").check()
        page.get_by_role("button", name="Appliquer les filtres").click()
        page.wait_for_url("**state=Br%C3%A9sil**")
        filtered = _total(searcher, "traite des personnes", state="Brésil")
        assert page.locator('[role="status"]').inner_text().startswith(f"{filtered} résultats")
        page.locator(".pagination a[rel=next]").click()
        page.wait_for_url("**page=2**")
        assert page.locator('[aria-current="page"]').inner_text() == "2"
    finally:
        context.close()


def test_readable_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(server + "/?q=corruption")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        results_top = page.locator("#results").bounding_box()["y"]
        facets_top = page.locator(".facets").bounding_box()["y"]
        assert results_top < facets_top  # results first on a narrow screen
    finally:
        context.close()
