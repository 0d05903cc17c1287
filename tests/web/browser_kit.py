"""What the browser tests share: Debian's chromium (never a downloaded browser) and a clerk's session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def launch_chromium() -> Iterator[Any]:
    """The ``browser`` fixture's body: skip (or, with FENGQIAO_REQUIRE_BROWSER=1, fail) without chromium."""
    if not CHROMIUM.exists():
        message = "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("FENGQIAO_REQUIRE_BROWSER"):  # CI installs it: a missing browser is a failure there
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        _bypass_csp_by_default(launched)
        yield launched
        launched.close()
        # While Playwright's loop runs, the test's ORM calls get a connection of their own (Django's
        # per-context store): close it inside the loop, or PostgreSQL cannot drop the test database.
        from django.db import connections

        connections.close_all()


def _bypass_csp_by_default(browser: Any) -> None:
    """Playwright's ``wait_for_function`` evaluates its string in the page, which our Content Security Policy
    (no 'unsafe-eval') refuses; the functional browser tests therefore bypass the policy.  The policy itself is
    tested with it enforced (``bypass_csp=False``) on every main page: tests/security/test_csp_browser.py."""
    plain = browser.new_context

    def new_context(**options: Any) -> Any:
        options.setdefault("bypass_csp", True)
        return plain(**options)

    browser.new_context = new_context


class Clerk:
    """One person's browser session."""

    def __init__(self, browser: Any, base: str, username: str, viewport: dict[str, int] = DESKTOP,
                 shots: Path = SHOTS) -> None:
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base
        self.username = username
        self.shots = shots
        self.page.goto(f"{base}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("form button.primary")
        self.page.wait_for_url(f"{base}/")

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def shot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def status(self) -> str:
        return str(self.page.locator("[data-testid=status]").inner_text()).strip()

    def act(self, action: str, fill: dict[str, str] | None = None, *, select: dict[str, str] | None = None,
            check: list[str] | None = None) -> None:
        panel = self.page.locator(f'details[data-action="{action}"]')
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()
        for name, value in (select or {}).items():
            panel.locator(f'select[name="{action}-{name}"]').select_option(label=value)
        for name, value in (fill or {}).items():
            panel.locator(f'[name="{action}-{name}"]').fill(value)
        for label in check or []:
            panel.get_by_label(label, exact=True).check()
        panel.locator("button[type=submit]").click()
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.context.close()
