"""English, the second language: every English catalog is complete (no empty or fuzzy entry, placeholders
kept, the compiled .mo matching its .po), and the early-warning and leaders' pages — the risk register,
escalation warnings, administrative disputes, the cockpit, hot issues and the public board — read in English
with no Chinese left in their headings.  A browser test takes screenshots of /cockpit/ and /risk/ in English
(tests/screenshots/english-*.png)."""

from __future__ import annotations

import gettext
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fengqiao.cockpit import rollup
from fengqiao.risk import services as risk_services
from tests.cases.builders import dispatch, register
from tests.cockpit.conftest import spread
from tests.factories import City
from tests.web.browser_kit import Clerk

SRC = Path(__file__).resolve().parents[2] / "src" / "fengqiao"
CATALOGS = sorted(SRC.glob("**/locale/en/LC_MESSAGES/*.po"))
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")  # Han, full-width forms, CJK punctuation
PLACEHOLDER = re.compile(r"%\([a-z0-9_]+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sdif]|\{[a-z0-9_]*\}")


@dataclass
class Entry:
    """One message of a PO file (obsolete ``#~`` entries are not read)."""

    line: int
    flags: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    def where(self, path: Path) -> str:
        return f"{path.relative_to(SRC)}:{self.line} {self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    """The entries of a PO file; the header (msgid "") is left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    for number, raw in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry is not None and entry.msgid:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = json.loads(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += text
            else:
                setattr(entry, target[0], (getattr(entry, target[0]) or "") + text)
        else:
            matched = re.fullmatch(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d)\])? (\".*\")", line)
            assert matched, f"{path}:{number}: cannot read {raw!r}"
            keyword, index, text = matched.group(1), int(matched.group(2) or 0), json.loads(matched.group(3))
            if keyword == "msgstr":
                entry.msgstr[index] = text
            else:
                setattr(entry, keyword, text)
            target = (keyword, index)
    return entries


def test_the_english_catalogs_are_found() -> None:
    apps = {path.relative_to(SRC).parts[0] for path in CATALOGS}
    assert {"locale", "risk", "warning", "legal", "cockpit", "intelligence", "stability", "mediation", "portal",
            "jurisdictions"} <= apps


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(SRC)))
def test_every_entry_is_translated_and_none_is_fuzzy(path: Path) -> None:
    entries = read_po(path)
    assert entries
    fuzzy = [e.where(path) for e in entries if "fuzzy" in e.flags]
    empty = [e.where(path) for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert not fuzzy, f"fuzzy entries (check the guess, then drop the flag): {fuzzy}"
    assert not empty, f"untranslated entries: {empty}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(SRC)))
def test_placeholders_are_kept(path: Path) -> None:
    wrong = []
    for e in read_po(path):
        names = sorted(re.sub(r"[-#0 +]*\d*(?:\.\d+)?(?=[sdif]$)", "", p) for p in PLACEHOLDER.findall(e.msgid))
        for text in e.msgstr.values():
            kept = sorted(re.sub(r"[-#0 +]*\d*(?:\.\d+)?(?=[sdif]$)", "", p) for p in PLACEHOLDER.findall(text))
            # a plural's singular may say "one" instead of the count
            if kept != names and not (e.msgid_plural and set(kept) <= set(names)):
                wrong.append(f"{e.where(path)}: {names} → {kept}")
        if "%%" in e.msgid and any("%%" not in t for t in e.msgstr.values()):
            wrong.append(f"{e.where(path)}: a doubled % in a template's msgid stays doubled")
    assert not wrong, wrong


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(SRC)))
def test_the_compiled_catalog_matches(path: Path) -> None:
    """The .mo files are committed: each must be compiled from its .po as it is now."""
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(SRC)} is missing: run compilemessages"
    with mo.open("rb") as handle:
        compiled: dict[Any, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for e in read_po(path):
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if compiled.get(key) != e.msgstr[0]:
                stale.append(e.where(path))
        elif any(compiled.get((key, i)) != text for i, text in e.msgstr.items()):
            stale.append(e.where(path))
    assert not stale, f"{mo.relative_to(SRC)} is out of date (run compilemessages): {stale[:5]}"


# --- the pages, in English -----------------------------------------------------------------------------

PAGES = {
    "/risk/": ("Major risk register", ["Risk screening", "Next review", "Responsible unit", "Listed"]),
    "/warning/": ("Dispute escalation warnings", ["Highest escalation probability first", "Below warning level"]),
    "/legal/": ("Administrative dispute monitoring", ["Open disputes", "Reconsideration deadline near"]),
    "/cockpit/": ("Leaders' cockpit", ["Resolution rate", "Risk map", "Hot issues", "Escalation warnings"]),
    "/hot-issues/": ("Hot issues", ["grouped by issue and community", "Heat index"]),
}


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def heading(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found, "no <h1>"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1).strip()


@pytest.fixture
def staffed(city: City) -> City:
    """The test city with figures rolled up and one risk on the register."""
    spread(city)
    rollup.ensure(force=True)
    case = dispatch(city, register(city, grid=0, title="小区电梯故障"))
    risk_services.open_from_case(city.users["risk_officer"], case.code, "key", "涉及群体性诉求，情绪激烈",
                                 city.departments[2].pk, city.users["leader"].pk)
    return city


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(PAGES))
def test_the_pages_read_in_english(staffed: City, path: str) -> None:
    client = Client()
    client.force_login(staffed.users["leader"])
    response = english(client).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    h1, texts = PAGES[path]
    assert '<html lang="en"' in html
    shown = heading(html)
    for name in (staffed.city.name, staffed.district.name, staffed.street.name):
        shown = shown.replace(name, "")  # the cockpit's heading names its scope, which is data
    assert h1 in shown
    assert not CJK.search(shown), shown
    assert not CJK.search(title(html).replace(staffed.city.name, "")), title(html)
    for text in texts:
        assert text in html.replace("&#x27;", "'"), text
    client.cookies["django_language"] = "zh-hans"
    assert CJK.search(heading(client.get(path).content.decode()))  # and the same page in Chinese


