"""One POST of an action form on a detail page (a mediation, a risk entry, a decision, a dispute): the form is
checked, the one service is called with the version the reader saw, a refusal is shown at its field on the
page re-read, and success redirects.  The pages differ only in what they load, build, call and render."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.kit.action_spec import ActionSpec
from fengqiao.kit.errors import DomainError, NotFound
from fengqiao.web.forms import apply_domain_error
from fengqiao.web.views import render_error

T = TypeVar("T")


def submit_action(request: HttpRequest, *, name: str, title: str, subject: Any, form: forms.Form,
                  perform: Callable[[dict[str, Any], Any], object], reload: Callable[[], Any],
                  render_detail: Callable[..., HttpResponse], done: Callable[[], HttpResponse]) -> HttpResponse:
    """``perform(values, expected_version)``; ``render_detail(request, subject, status=, failed=, error=)``."""
    if not form.is_valid():
        return render_detail(request, subject, status=400, failed=(name, form))
    values = dict(form.cleaned_data)
    try:
        perform(values, values.pop("expected_version", None))
    except DomainError as e:
        apply_domain_error(form, e)
        try:
            subject = reload()
        except DomainError as gone:
            return render_error(request, gone)
        return render_detail(request, subject, status=e.status, failed=(name, form), error=e)
    messages.success(request, _("已完成：%(action)s") % {"action": title})
    return done()


def act(request: HttpRequest, *, user: User, code: str, action: str, specs: Mapping[str, ActionSpec[Any, Any]],
        load: Callable[[], T], build: Callable[[str, T], forms.Form], render_detail: Callable[..., HttpResponse],
        done: Callable[[], HttpResponse]) -> HttpResponse:
    """The whole POST of ``action`` on the record ``code``: an unknown action is 404, a record out of reach its
    loader's error; else :func:`submit_action` with the spec's service (``build(name, record)`` binds the
    POST)."""
    spec = specs.get(action)
    if spec is None:
        return render_error(request, NotFound(_("未知的操作：%(action)s") % {"action": action}))
    try:
        subject = load()
    except DomainError as e:
        return render_error(request, e)
    return submit_action(
        request, name=action, title=spec.title, subject=subject, form=build(action, subject),
        perform=lambda values, version: spec.perform(user, code, values, version),
        reload=load, render_detail=render_detail, done=done)


def action_forms(names: Iterable[str], specs: Mapping[str, ActionSpec[Any, Any]], *, version: int,
                 build: Callable[[str], forms.Form], failed: tuple[str, forms.Form] | None) -> list[dict[str, Any]]:
    """The forms a detail page shows for the actions ``names``: fresh ones, and the refused one as it was sent,
    set to act on the ``version`` on screen now."""
    rows = []
    for name in names:
        if failed and failed[0] == name:
            form = failed[1]
            data = cast(QueryDict, form.data).copy()  # a resubmission acts on what is on screen now
            data[form.add_prefix("expected_version")] = str(version)
            form.data = data
        else:
            form = build(name)
        rows.append({"name": name, "spec": specs[name], "title": specs[name].title, "form": form,
                     "failed": bool(failed and failed[0] == name)})
    return rows


def show(request: HttpRequest, load: Callable[[], T], render_detail: Callable[[HttpRequest, T], HttpResponse]
         ) -> HttpResponse:
    """A record's page: its loader's error (404, 403) as a page, else the page."""
    try:
        subject = load()
    except DomainError as e:
        return render_error(request, e)
    return render_detail(request, subject)


def submit_form(request: HttpRequest, form: forms.Form, *, perform: Callable[[dict[str, Any]], T],
                done: Callable[[T], HttpResponse], page: Callable[[int], HttpResponse]) -> HttpResponse:
    """A page with one form that creates something (列入风险清单, 立项, 发起排查, 人工识别): on a valid POST the
    service, then ``done(result)`` (a message and a redirect); otherwise ``page(status)`` with the form: 400
    when it is invalid, the refusal's status at its field when the service says no."""
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            return page(400)
        try:
            result = perform(form.cleaned_data)
        except DomainError as e:
            apply_domain_error(form, e)
            status = e.status
        else:
            return done(result)
    return page(status)
