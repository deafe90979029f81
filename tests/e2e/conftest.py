"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os

# Playwright's sync API runs an event loop in the test thread, so Django would refuse the database
# access that tests and factories do there. Set before Django or Playwright is imported.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path  # noqa: E402
from urllib.parse import urldefrag  # noqa: E402

import pytest  # noqa: E402

from ..conftest import require_service  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.access(CHROMIUM, os.X_OK):
        require_service(f"Chromium ({CHROMIUM})")
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",  # needed as root, and harmless otherwise
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in page.goto() go to pytest-django's live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English unless a test switches: the portal honours Accept-Language, and the machine's locale
    # must not decide what the tests see.
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def _own_cache(isolated_cache):
    """Rate limits (allauth sends one verification email per address every few minutes) and sessions
    live in the cache, which on Redis outlives the test run; each test gets a namespace of its own.
    The live server thread shares the process's settings, so it uses the same namespace."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest.fixture
def site(request, live_server, page):
    """A browser page on the live server that fails the test on a Content Security Policy violation
    and on any page it visited without an axe check (see ``axe.assert_accessible``)."""
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    csp_violations, visited = [], []
    page._axe_checked = set()

    def on_console(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(f"{page.url}: {message.text}")

    def on_navigated(frame):
        if frame == page.main_frame:
            visited.append(urldefrag(frame.url).url)

    page.on("console", on_console)
    page.on("framenavigated", on_navigated)
    yield page
    assert not csp_violations, "Content Security Policy violations:\n" + "\n".join(csp_violations)
    if getattr(request.node, "e2e_call_failed", True):
        return  # the test stopped early; its own failure says what went wrong
    unchecked = sorted({url for url in visited if url not in page._axe_checked and url != "about:blank"})
    assert not unchecked, "pages visited without an axe check:\n" + "\n".join(unchecked)
