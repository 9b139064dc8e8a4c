"""A real Chromium (Debian's, through Playwright) against the app served by a
real HTTP server in a thread.

One browser per test session; a fresh app, SQLite file and server per test.
`app` here replaces the suite's `app` fixture, so `session` and `make` from
tests/conftest.py arrange data in the very database the browser sees.

Without Chromium the browser tests cannot run. With CURATION_REQUIRE_BROWSER=1
(CI) that is a failure; otherwise they are skipped and the run ends with a
loud "BROWSER TESTS NOT RUN" line, so nobody mistakes it for green.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import running_app

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "a long enough passphrase"  # the one tests/conftest.py's factory sets



@pytest.fixture
def app(tmp_path):
    """The app the browser talks to: its own SQLite file, no SERVER_NAME (the
    server answers on 127.0.0.1), no rate limit on the many logins."""
    with running_app(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path) as app:
        yield app


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class Pages:
    """Opens pages in browser contexts and checks what a browser would complain
    about: every console error (a CSP refusal, a script that broke) fails the test."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.console_errors: list[str] = []
        self.expected_errors: list[re.Pattern] = []

    def context(self, **options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context

    def page(self, context=None, **options):
        page = (context or self.context(**options)).new_page()
        page.on("console", self._note_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        return page

    def _note_console(self, message):
        if message.type != "error":
            return
        # Browsers ask for /favicon.ico on their own; the 400/401/409 answers
        # the tests provoke on purpose log a failed load too. A missing script
        # or stylesheet (404) still counts.
        if "favicon.ico" in (message.location or {}).get("url", ""):
            return
        if re.search(r"status of 40[019]\b", message.text):
            return
        if any(pattern.search(message.text) for pattern in self.expected_errors):
            return
        self.console_errors.append(f"{message.text} ({(message.location or {}).get('url', '')})")

    def expect_console_error(self, pattern: str):
        """A test that breaks something on purpose says what the browser will report."""
        self.expected_errors.append(re.compile(pattern))

    def log_in(self, page, user):
        page.goto("/auth/login")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(re.compile(r"^(?!.*/auth/login)"))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server):
    opened = Pages(browser, live_server)
    yield opened
    opened.close()
    assert not opened.console_errors, f"the browser reported errors: {opened.console_errors}"


@pytest.fixture
def axe():
    """Runs axe-core in a page; returns the serious and critical violations."""
    source = AXE.read_text(encoding="utf-8")

    def check(page) -> list[dict]:
        page.add_script_tag(content=source)
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "where": [node["target"] for node in v["nodes"]][:5],
            }
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check


@pytest.fixture
def screenshot():
    """Saves the whole page as tests/artifacts/<name>-<width>.png (ignored by git)."""

    def save(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}-{page.viewport_size['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
