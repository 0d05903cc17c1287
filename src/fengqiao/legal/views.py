"""The legal pages: the monitoring list (行政争议) with its tabs, filters and window urgency, the figures
(every one drills down to the list), a dispute's page with the forms for what the reader may do now
(POST → one service → redirect), and from a case's page: 识别行政争议 (the detector on demand) and 人工识别."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case as CaseWhen
from django.db.models import DateField, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.cases.services import access_case
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.action_spec import ActionSpec, permitted
from fengqiao.kit.errors import DomainError, PermissionDenied
from fengqiao.kit.pagination import paginate, query_with
from fengqiao.legal import figures, selectors, services
from fengqiao.legal.forms import ConcludeForm, DismissForm, FilterForm, InterveneForm, ManualForm, RouteForm
from fengqiao.legal.models import Dispute
from fengqiao.legal.states import (
    ACT_LABELS,
    ACTION_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    RISK_LABELS,
    STATE_LABELS,
    ActType,
    Kind,
    LAction,
    LState,
    Outcome,
    Risk,
    allowed_actions,
)
from fengqiao.web.acting import act, action_forms, show, submit_form
from fengqiao.web.tabs import StateTab, chosen, tab_links
from fengqiao.web.views import current_user, render_error

PER_PAGE = 25
S = LState
RISK_TONES = {"key": "red", "general": "orange", "watch": "grey"}


TABS = [
    StateTab("open", gettext_lazy("待介入"), (S.FLAGGED, S.ROUTED)),
    StateTab("intervening", gettext_lazy("介入中"), (S.INTERVENING,)),
    StateTab("concluded", gettext_lazy("已办结"), (S.CONCLUDED,)),
    StateTab("dismissed", gettext_lazy("已排除"), (S.DISMISSED,)),
    StateTab("all", gettext_lazy("全部"), tuple(S)),
]


Spec = ActionSpec[LAction, forms.Form]
SPECS: dict[str, Spec] = {
    "route": Spec(LAction.ROUTE, RouteForm, ACTION_LABELS[LAction.ROUTE], gettext_lazy("交法制机构"),
                  lambda u, c, v, ev: services.route(u, c, note=v["note"], expected_version=ev)),
    "intervene": Spec(LAction.INTERVENE, InterveneForm, ACTION_LABELS[LAction.INTERVENE], gettext_lazy("记录介入"),
                      lambda u, c, v, ev: services.intervene(u, c, kind=v["kind"], note=v["note"],
                                                             expected_version=ev)),
    "conclude": Spec(LAction.CONCLUDE, ConcludeForm, ACTION_LABELS[LAction.CONCLUDE], gettext_lazy("登记结果"),
                     lambda u, c, v, ev: services.conclude(u, c, outcome=v["outcome"], note=v["note"],
                                                           expected_version=ev)),
    "dismiss": Spec(LAction.DISMISS, DismissForm, ACTION_LABELS[LAction.DISMISS], gettext_lazy("排除"),
                    lambda u, c, v, ev: services.dismiss(u, c, reason=v["reason"], expected_version=ev), "ghost"),
}


def _guard(request: HttpRequest) -> User:
    user = current_user(request)
    if not selectors.may_monitor(user):
        raise PermissionDenied(_("行政争议监测仅向法制机构、领导、风险专员和管理员开放。"))
    return user


def _today() -> dt.date:
    return clock.localtime().date()


def _filter_form(request: HttpRequest, visible: QuerySet[Dispute]) -> FilterForm:
    districts = list(Area.objects.filter(level=Level.DISTRICT, pk__in=visible.values("district_id"))
                     .order_by("code").values_list("pk", "name"))
    agencies = sorted(set(visible.order_by().values_list("agency_kind", flat=True).distinct()))
    return FilterForm(request.GET or None, districts=districts, agencies=agencies)


def _filtered(qs: QuerySet[Dispute], form: FilterForm) -> QuerySet[Dispute]:
    if not form.is_bound or not form.is_valid():
        return qs
    v = form.cleaned_data
    for field, key in (("risk", "risk"), ("act_type", "act"), ("agency_kind", "agency"), ("outcome", "outcome")):
        if v[key]:
            qs = qs.filter(**{field: v[key]})
    if v["district"] is not None:
        qs = qs.filter(district_id=v["district"])
    if v["month"]:
        year, month = (int(x) for x in v["month"].split("-"))
        if 1 <= month <= 12:
            tz = clock.localtime().tzinfo
            start = dt.datetime(year, month, 1, tzinfo=tz)
            end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
            qs = qs.filter(registered_at__gte=start, registered_at__lt=end)
    today = _today()
    window = v["window"]
    if window == "soon":
        qs = qs.filter(reconsider_by__gte=today, reconsider_by__lte=today + dt.timedelta(days=15))
    elif window == "reconsider":
        qs = qs.filter(reconsider_by__gte=today)
    elif window == "litigate":
        qs = qs.filter(reconsider_by__lt=today, litigate_by__gte=today)
    elif window == "passed":
        qs = qs.filter(litigate_by__lt=today)
    return qs


def _window(d: Dispute, today: dt.date) -> dict[str, Any]:
    r, lit = (d.reconsider_by - today).days, (d.litigate_by - today).days
    tone = "red" if 0 <= r <= 15 else "orange" if 0 <= r <= 30 else "grey"
    return {"reconsider": r, "litigate": lit, "tone": tone}


def _monitoring(view: Callable[[HttpRequest, FilterForm, QuerySet[Dispute]], HttpResponse]
                ) -> Callable[[HttpRequest], HttpResponse]:
    """A monitoring page: it gets the filter form and the disputes the reader may see that pass it (a reader
    who may not monitor gets the refusal page)."""
    @login_required
    @wraps(view)
    def page(request: HttpRequest) -> HttpResponse:
        try:
            visible = selectors.visible(_guard(request))
        except DomainError as e:
            return render_error(request, e)
        form = _filter_form(request, visible)
        return view(request, form, _filtered(visible, form))
    return page


@_monitoring
def legal_list(request: HttpRequest, form: FilterForm, qs: QuerySet[Dispute]) -> HttpResponse:
    tab = chosen(TABS, request.GET.get("tab", ""), TABS[0] if not request.GET.get("outcome") else TABS[-1])
    tabs = tab_links(request, TABS, tab, qs)
    today = _today()
    open_qs = qs.filter(status__in=[S.FLAGGED, S.ROUTED, S.INTERVENING])
    kpis = {"open": open_qs.count(), "key": open_qs.filter(risk=Risk.KEY).count(),
            "soon": open_qs.filter(reconsider_by__gte=today, reconsider_by__lte=today + dt.timedelta(days=15)).count(),
            "conversion": figures.conversion(qs)}
    rank = CaseWhen(When(risk="key", then=Value(0)), When(risk="general", then=Value(1)), default=Value(2),
                    output_field=IntegerField())
    # window urgency: reconsideration still open first (nearest first), then only litigation open, then closed
    bucket = CaseWhen(When(reconsider_by__gte=today, then=Value(0)), When(litigate_by__gte=today, then=Value(1)),
                      default=Value(2), output_field=IntegerField())
    due = CaseWhen(When(reconsider_by__gte=today, then=F("reconsider_by")),
                   When(litigate_by__gte=today, then=F("litigate_by")), default=None, output_field=DateField())
    rows_qs = (qs.filter(status__in=tab.values).select_related("case", "office", "district",
                                                                                   "street")
               .annotate(rank=rank, bucket=bucket, due=due)
               .order_by("rank", "bucket", F("due").asc(nulls_last=True), "-flagged_at"))
    page = paginate(rows_qs, request.GET.get("page"), PER_PAGE)
    rows = [{"d": d, "tone": RISK_TONES[d.risk], "window": _window(d, today),
             "act": ACT_LABELS[ActType(d.act_type)], "state": STATE_LABELS[d.state],
             "outcome": OUTCOME_LABELS[Outcome(d.outcome)]} for d in page.items]
    return render(request, "legal/list.html", {
        "tab": tab.key, "tabs": tabs, "form": form, "page": page, "rows": rows, "kpis": kpis,
        "filtered": any(request.GET.get(k) for k in form.fields),
        "figures_query": query_with(request.GET, tab=None, page=None),
        "prev_query": query_with(request.GET, page=str(page.previous_number)),
        "next_query": query_with(request.GET, page=str(page.next_number)),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@_monitoring
def legal_figures(request: HttpRequest, form: FilterForm, qs: QuerySet[Dispute]) -> HttpResponse:
    data = figures.compute(qs)
    base = query_with(request.GET, tab="all", page=None)
    data["base"] = base
    data["list_url"] = reverse("legal_list")
    data["labels"] = {"count": _("件数"), "converted": _("进入复议或诉讼"), "flagged": _("识别件数")}
    return render(request, "legal/figures.html", {"form": form, "f": data, "base": base,
                                                  "list_query": query_with(request.GET, page=None)},
                  status=400 if form.is_bound and not form.is_valid() else 200)


def _offered(user: User, d: Dispute) -> list[str]:
    def may(action: LAction) -> None:
        office_id = d.office_id
        if action == LAction.ROUTE and office_id is None:
            office = selectors.office_for(d.district_id)
            office_id = office.unit_id if office else None
        services.authorize(user, action, office_id)

    return permitted(SPECS, allowed_actions(d.state), may)


def _timeline(d: Dispute) -> list[dict[str, Any]]:
    items = []
    for e in d.events.select_related("actor").order_by("-seq"):
        facts = []
        data = e.data or {}
        if data.get("risk"):
            facts.append(_("风险：%(r)s") % {"r": RISK_LABELS[Risk(data["risk"])]})
        if data.get("unit_name"):
            facts.append(_("交：%(u)s") % {"u": data["unit_name"]})
        if data.get("kind"):
            facts.append(str(KIND_LABELS[Kind(data["kind"])]))
        if data.get("outcome"):
            facts.append(str(OUTCOME_LABELS[Outcome(data["outcome"])]))
        items.append({"e": e, "label": ACTION_LABELS[LAction(e.action)], "facts": facts})
    return items


def _build(name: str, d: Dispute, data: Any = None) -> forms.Form:
    return SPECS[name].form(data, initial={"expected_version": d.version}, prefix=name)


def render_detail(request: HttpRequest, d: Dispute, *, status: int = 200,
                  failed: tuple[str, forms.Form] | None = None, error: DomainError | None = None) -> HttpResponse:
    user = current_user(request)
    forms = action_forms(_offered(user, d), SPECS, version=d.version, build=lambda name: _build(name, d),
                         failed=failed)
    return render(request, "legal/detail.html", {
        "d": d, "tone": RISK_TONES[d.risk], "window": _window(d, _today()), "act": ACT_LABELS[ActType(d.act_type)],
        "state": STATE_LABELS[d.state], "outcome": OUTCOME_LABELS[Outcome(d.outcome)],
        "interventions": [{"i": i, "kind": KIND_LABELS[Kind(i.kind)]}
                          for i in d.interventions.select_related("by", "unit").order_by("-at")],
        "timeline": _timeline(d), "forms": forms, "error": error,
        "may_rescan": d.state in (S.FLAGGED, S.ROUTED, S.INTERVENING),
    }, status=status)


def _load(user: User, code: str) -> Dispute:
    found = selectors.visible(user).select_related("case", "office", "district", "street", "community",
                                                  "grid").filter(case__code=code).first()
    return found if found is not None else selectors.access_dispute(user, code)


@login_required
def legal_detail(request: HttpRequest, code: str) -> HttpResponse:
    return show(request, lambda: _load(_guard(request), code), render_detail)


@login_required
@require_POST
def legal_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    return act(request, user=current_user(request), code=code, action=action, specs=SPECS,
               load=lambda: _load(_guard(request), code), build=lambda name, d: _build(name, d, request.POST),
               render_detail=render_detail, done=lambda: redirect("legal_detail", code=code))


@login_required
@require_POST
def legal_scan(request: HttpRequest, case_code: str) -> HttpResponse:
    """识别行政争议 / 重新研判 from a case's page."""
    user = current_user(request)
    try:
        result = services.scan_case(user, case_code)
    except DomainError as e:
        return render_error(request, e)
    if result.dispute is None:
        messages.info(request, _("未识别出针对行政行为的诉求。如确属行政争议，可人工识别。"))
    elif result.created:
        messages.success(request, _("已识别为行政争议（%(act)s，风险%(risk)s）。") % {
            "act": ACT_LABELS[ActType(result.dispute.act_type)], "risk": RISK_LABELS[Risk(result.dispute.risk)]})
    elif result.changed:
        risk = RISK_LABELS[Risk(result.dispute.risk)]
        messages.success(request, _("已重新研判，风险为「%(risk)s」。") % {"risk": risk})
    else:
        messages.info(request, _("重新研判结果没有变化。"))
    return redirect("case_detail", code=case_code)


@login_required
def legal_flag(request: HttpRequest, case_code: str) -> HttpResponse:
    """人工识别: a person flags a case the detector missed."""
    user = current_user(request)
    try:
        case = access_case(user, case_code)
    except DomainError as e:
        return render_error(request, e)
    form = ManualForm(request.POST or None)

    def done(d: Dispute) -> HttpResponse:
        label = ACT_LABELS[ActType(d.act_type)]
        messages.success(request, _("已人工识别为行政争议（%(act)s）。") % {"act": label})
        return redirect("case_detail", code=case_code)

    return submit_form(
        request, form, done=done,
        perform=lambda v: services.flag_manually(user, case_code, act_type=v["act_type"], agency=v["agency"],
                                                 reason=v["reason"]),
        page=lambda status: render(request, "legal/flag.html", {"case": case, "form": form}, status=status))
