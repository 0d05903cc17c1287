"""/mediation/open/<case code>/: a mediator of the case's lead unit turns the case into a mediation."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.cases.services import access_case
from fengqiao.kit.errors import DomainError, PermissionDenied
from fengqiao.mediation.models import DisputeType, MediationKind
from fengqiao.mediation.services.opening import OpenInput, open_on_case, opener
from fengqiao.web.forms import apply_domain_error
from fengqiao.web.views import current_user, render_error


class OpenForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("调解类型"))
    dispute_type = forms.TypedChoiceField(label=gettext_lazy("纠纷类型"), coerce=int, required=False,
                                          empty_value=None)
    demand = forms.CharField(label=gettext_lazy("当事人的诉求"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.CharField(label=gettext_lazy("涉及金额（元）"), required=False, max_length=20)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = list(MediationKind.objects.filter(active=True).values_list("code", "name"))
        dispute_type = cast(forms.ChoiceField, self.fields["dispute_type"])
        dispute_type.choices = [("", _("请选择")), *DisputeType.objects.filter(active=True).values_list("pk", "name")]


@login_required
def mediation_open(request: HttpRequest, case_code: str) -> HttpResponse:
    user = current_user(request)
    try:
        case = access_case(user, case_code)
        if opener(user, case) is None and request.method == "GET":
            raise PermissionDenied(_("只有案件主办单位的调解员可以将案件转入调解，且案件须尚在办理中、还没有调解。"))
    except DomainError as e:
        return render_error(request, e)
    form = OpenForm(request.POST or None, initial={"kind": "peoples", "demand": case.description[:500]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.cleaned_data
            try:
                mediation = open_on_case(user, case_code, OpenInput(
                    kind_code=values["kind"], demand=values["demand"], dispute_type_id=values["dispute_type"],
                    amount=values["amount"]))
            except DomainError as e:
                apply_domain_error(form, e)
                status = e.status
            else:
                messages.success(request, _("已转入调解，解纷码 %(code)s。") % {"code": mediation.code})
                return redirect("mediation_detail", code=mediation.code)
        else:
            status = 400
    return render(request, "mediation/work/open.html", {"case": case, "form": form}, status=status)
