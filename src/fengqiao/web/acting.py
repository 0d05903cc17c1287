"""One POST of an action form on a detail page (a mediation, a risk entry, a decision): the form is checked,
the one service is called with the version the reader saw, a refusal is shown at its field on the page
re-read, and success redirects.  The pages differ only in what they load, build, call and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from fengqiao.kit.errors import DomainError
from fengqiao.web.forms import apply_domain_error
from fengqiao.web.views import render_error


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
