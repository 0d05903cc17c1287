"""Authorization over every URL of the project and every API operation, as every role of the test city.

The expectations are data: one line a URL name (or API operation), one column a role, in the order of ``ROLES``:

    anonymous citizen grid_worker operator dispatcher handler mediator judge risk_officer leader unit_leader admin

A cell is the status the role gets: ``200``; ``3xx`` a redirect to a page the role may see; ``L`` a redirect to
the login page; ``AL`` a redirect to the admin's login page; ``400``/``422`` the action was reached and refused
its empty form (the role may act); ``401`` no session (API); ``403`` the role may not; ``404`` the object is
outside the role's reach (its existence does not leak) or does not exist; ``405`` the method is not allowed.
A 5xx is never expected.  Public doors (anyone, no login) are marked in ``PUBLIC``.

A new URL or API operation without a line here fails ``test_every_url_has_an_expectation``: add its line
(docs/security.md, "Adding a URL").  Objects named in paths come from tests.security.world; GET for pages,
POST with an empty form (or an empty JSON body) for actions (tests.security.doors).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import City
from tests.security import doors, harness
from tests.security import world as worlds

ROLES = worlds.ROLES

# Doors open to anyone by design: health probes, login, the citizen's evaluation and portal pages (their
# codes are the credential, guessing is rate-limited), the public board, the published assessment notice,
# Open311 GeoReport (public fields only), the API's schema and docs, the patrol app's service worker.
PUBLIC = {"healthz", "readyz", "login", "evaluate_code", "evaluate_sms", "evaluate_link", "set_language", "board",
          "stability_public", "patrol_sw", "patrol_manifest", "api:openapi-json", "api:openapi-view", "api:api-root",
          "GET /api/evaluations/{link_code}", "POST /api/evaluations/{link_code}", "POST /api/evaluations/by-sms",
          "POST /api/portal/codes", "POST /api/portal/tokens", "GET /api/portal/mediations/{code}"} | {
    name for name in doors.PATHS if name.startswith(("portal:", "open311:"))}

PAGES: dict[str, str] = {
    #                                              anon cit grid oper disp hand medi judg risk lead uldr adm
    "healthz":                                     "200 200 200 200 200 200 200 200 200 200 200 200",
    "readyz":                                      "200 200 200 200 200 200 200 200 200 200 200 200",
    "metrics":                                     "403 403 403 403 403 403 403 403 403 403 403 403",
    "login":                                       "200 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "logout":                                      "L   L   L   L   L   L   L   L   L   L   L   L",
    "two_factor_enrol":                            "L   200 200 200 200 200 200 200 200 200 200 200",
    "two_factor_recovery":                         "L   3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "two_factor_verify":                           "L   3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "inbox":                                       "L   200 200 200 200 200 200 200 200 200 200 200",
    "evaluate_code":                               "200 200 200 200 200 200 200 200 200 200 200 200",
    "evaluate_sms":                                "404 404 404 404 404 404 404 404 404 404 404 404",
    "evaluate_link":                               "404 404 404 404 404 404 404 404 404 404 404 404",
    "case_new":                                    "L   200 200 200 200 403 403 403 403 403 403 200",
    "import_list":                                 "L   403 403 200 200 403 403 403 403 403 403 200",
    "import_new":                                  "L   403 403 200 200 403 403 403 403 403 403 200",
    "import_detail":                               "L   403 403 200 200 403 403 403 403 403 403 200",
    "import_errors":                               "L   403 403 200 200 403 403 403 403 403 403 200",
    "locate_address":                              "L   200 200 200 200 403 403 403 403 403 403 200",
    "street_grids":                                "L   404 404 200 200 403 403 403 403 403 403 200",
    "route_suggest":                               "L   200 200 200 200 403 403 403 403 403 403 200",
    "reply_reviews":                               "L   403 403 403 403 403 403 403 403 403 200 403",
    "reply_review_decide":                         "L   400 400 400 400 400 400 400 400 400 400 400",
    "reply_score":                                 "L   403 403 400 400 400 404 404 403 403 403 403",
    "case_detail":                                 "L   200 200 200 200 200 404 404 200 200 200 200",
    "case_reveal":                                 "L   200 403 200 403 200 404 404 403 403 403 200",
    "case_act":                                    "L   400 400 400 400 400 404 404 400 400 400 400",
    "consultation_act":                            "L   403 403 403 400 403 404 404 403 400 400 400",
    "attachment_download":                         "L   404 404 404 404 404 404 404 404 404 404 404",
    "case_merge_into":                             "L   404 400 400 400 404 404 404 400 400 404 400",
    "set_language":                                "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "notifications":                               "L   200 200 200 200 200 200 200 200 200 200 200",
    "notifications_read":                          "L   3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "ranking":                                     "L   403 403 403 200 200 403 403 403 200 200 200",
    "ranking_export":                              "L   403 403 403 200 200 403 403 403 200 200 200",
    "ranking_refresh":                             "L   404 404 404 3xx 404 404 404 404 3xx 404 3xx",
    "appeal_list":                                 "L   404 404 404 200 200 404 404 404 200 404 200",
    "mediator_list":                               "L   403 200 200 200 200 200 200 200 200 200 200",
    "mediator_detail":                             "L   403 200 200 200 200 200 200 200 200 200 200",
    "mediator_availability":                       "L   403 403 403 403 403 403 403 403 403 403 400",
    "mediation_figures":                           "L   403 403 403 403 403 200 403 403 200 200 200",
    "subsidy_statements":                          "L   403 403 403 403 403 200 403 403 200 200 200",
    "subsidy_export":                              "L   403 403 403 403 403 200 403 403 200 200 200",
    "mediation_list":                              "L   403 200 200 200 200 200 200 200 200 200 200",
    "mediation_open":                              "L   403 403 403 403 403 404 404 403 403 403 200",
    "confirmation_queue":                          "L   403 403 403 403 403 403 200 403 403 403 403",
    "confirmation_review":                         "L   404 404 404 404 404 404 404 404 404 404 404",
    "mediation_detail":                            "L   404 404 200 200 404 404 404 404 200 404 200",
    "mediation_act":                               "L   404 404 400 400 404 404 404 404 400 404 400",
    "mediation_document":                          "L   404 404 404 404 404 404 404 404 404 404 404",
    "risk_list":                                   "L   403 200 200 200 200 200 200 200 200 200 200",
    "risk_campaigns":                              "L   403 200 200 200 200 200 200 200 200 200 200",
    "risk_campaign_new":                           "L   403 403 403 403 403 403 403 200 200 403 200",
    "risk_campaign":                               "L   404 404 404 404 404 404 404 404 404 404 404",
    "risk_screen":                                 "L   404 404 404 404 404 404 404 404 404 404 404",
    "risk_indicators":                             "L   403 403 403 403 403 403 403 200 200 200 200",
    "risk_indicator_export":                       "L   403 403 403 403 403 403 403 200 200 200 200",
    "risk_indicator_drill":                        "L   403 403 403 403 403 403 403 200 200 200 200",
    "risk_open":                                   "L   403 200 403 200 403 404 404 200 200 200 200",
    "risk_detail":                                 "L   404 200 200 200 404 200 200 200 200 404 200",
    "risk_act":                                    "L   404 400 400 400 404 400 400 400 400 404 400",
    "warning_list":                                "L   403 200 200 200 200 200 200 200 200 200 200",
    "warning_rental":                              "L   403 200 200 200 200 200 200 200 200 200 200",
    "warning_family":                              "L   403 200 200 200 200 200 200 200 200 200 200",
    "warning_rescore":                             "L   403 3xx 3xx 3xx 3xx 404 404 3xx 3xx 3xx 3xx",
    "stability_list":                              "L   403 200 200 200 200 200 200 200 200 200 200",
    "stability_new":                               "L   403 403 403 403 200 403 403 200 200 200 200",
    "stability_public":                            "404 404 404 404 404 404 404 404 404 404 404 404",
    "stability_detail":                            "L   404 200 200 200 200 200 200 200 200 200 200",
    "stability_report":                            "L   404 404 404 404 404 404 404 404 404 404 404",
    "stability_act":                               "L   404 400 400 400 400 400 400 400 400 400 400",
    "legal_list":                                  "L   403 403 403 403 403 403 403 200 200 200 200",
    "legal_figures":                               "L   403 403 403 403 403 403 403 200 200 200 200",
    "legal_scan":                                  "L   403 3xx 3xx 3xx 3xx 404 404 3xx 3xx 3xx 3xx",
    "legal_flag":                                  "L   200 200 200 200 200 404 404 200 200 200 200",
    "legal_detail":                                "L   403 403 403 403 403 403 403 404 404 404 404",
    "legal_act":                                   "L   403 403 403 403 403 403 403 404 404 404 404",
    "cockpit":                                     "L   403 403 403 200 403 403 403 200 200 403 200",
    "cockpit_data":                                "L   403 403 403 200 403 403 403 200 200 403 200",
    "cockpit_cases":                               "L   403 403 403 200 403 403 403 200 200 403 200",
    "cockpit_reports":                             "L   403 403 403 200 403 403 403 200 200 403 200",
    "cockpit_report_file":                         "L   403 403 403 400 403 403 403 400 400 403 400",
    "hot_issues":                                  "L   403 403 403 200 403 403 403 200 200 200 200",
    "hot_issue":                                   "L   403 403 403 200 403 403 403 200 200 200 200",
    "board":                                       "200 200 200 200 200 200 200 200 200 200 200 200",
    "portal:home":                                 "200 200 200 200 200 200 200 200 200 200 200 200",
    "portal:verify":                               "200 200 200 200 200 200 200 200 200 200 200 200",
    "portal:verify_code":                          "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:leave":                                "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:apply":                                "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:track_form":                           "200 200 200 200 200 200 200 200 200 200 200 200",
    "portal:track":                                "200 200 200 200 200 200 200 200 200 200 200 200",
    "portal:qr":                                   "200 200 200 200 200 200 200 200 200 200 200 200",
    "portal:saved":                                "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:mediators":                            "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:evidence":                             "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:rate":                                 "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:withdraw":                             "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:confirmation":                         "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx",
    "portal:attachment":                           "404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:agreement_pdf":                        "404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:ruling_pdf":                           "404 404 404 404 404 404 404 404 404 404 404 404",
    "patrol":                                      "L   403 200 403 403 403 403 403 403 403 403 403",
    "patrol_sw":                                   "200 200 200 200 200 200 200 200 200 200 200 200",
    "patrol_manifest":                             "200 200 200 200 200 200 200 200 200 200 200 200",
    "coverage":                                    "L   403 403 403 200 403 403 403 200 200 403 200",
    "coverage_campaigns":                          "L   403 403 403 200 403 403 403 200 200 403 200",
    "coverage_campaign":                           "L   403 403 403 200 403 403 403 200 200 403 200",
    "grid_teams":                                  "L   403 403 403 200 403 403 403 403 200 403 200",
    "grid_detail":                                 "L   404 200 200 200 404 404 404 200 200 404 200",
    "grid_team_reveal":                            "L   404 200 403 200 404 404 404 200 200 404 200",
    "grid_visit":                                  "L   404 200 200 200 404 404 404 200 200 404 200",
    "grid_visit_photo":                            "L   404 404 404 404 404 404 404 404 404 404 404",
    "open311:discovery":                           "200 200 200 200 200 200 200 200 200 200 200 200",
    "open311:services":                            "200 200 200 200 200 200 200 200 200 200 200 200",
    "open311:service":                             "200 200 200 200 200 200 200 200 200 200 200 200",
    "open311:requests":                            "200 200 200 200 200 200 200 200 200 200 200 200",
    "open311:request":                             "200 200 200 200 200 200 200 200 200 200 200 200",
    "open311:token":                               "404 404 404 404 404 404 404 404 404 404 404 404",
    "api:openapi-json":                            "200 200 200 200 200 200 200 200 200 200 200 200",
    "api:openapi-view":                            "200 200 200 200 200 200 200 200 200 200 200 200",
    "api:api-root":                                "404 404 404 404 404 404 404 404 404 404 404 404",
}

# API operations (from /api/openapi.json), "METHOD path", each called with the least JSON body its schema accepts
# (tests.security.harness.minimal_body), so that the permission check answers: 403/404 refused, 409 (the
# entry's state or version) or 400 (a business rule on the dummy values) reached; 422 where a body cannot be
# guessed (a version the caller must know, a visit's GPS fix).  They run in this order on one world.
API: dict[str, str] = {
    "GET /api/cases":                              "401 200 200 200 200 200 200 200 200 200 200 200",
    "POST /api/cases":                             "401 400 400 400 400 403 403 403 403 403 403 400",
    "GET /api/cases/{code}":                       "401 200 200 200 200 200 404 404 200 200 200 200",
    "GET /api/cases/{code}/events":                "401 200 200 200 200 200 404 404 200 200 200 200",
    "POST /api/cases/{code}/actions":              "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/cases/{code}/resend-evaluation":    "401 403 403 409 409 403 404 404 403 403 403 403",
    "POST /api/evaluations/by-sms":                "400 400 400 400 400 400 400 400 400 400 400 400",
    "GET /api/evaluations/{link_code}":            "404 404 404 404 404 404 404 404 404 404 404 404",
    "POST /api/evaluations/{link_code}":           "404 404 404 404 404 404 404 404 404 404 404 404",
    "GET /api/patrol/plan":                        "401 403 200 403 403 403 403 403 403 403 403 403",
    "POST /api/patrol/visits":                     "401 422 422 422 422 422 422 422 422 422 422 422",
    "GET /api/patrol/visits":                      "401 403 200 403 403 403 403 403 403 403 403 403",
    "POST /api/portal/codes":                      "400 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/portal/tokens":                     "400 400 400 400 400 400 400 400 400 400 400 400",
    "GET /api/portal/mediations/{code}":           "200 200 200 200 200 200 200 200 200 200 200 200",
    "GET /api/risks":                              "401 200 200 200 200 200 200 200 200 200 200 200",
    "POST /api/risks":                             "401 400 400 400 400 400 400 400 400 400 400 400",
    "GET /api/risks/indicators":                   "401 403 403 403 403 403 403 403 200 200 200 200",
    "POST /api/risks/from-case":                   "401 400 400 400 400 400 400 400 400 400 400 400",
    "GET /api/risks/{code}":                       "401 404 200 200 200 404 200 200 200 200 404 200",
    "POST /api/risks/{code}/identify":             "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/risks/{code}/list":                 "401 404 403 403 409 404 403 403 409 409 404 409",
    "POST /api/risks/{code}/tackle":               "401 404 409 403 409 404 403 403 409 409 404 409",
    "POST /api/risks/{code}/review":               "401 404 409 403 409 404 403 403 409 409 404 409",
    "POST /api/risks/{code}/regrade":              "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/risks/{code}/write_off":            "401 404 403 403 409 404 403 403 409 409 404 409",
    "POST /api/risks/{code}/apply_result":         "401 404 403 403 409 404 403 403 409 409 404 409",
    "POST /api/risks/{code}/consolidate":          "401 404 409 403 409 404 403 403 409 409 404 409",
    "POST /api/risks/{code}/dismiss":              "401 404 403 403 409 404 403 403 409 409 404 409",
    "GET /api/stability":                          "401 200 200 200 200 200 200 200 200 200 200 200",
    "POST /api/stability":                         "401 400 400 400 400 400 400 400 400 400 400 400",
    "GET /api/stability/{code}":                   "401 404 200 200 200 200 200 200 200 200 200 200",
    "POST /api/stability/{code}/plan":             "401 404 403 403 403 409 403 403 409 409 409 409",
    "POST /api/stability/{code}/open_consultation": "401 404 403 403 403 409 403 403 409 409 409 409",
    "POST /api/stability/{code}/record_opinion":   "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/stability/{code}/close_consultation": "401 404 403 403 403 409 403 403 409 409 409 409",
    "POST /api/stability/{code}/add_item":         "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/stability/{code}/remove_item":      "401 404 403 403 403 409 403 403 409 409 409 409",
    "POST /api/stability/{code}/grade":            "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/stability/{code}/add_measure":      "401 404 403 403 403 409 403 403 409 409 409 409",
    "POST /api/stability/{code}/conclude":         "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/stability/{code}/issue_report":     "401 404 403 403 403 403 403 403 409 409 403 409",
    "POST /api/stability/{code}/file":             "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/stability/{code}/track":            "401 404 403 403 403 409 403 403 409 409 409 409",
    "POST /api/stability/{code}/close":            "401 400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/stability/{code}/withdraw":         "401 404 403 403 403 403 403 403 409 409 403 409",
    "POST /api/intake/{channel}/reports":          "401 401 401 401 401 401 401 401 401 401 401 401",
    "GET /api/intake/{channel}/reports/{external_id}": "401 401 401 401 401 401 401 401 401 401 401 401",
}

ADMIN_LOGIN = "AL"


def _token(seen: harness.Seen) -> str:
    if 300 <= seen.status < 400:
        if seen.location.startswith("/admin/login/"):
            return "AL"
        return "L" if seen.location.startswith("/login/") else "3xx"
    return str(seen.status)


def _table(line: str) -> dict[str, str]:
    cells = line.split()
    assert len(cells) == len(ROLES), line
    return dict(zip(ROLES, cells, strict=True))


def _walk(patterns: list[Any], namespace: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            names += _walk(p.url_patterns, namespace + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern) and p.name:
            names.append(namespace + p.name)
    return names


def _api_operations() -> set[str]:
    schema = Client().get("/api/openapi.json").json()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


@pytest.mark.django_db
def test_every_url_has_an_expectation() -> None:
    """A URL added without a line in PAGES (or an API operation without one in API) fails here."""
    names = {n for n in _walk(get_resolver().url_patterns) if not n.startswith("admin:")}
    api_pages = {n for n in names if n.startswith("api:") and n not in doors.PATHS}  # operations: see API
    assert names - api_pages - set(PAGES) == set(), "URLs without an expectation in PAGES"
    assert set(PAGES) - names == set(), "expectations for URLs that no longer exist"
    assert set(PAGES) == set(doors.PATHS)
    assert _api_operations() ^ set(API) == set(), "API operations without (or with stale) expectations in API"
    assert set(PAGES) | set(API) >= PUBLIC


def _dump(observed: dict[str, list[str]]) -> None:
    """FQ_MATRIX_DUMP=<file>: write the observed lines there, to review (never to copy blindly) when adding URLs."""
    target = os.environ.get("FQ_MATRIX_DUMP")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            for name, cells in observed.items():
                row = " ".join(f"{c:<3}" for c in cells).rstrip()
                out.write(f'    "{name}":{" " * max(1, 44 - len(name))}"{row}",\n')


def _expected_anonymous(name: str, cell: str) -> None:
    """Only the public doors let an anonymous visitor in; everything else sends her to log in (401 on the API)."""
    if name not in PUBLIC and name not in ("logout", "metrics"):
        assert cell in ("L", "401"), f"{name} is open to anonymous visitors ({cell}) but not listed in PUBLIC"


@pytest.mark.django_db
def test_every_url_as_every_role(city: City) -> None:
    world = worlds.build(city)
    values = harness.values(world)
    clients = harness.clients(world)
    wrong: list[str] = []
    observed: dict[str, list[str]] = {}
    for name, (path, method) in doors.PATHS.items():
        expected = _table(PAGES[name])
        _expected_anonymous(name, expected["anonymous"])
        url = path.format(**values)
        for role in ROLES:
            client = clients[role]
            if name in ("logout", "portal:leave", "set_language"):  # these end or change the session: a throwaway
                client = harness.clients_for(world, role)
            seen = harness.request(client, method, url)
            assert seen.status < 500, f"{method} {url} as {role}: {seen}"
            observed.setdefault(name, []).append(_token(seen))
            if _token(seen) != expected[role]:
                wrong.append(f"{name:28} {role:12} expected {expected[role]:4} got {seen}")
    _dump(observed)
    assert wrong == [], "\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_every_api_operation_as_every_role(city: City) -> None:
    world = worlds.build(city)
    values = harness.values(world)
    clients = harness.clients(world)
    schema = Client().get("/api/openapi.json").json()
    wrong: list[str] = []
    observed: dict[str, list[str]] = {}
    for operation, line in API.items():
        expected = _table(line)
        _expected_anonymous(operation, expected["anonymous"])
        method, path = operation.split(" ", 1)
        code = (values["risk"] if path.startswith("/api/risks/") else values["stability"]
                if path.startswith("/api/stability/") else values["mediation"] if path.startswith("/api/portal/")
                else values["case"])
        url = (path.replace("{code}", code).replace("{link_code}", values["link"])
               .replace("{channel}", "hotline_12345").replace("{external_id}", "X1"))
        body = harness.minimal_body(schema, schema["paths"][path][method.lower()])
        for role in ROLES:
            seen = harness.request(clients[role], method, url, api=True, body=body)
            assert seen.status < 500, f"{operation} as {role}: {seen}"
            observed.setdefault(operation, []).append(_token(seen))
            if _token(seen) != expected[role]:
                wrong.append(f"{operation:44} {role:12} expected {expected[role]:4} got {seen}")
    _dump(observed)
    assert wrong == [], "\n" + "\n".join(wrong)


# The admin: every model's list and add page.  Only administrators (superusers) get in; other staff are
# refused (403: they hold no model permissions), citizens and anonymous visitors go to the admin's login.
ADMIN_ROLES = {"anonymous": "AL", "citizen": "AL", "operator": "403", "leader": "403", "admin": "200"}
ADMIN_INDEX = {"anonymous": "AL", "citizen": "AL", "operator": "200", "leader": "200", "admin": "200"}
# ... except where a role's work is done in the admin: the city's assessment office (a leader) decides appeals.
ADMIN_EXCEPTIONS = {("/admin/analytics/appeal/", "leader"): "200"}


def _admin_urls() -> list[str]:
    from django.contrib import admin

    urls = []
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls.append(base)
        if model_admin.has_add_permission(_superuser_request()):
            urls.append(base + "add/")
    return urls


def _superuser_request() -> Any:
    from django.test import RequestFactory

    from fengqiao.accounts.models import User

    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return request


@pytest.mark.django_db
def test_the_admin_is_for_administrators(city: City) -> None:
    world = worlds.build(city)
    clients = {role: harness.clients_for(world, role) for role in ADMIN_ROLES}
    wrong: list[str] = []
    for role, client in clients.items():
        seen = harness.request(client, "GET", "/admin/")
        if _token(seen) != ADMIN_INDEX[role]:
            wrong.append(f"/admin/ {role} expected {ADMIN_INDEX[role]} got {seen}")
    for url in _admin_urls():
        for role, client in clients.items():
            seen = harness.request(client, "GET", url)
            assert seen.status < 500, f"{url} as {role}: {seen}"
            expected = ADMIN_EXCEPTIONS.get((url, role), ADMIN_ROLES[role])
            if _token(seen) != expected:
                wrong.append(f"{url} {role} expected {expected} got {seen}")
    assert wrong == [], "\n" + "\n".join(wrong)
