"""/hot-issues/: the hot issues the reader may see, ranked by heat with a bar chart, and one issue's page with
its cases (links to the cases, reporters' names masked)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from fengqiao.intelligence import hot_issues
from fengqiao.kit.errors import DomainError
from fengqiao.kit.pagination import paginate, query_with
from fengqiao.mediation.selectors_work import masked_parties
from fengqiao.web.presenters import STATE_TONES
from fengqiao.web.views import current_user, render_error

PER_PAGE = 20
CHART_TOP = 10


def _chart(rows: list[hot_issues.TopIssue]) -> dict[str, Any]:
    """The bar chart's data, hottest on top: a label, the heat, the size and the issue's link per bar."""
    bars = list(reversed(rows))
    return {"labels": [f"{r.title[:18]}{'…' if len(r.title) > 18 else ''}" for r in bars],
            "heat": [r.heat for r in bars], "size": [r.size for r in bars], "urls": [r.url for r in bars],
            "size_label": _("热度 %(heat)s · %(n)s 件")}


@login_required
def hot_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        hot_issues.check_reader(user)
    except DomainError as error:
        return render_error(request, error)
    qs = hot_issues.visible(user).order_by("-heat", "-size", "-last_seen", "pk")
    page = paginate(qs, request.GET.get("page"), PER_PAGE)
    offset = (page.number - 1) * page.per_page
    top = hot_issues.top(user, CHART_TOP)
    return render(request, "intelligence/hot/list.html", {
        "page": page, "rows": [(offset + k, issue) for k, issue in enumerate(page.items, start=1)],
        "chart": _chart(top), "run": hot_issues.last_run(user), "window_days": hot_issues.WINDOW_DAYS,
        "prev_query": query_with(request.GET, page=str(page.number - 1)),
        "next_query": query_with(request.GET, page=str(page.number + 1)),
    })


@login_required
def hot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    try:
        issue = hot_issues.access_issue(user, pk)
    except DomainError as error:
        return render_error(request, error)
    cases: list[Case] = list(hot_issues.member_cases(user, issue))
    parties = masked_parties([c.pk for c in cases])
    rows = [{"case": c, "tone": STATE_TONES.get(State(c.status), "grey"), "parties": parties.get(c.pk, ""),
             "url": reverse("case_detail", args=[c.code])} for c in cases]
    return render(request, "intelligence/hot/detail.html", {
        "issue": issue, "rows": rows, "hidden": issue.size - len(rows), "window_days": hot_issues.WINDOW_DAYS,
    })
