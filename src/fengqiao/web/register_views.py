"""统一受理登记: the registration form, for operators, grid workers, dispatchers and citizens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role
from fengqiao.cases import services
from fengqiao.cases.models import Channel
from fengqiao.kit.errors import DomainError, PermissionDenied
from fengqiao.web import locate_views, lookups
from fengqiao.web.context import can_register
from fengqiao.web.forms import RegisterForm, apply_domain_error
from fengqiao.web.views import current_user, render_error

DEFAULT_CHANNEL = {Role.CITIZEN: Channel.MINI_PROGRAM, Role.GRID_WORKER: Channel.GRID_PATROL}


def _input(data: dict[str, Any], *, citizen: bool) -> services.RegisterInput:
    parties = []
    if any(data.get(k) for k in ("reporter_name", "reporter_phone", "reporter_id_number")):
        parties.append(services.PartyInput(
            name=data.get("reporter_name") or "", phone=data.get("reporter_phone") or "",
            id_number=data.get("reporter_id_number") or "",
        ))
    return services.RegisterInput(
        channel=Channel.MINI_PROGRAM if citizen else data["channel"],
        title=data["title"], description=data["description"], category_id=data.get("category"),
        urgency=data["urgency"], address=data.get("address") or "",
        lng=data.get("lng"), lat=data.get("lat"), parties=parties,
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_register(user):
        return render_error(request, PermissionDenied(_("您的角色不能登记诉求。")))
    citizen = user.role_set() == {Role.CITIZEN}
    roles = user.role_set()
    initial = {"channel": next((ch for r, ch in DEFAULT_CHANNEL.items() if r in roles), Channel.HOTLINE_12345)}
    form = RegisterForm(request.POST or None, initial=initial, categories=lookups.category_choices())
    form.fields["address"].widget.attrs.update(locate_views.ADDRESS_ATTRS)  # where is it, as one types
    if citizen:
        form.fields["channel"].required = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registered = services.register(user, _input(form.cleaned_data, citizen=citizen))
            except DomainError as e:
                apply_domain_error(form, e)
                status = e.status
            else:
                messages.success(request, _("已登记，编号 %(code)s。") % {"code": registered.case.code})
                return redirect("case_detail", code=registered.case.code)
        else:
            status = 400
    return render(request, "web/case_new.html",
                  {"form": form, "citizen": citizen, "map": lookups.reach_map(user)}, status=status)
