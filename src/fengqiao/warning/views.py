"""/warning/…: scored cases by grade with their reasons (scoped, filtered), parties and places with several
scored cases; the two special modules' pages; re-scoring one case from its page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit.errors import DomainError, PermissionDenied
from fengqiao.kit.pagination import paginate, query_with
from fengqiao.warning import lexicon, selectors, services
from fengqiao.warning.models import Grade
from fengqiao.web.views import current_user, render_error

PER_PAGE = 25
GRADE_TONES = {"key": "red", "general": "orange", "watch": "grey", "": "outline"}
STAFF_ROLES = frozenset({Role.GRID_WORKER, Role.OPERATOR, Role.DISPATCHER, Role.HANDLER, Role.MEDIATOR, Role.JUDGE,
                         Role.RISK_OFFICER, Role.LEADER, Role.ADMIN})
TABS = [("key", gettext_lazy("重点")), ("general", pgettext_lazy("grade", "一般")), ("watch", gettext_lazy("关注")),
        ("none", gettext_lazy("未达预警"))]


class FilterForm(forms.Form):
    street = forms.TypedChoiceField(label=gettext_lazy("镇街"), required=False, coerce=int, empty_value=None)
    module = forms.ChoiceField(label=gettext_lazy("专项"), required=False, choices=[
        ("", gettext_lazy("全部")), ("rental", gettext_lazy("租赁房屋")), ("family", gettext_lazy("婚姻家庭"))])
    q = forms.CharField(label=gettext_lazy("编号、标题或地址"), required=False, max_length=100)

    def __init__(self, *args: Any, streets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["street"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部镇街")), *streets]


def _staff(request: HttpRequest) -> Any:
    user = current_user(request)
    if not (user.is_superuser or user.role_set() & STAFF_ROLES):
        raise PermissionDenied(_("激化预警仅供工作人员查看。"))
    return user


def rows_of(page_items: list[Any]) -> list[dict[str, Any]]:
    return [{"score": s, "tone": GRADE_TONES.get(s.grade, "grey"), "pct": f"{s.probability:.0%}",
             "area": (s.case.grid or s.case.community or s.case.street).name if (
                 s.case.grid or s.case.community or s.case.street) else ""} for s in page_items]


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    try:
        user = _staff(request)
    except DomainError as error:
        return render_error(request, error)
    streets = list(Area.objects.filter(level=Level.STREET, pk__in=selectors.visible(user).values("case__street_id"))
                   .order_by("code").values_list("pk", "name"))
    form = FilterForm(request.GET or None, streets=streets)
    options: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        options = {"street": form.cleaned_data["street"], "module": form.cleaned_data["module"],
                   "q": form.cleaned_data["q"].strip()}
    grade = request.GET.get("grade", "key")
    if grade not in {k for k, _l in TABS}:
        grade = "key"
    base = selectors.filtered(user, **options)
    counts = dict(base.order_by().values_list("grade").annotate(n=Count("pk")))
    tabs = [{"key": k, "label": label, "active": k == grade, "count": counts.get("" if k == "none" else k, 0),
             "query": query_with(request.GET, grade=k, page=None)} for k, label in TABS]
    qs = selectors.filtered(user, grade=grade, **options).select_related(
        "case", "case__grid", "case__community", "case__street", "case__lead_unit").order_by("-probability", "-pk")
    page = paginate(qs, request.GET.get("page"), PER_PAGE)
    graded = base.exclude(grade="")
    return render(request, "warning/list.html", {
        "form": form, "tabs": tabs, "grade": grade, "page": page, "rows": rows_of(list(page.items)),
        "filtered": bool(options and any(options.values())), "parties": selectors.parties(graded),
        "places": selectors.places(graded), "total_scored": sum(counts.values()),
    })


MODULE_TITLES = {"rental": gettext_lazy("租赁房屋纠纷预警"), "family": gettext_lazy("婚姻家庭纠纷预警")}


@login_required
def warning_module(request: HttpRequest, module: str) -> HttpResponse:
    if module not in lexicon.MODULES:
        raise Http404
    try:
        user = _staff(request)
    except DomainError as error:
        return render_error(request, error)
    grade = request.GET.get("grade", "")
    if grade not in {"", *selectors.GRADED}:
        grade = ""
    qs = selectors.filtered(user, module=module)
    spec = lexicon.MODULES[module]
    labels = {k: label for k, (label, _w) in spec.signals.items()}
    labels |= {k: label for k, (label, _w) in lexicon.SIGNALS.items()}
    households = selectors.households(qs, grade)
    for h in households:
        h.tone = GRADE_TONES.get(h.grade, "grey")  # type: ignore[attr-defined]
    return render(request, "warning/module.html", {
        "module": module, "title": MODULE_TITLES[module], "spec": spec, "grade": grade,
        "households": households, "chart": selectors.module_figures(qs, labels), "total": qs.count(),
        "grade_links": [{"key": k, "label": Grade(k).label if k else _("全部"), "active": k == grade}
                        for k in ("", *selectors.GRADED)],
    })


@login_required
@require_POST
def warning_rescore(request: HttpRequest, code: str) -> HttpResponse:
    try:
        user = _staff(request)
        case = selectors.access_case(user, code)
    except DomainError as error:
        return render_error(request, error)
    score = services.score_case(case)
    if score is None:
        messages.error(request, _("尚未安装激化预警模型，请管理员运行 fengqiao warning train。"))
    else:
        messages.success(request, _("已重新评估：激化几率 %(p)s。") % {"p": f"{score.probability:.0%}"})
    return redirect("case_detail", code=case.code)
