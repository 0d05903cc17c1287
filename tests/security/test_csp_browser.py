"""The Content Security Policy is enforced and the main pages live with it: Debian's chromium opens the inbox,
a case page (with its htmx reply-quality check), the registration form with its map, the cockpit's charts, the
risk register, mediation, a grid's map, the board and the citizens' portal, and no page reports a violation
(the ``securitypolicyviolation`` event, the console) or a script error."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cockpit import rollup
from tests.factories import PASSWORD, City
from tests.security import world as worlds
from tests.web.browser_kit import DESKTOP

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":"
                    + e.lineNumber);
});
"""


class Watched:
    """A page whose CSP violations, console errors and script errors are collected."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        # (a status the app answers on purpose, e.g. 400 to a short reply, is logged as "Failed to load resource")
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if (m.type == "error" and "Failed to load resource" not in m.text)
                or "Content Security Policy" in m.text else None)
        page.on("response", lambda r: self.problems.append(f"missing {r.url}")
                if r.status == 404 else None)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))

    def visit(self, url: str, ready: str | None = None) -> None:
        response = self.page.goto(url)
        assert response is not None, url
        assert response.status == 200, f"{url}: {response.status}"
        assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), url
        if ready:
            self.page.wait_for_selector(ready, state="attached")
        self.page.wait_for_timeout(300)
        seen = self.page.evaluate("window.__csp")
        self.problems += [f"{url}: {v}" for v in seen]


def _clerk(browser: Any, base: str, username: str) -> Watched:
    """A signed-in browser with the policy enforced (the functional tests bypass it: tests/web/browser_kit.py)."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=False)
    context.add_init_script(WATCH)
    watched = Watched(context.new_page())
    watched.visit(f"{base}/login/")
    watched.page.fill("#id_username", username)
    watched.page.fill("#id_password", PASSWORD)
    watched.page.click("form button.primary")
    watched.page.wait_for_url(f"{base}/")
    return watched


def test_the_main_pages_raise_no_csp_violation(browser: Any, live_server: Any, live_city: City) -> None:
    world = worlds.build(live_city)
    p = world.params
    rollup.ensure(force=True)
    base = live_server.url

    admin = _clerk(browser, base, "admin")
    for path, ready in [("/", None), (f"/cases/{p['code:case']}/", None), ("/cases/new/", None),
                        ("/cockpit/?period=12m", "#cockpit[data-ready='1']"), ("/risk/", None),
                        (f"/risk/{p['code:risk']}/", None), ("/mediation/", None),
                        (f"/mediation/{p['code:mediation']}/", None), (f"/grids/{p['code:grid']}/", None),
                        ("/stability/", None), (f"/stability/{p['code:stability']}/", None), ("/hot-issues/", None),
                        ("/ranking/", None), ("/mediation/figures/", None), ("/risk/indicators/", None),
                        ("/warning/", None), ("/legal/figures/", None), ("/coverage/", None),
                        ("/stability/new/", None), ("/api/docs", "#swagger-ui .info"), ("/admin/", None),
                        ("/admin/accounts/user/", None)]:
        admin.visit(base + path, ready)
    # the handler's case page: the reply form checks the reply's quality through htmx as she types
    handler = _clerk(browser, base, "handler")
    handler.visit(f"{base}/cases/{p['code:case']}/")
    handler.page.click("details.action-reply summary")
    handler.page.fill("#id_reply-text", "已处理")
    handler.page.wait_for_selector("#reply-quality :first-child", state="attached")
    # the grid worker's patrol app (a service worker, its own scripts)
    worker = _clerk(browser, base, "grid_worker")
    worker.visit(f"{base}/patrol/")
    # the cockpit's scope selector submits its form without an inline handler
    leader = _clerk(browser, base, "leader")
    leader.visit(f"{base}/cockpit/?period=12m", "#cockpit[data-ready='1']")
    leader.page.select_option("#ck-scope", str(live_city.street.pk))
    leader.page.wait_for_selector("#cockpit[data-ready='1']")
    assert "城东街道" in leader.page.locator("h1").inner_text()

    # anonymous visitors: the board and the citizens' portal
    context = browser.new_context(locale="zh-CN", bypass_csp=False)
    context.add_init_script(WATCH)
    visitor = Watched(context.new_page())
    visitor.visit(f"{base}/board/")
    visitor.visit(f"{base}/portal/")
    visitor.visit(f"{base}/portal/verify/")
    visitor.visit(f"{base}/portal/track/{p['code:mediation']}/")
    visitor.visit(f"{base}/e/")
    # the policy is really enforced: an inline handler slipped into the page does not run and is reported
    before = list(visitor.problems)
    visitor.page.evaluate("""() => { const b = document.createElement("button");
        b.setAttribute("onclick", "window.__ran = 1"); document.body.append(b); b.click(); }""")
    visitor.page.wait_for_timeout(200)
    assert visitor.page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in visitor.page.evaluate("window.__csp"))
    visitor.problems[:] = before  # (the probe's own console report)
    context.close()

    problems = admin.problems + handler.problems + worker.problems + leader.problems + visitor.problems
    assert problems == [], "\n".join(problems)
