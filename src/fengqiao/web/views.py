"""The inbox (工作台): tabs, filters applied with htmx, pagination."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases import selectors
from fengqiao.cases.models import Case
from fengqiao.kit.errors import DomainError, PermissionDenied
from fengqiao.kit.pagination import paginate, query_with
from fengqiao.web import lookups, presenters
from fengqiao.web.forms import InboxFilterForm

PER_PAGE = 25
TAB_COUNT_CAP = 999


@dataclass(frozen=True)
class TabView:
    key: str
    label: str
    count: int
    capped: bool
    query: str
    active: bool


@dataclass(frozen=True)
class Row:
    case: Case
    tone: str
    remaining: presenters.Remaining | None


def current_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff work page: signed in, and refused (403) to a user whose only role is 群众 — citizens follow
    their matters in the 解纷码 portal, not on the staff lists (which would show them an empty register)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = current_user(request)
        roles = user.role_set()
        if roles and roles <= {Role.CITIZEN}:
            refusal = PermissionDenied(_("此页面仅供工作人员使用；群众请在「解纷码」中查询和办理。"))
            return render_error(request, refusal)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def is_partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def render_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": error}, status=error.status)


def _tabs(user: User, active: str, params: QueryDict) -> list[TabView]:
    views = []
    for tab in selectors.tabs_for(user):
        count = selectors.inbox(user, tab.key).order_by().values("pk")[: TAB_COUNT_CAP + 1].count()
        label = str(presenters.TAB_LABELS.get(tab.key, tab.label))
        views.append(TabView(tab.key, label, min(count, TAB_COUNT_CAP), count > TAB_COUNT_CAP,
                             query_with(params, tab=tab.key, page=None), tab.key == active))
    return views


def _filters(form: InboxFilterForm) -> selectors.InboxFilters:
    if not form.is_valid():
        return selectors.InboxFilters()
    data: dict[str, Any] = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return selectors.InboxFilters(**data)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    keys = [t.key for t in selectors.tabs_for(user)]
    tab = request.GET.get("tab", "")
    if tab not in keys:
        tab = keys[0]
    form = InboxFilterForm(
        request.GET or None,
        districts=[(a.pk, a.name) for a in lookups.districts()],
        categories=lookups.filter_categories(),
    )
    page = paginate(selectors.inbox(user, tab, _filters(form)), request.GET.get("page"), PER_PAGE)
    rows = [Row(c, presenters.STATE_TONES.get(c.state, "grey"), presenters.remaining(c)) for c in page.items]
    context: dict[str, Any] = {
        "tab": tab, "form": form, "page": page, "rows": rows,
        "filtered": form.is_bound and form.is_valid() and any(
            v not in (None, "") for v in form.cleaned_data.values()),
        "prev_query": query_with(request.GET, page=str(page.previous_number)),
        "next_query": query_with(request.GET, page=str(page.next_number)),
    }
    if is_partial(request):
        return render(request, "web/_inbox_results.html", context)
    context["tabs"] = _tabs(user, tab, request.GET)
    context["counts"] = selectors.counts(user)
    return render(request, "web/inbox.html", context)