@pytest.mark.django_db
def test_the_cockpit_charts_words_are_english(staffed: City) -> None:
    client = Client()
    client.force_login(staffed.users["leader"])
    html = english(client).get("/cockpit/").content.decode()
    found = re.search(r'<script id="ck-text" type="application/json">(.*?)</script>', html, re.S)
    assert found
    words = json.loads(found.group(1))
    assert words["loading"] == "Loading…"
    assert not [w for w in words.values() if CJK.search(w)], words


@pytest.mark.django_db
def test_the_public_board_reads_in_english(staffed: City) -> None:
    html = english(Client()).get("/board/").content.decode()
    shown = heading(html)
    assert shown == "Public oversight · how public demands are handled"
    for text in ("Definitions", "Resolution rate", "This page publishes only totals by area"):
        assert text in html, text


@pytest.mark.browser
def test_screenshots_in_english(browser: Any, live_server: Any, live_city: City) -> None:
    spread(live_city)
    rollup.ensure(force=True)
    case = dispatch(live_city, register(live_city, grid=0, title="小区电梯故障"))
    risk_services.open_from_case(live_city.users["risk_officer"], case.code, "key", "涉及群体性诉求，情绪激烈",
                                 live_city.departments[2].pk, live_city.users["leader"].pk)
    leader = Clerk(browser, live_server.url, "leader")
    leader.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    leader.goto("/cockpit/?period=12m")
    page = leader.page
    page.wait_for_selector("#cockpit[data-ready='1']")
    page.wait_for_timeout(600)  # ECharts' entry animation
    assert page.locator("h1").inner_text().startswith("Leaders' cockpit")
    assert "Resolution rate" in page.locator("[data-testid=kpis]").inner_text()
    leader.shot("english-cockpit")
    leader.goto("/risk/")
    assert page.locator("h1").inner_text() == "Major risk register"
    assert case.code in page.locator("main").inner_text()
    leader.shot("english-risk")
    leader.close()
