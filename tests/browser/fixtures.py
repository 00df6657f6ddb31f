"""Real-browser fixtures: Debian's Chromium, headless, driven by Playwright.

Every request that leaves 127.0.0.1 is blocked and recorded; a console error
fails the test (errors caused by the blocked base-map tiles excepted: the map
must stay readable without them).
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

# Playwright's sync API keeps an asyncio loop running in the test thread, so Django
# would refuse database calls there (test database set-up, flush, ORM checks);
# that thread is not really serving async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageLog:
    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.console_errors: list[str] = []


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, live_server, page_log):
    """A fresh browser page; ``page_log`` holds what it tried to load from elsewhere and its console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(15_000)

    def route(route):
        host = urlsplit(route.request.url).hostname
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            page_log.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()

    def on_console(message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if url in page_log.blocked or (
            "Failed to load resource" in message.text and urlsplit(url).hostname not in LOCAL_HOSTS
        ):
            return
        page_log.console_errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_log.console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert page_log.console_errors == [], "the page logged errors in the console"
