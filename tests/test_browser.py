"""The built book in a real browser: headless Chromium, driven by Playwright, offline.

For every page of the table of contents: it renders its title; every image
loads; there are no JavaScript errors; the sidebar lists every page; math
renders (MathJax is bundled, and every request that would leave the local
server is blocked, as on a machine with no internet); a screenshot is saved
under _build/screenshots/ for a person to look at. Search finds a term that
appears in the book.

Needs Debian's ``chromium`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from finbook.paths import ROOT

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server(built_book) -> Iterator[str]:
    assert built_book.returncode == 0, "the book did not build; see test_book.py"
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is needed for the browser test: `apt-get install chromium` "
                    "(.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def offline_page(browser, server):
    """A page whose every request off the local server is blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    errors: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(server + "/") or url.startswith("data:"):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    yield page, blocked, errors
    context.close()


def _normalise(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


def test_every_page_renders_in_a_browser(offline_page, server, toc_pages):
    page, blocked, errors = offline_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    expected_links = {f"{server}/{p}.html" for p in toc_pages}
    pages_with_math = 0
    for name in toc_pages:
        url = f"{server}/{name}.html"
        errors.clear()
        page.goto(url, wait_until="networkidle")
        # title
        heading = page.locator("main h1").first.inner_text().replace("#", "").strip()
        assert heading, f"{name}: no visible <h1> title"
        # the <title> carries the chapter number ("3. Deep learning ..."), the <h1> may not
        title = page.title()
        assert heading in title, f"{name}: <title> {title!r} does not contain the h1 {heading!r}"
        # images
        broken = page.evaluate("Array.from(document.images)"
                               ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        assert broken == [], f"{name}: images that did not load: {broken}"
        # sidebar lists every page of the book
        links = page.evaluate("Array.from(document.querySelectorAll('nav.bd-docs-nav a'))"
                              ".map(a => a.href)")
        listed = {_normalise(h) for h in links} | {_normalise(url)}
        missing = sorted(expected_links - listed)
        assert missing == [], f"{name}: the sidebar does not list {missing}"
        # math: every formula typeset by the bundled MathJax, without errors
        n_math = page.locator("main .math").count()
        if n_math:
            pages_with_math += 1
            page.wait_for_function(
                "n => document.querySelectorAll('main mjx-container').length >= n", arg=n_math,
                timeout=20_000)
            assert page.locator("main mjx-merror").count() == 0, f"{name}: MathJax errors"
        page.screenshot(path=str(SHOTS / f"{name.replace('/', '__')}.png"), full_page=True)
        assert errors == [], f"{name}: JavaScript errors: {errors}"
    assert blocked == [], f"pages tried to reach the internet: {sorted(set(blocked))[:10]}"
    assert pages_with_math > 0, "no page with equations was checked"


def test_search_finds_a_term_of_the_book(offline_page, server):
    page, blocked, errors = offline_page
    page.goto(f"{server}/search.html?q=checksum", wait_until="networkidle")
    page.wait_for_selector("#search-results li", timeout=20_000)
    hits = page.locator("#search-results li").count()
    assert hits > 0
    assert errors == []
