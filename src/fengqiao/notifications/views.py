"""The in-app inbox (/notifications/): the user's own messages, newest first; mark one or all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.kit.pagination import paginate
from fengqiao.notifications import selectors, services


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = paginate(selectors.inbox(user), request.GET.get("page"), per_page=30)
    return render(request, "notifications/inbox.html", {"page": page, "unread": selectors.unread_count(user)})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    services.mark_read(user, ids)
    target = request.POST.get("next", "")
    if ids and target.startswith("/cases/"):
        return redirect(target)
    return redirect("notifications")
