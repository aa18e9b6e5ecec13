"""Browser fixtures of the web tests: Debian's headless Chromium driven by Playwright (never a downloaded
browser). A test module calls :func:`require_browser` before it imports Playwright, and loads the fixtures
with ``pytest_plugins = ["support.browser"]``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .processes import CHROMIUM, CHROMIUM_ARGS, chromium_available

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

VIEWPORT = {"width": 1280, "height": 900}


def browser_missing() -> bool:
    """Whether Chromium or Playwright is missing; an error instead when ``CNKG_BROWSER_TESTS=required``
    (CI sets it after installing Chromium, so that it can never pass by skipping the browser tests)."""
    if chromium_available():
        return False
    if os.environ.get("CNKG_BROWSER_TESTS") == "required":
        raise RuntimeError("browser tests are required but /usr/bin/chromium or playwright is missing")
    return True


def require_browser() -> None:
    """Skip the calling test module when Chromium or Playwright is missing (see :func:`browser_missing`)."""
    if browser_missing():
        pytest.skip("needs Debian's chromium and the playwright package", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (zh-CN, 1280×900); the test fails if the page throws a script error."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors
