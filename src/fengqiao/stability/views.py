"""The assessments' staff pages: the list (tabs by stage, filters), 立项, a decision's page with the forms for
what the reader may do now (POST → one service → redirect), and the report's PDF (private, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.audit.services import record_personal_data_view
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit.errors import DomainError, NotFound, PermissionDenied
from fengqiao.kit.pagination import paginate, query_with
from fengqiao.stability import assess, pdf, prepare, selectors, services, specs
from fengqiao.stability import presenters as p
from fengqiao.stability.forms import CreateForm, DecisionForm, FilterForm
from fengqiao.stability.models import Decision
from fengqiao.stability.selectors import affecting
from fengqiao.stability.states import DAction, DState
from fengqiao.web.acting import act, action_forms, show, submit_form
from fengqiao.web.tabs import StateTab, chosen, tab_links
from fengqiao.web.views import current_user, render_error, staff_only

PER_PAGE = 25
S = DState


TABS = [
    StateTab("preparing", gettext_lazy("立项·方案"), (S.DRAFT, S.PLANNED)),
    StateTab("consulting", gettext_lazy("意见征询"), (S.CONSULTING,)),
    StateTab("assessing", gettext_lazy("识别·评级·措施"), (S.IDENTIFYING, S.GRADED, S.MEASURES)),
    StateTab("concluded", gettext_lazy("结论·报告"), (S.CONCLUDED, S.REPORTED)),
    StateTab("tracking", gettext_lazy("跟踪落实"), (S.TRACKING,)),
    StateTab("done", gettext_lazy("已结束"), (S.CLOSED, S.WITHDRAWN)),
]


def _area_choices(user: User) -> list[tuple[int, str]]:
    """The areas a user may name: her area's (an officer's), any (a unit's handler: a city department's
    decision may affect any street)."""
    reach = scope.reach_of(user)
    where = scope.area_filter(user) if reach.area_ids or reach.everything else Q()
    areas = Area.objects.filter(where, level__in=prepare.SCOPE_LEVELS).order_by("path")
    return [(a.pk, ("　" if a.level != Level.DISTRICT else "") + ("　" if a.level == Level.COMMUNITY else "") + a.name)
            for a in areas.only("pk", "name", "level")[:2000]]


def _filtered(user: User, form: FilterForm) -> QuerySet[Decision]:
    qs = selectors.visible(user)
    if form.is_valid():
        v = form.cleaned_data
        if v["kind"]:
            qs = qs.filter(kind=v["kind"])
        if v["grade"]:
            qs = qs.filter(grade=v["grade"])
        if v["area"] is not None:
            path = Area.objects.filter(pk=v["area"]).values_list("path", flat=True).first()
            qs = qs.filter(affecting([path])) if path else qs.none()
        if v["q"].strip():
            qs = qs.filter(Q(title__icontains=v["q"].strip()) | Q(code__iexact=v["q"].strip()))
    return qs


@staff_only
def decision_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    tab = chosen(TABS, request.GET.get("tab", ""), TABS[2])
    areas = [(pk, name) for pk, name in _area_choices(user)]
    form = FilterForm(request.GET or None, areas=areas)
    qs = _filtered(user, form)
    tabs = tab_links(request, TABS, tab, qs)
    rows_qs = qs.filter(status__in=tab.values).select_related("proposing_unit", "assessing_unit")
    page = paginate(rows_qs.prefetch_related("areas"), request.GET.get("page"), PER_PAGE)
    rows = [{"d": d, "tone": p.GRADE_TONES.get(d.grade, "grey"), "ctone": p.CONCLUSION_TONES.get(d.conclusion, "grey"),
             "areas": "、".join(a.name for a in d.areas.all())} for d in page.items]
    return render(request, "stability/list.html", {
        "tab": tab.key, "tabs": tabs, "form": form, "page": page, "rows": rows,
        "may_create": _may_create(user), "high_open": qs.filter(grade="high", status__in=[
            s.value for s in (S.GRADED, S.MEASURES, S.CONCLUDED)]).count(),
        "filtered": form.is_bound and any(request.GET.get(k) for k in ("kind", "grade", "area", "q")),
        "prev_query": query_with(request.GET, page=str(page.previous_number)),
        "next_query": query_with(request.GET, page=str(page.next_number)),
    })


def _may_create(user: User) -> bool:
    roles = {r.value for r in services.ACTION_ROLES[DAction.CREATE]}
    return user.is_superuser or user.memberships.filter(role__in=roles).exists()


@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    """立项: a major decision put to assessment."""
    user = current_user(request)
    if not _may_create(user):
        return render_error(request, PermissionDenied(_("您的角色无权立项。")))
    form = CreateForm(request.POST or None, areas=_area_choices(user))

    def done(decision: Decision) -> HttpResponse:
        messages.success(request, _("已立项，编号 %(code)s。") % {"code": decision.code})
        return redirect("stability_detail", code=decision.code)

    return submit_form(
        request, form, done=done,
        perform=lambda v: prepare.create(user, title=v["title"], kind=v["kind"], summary=v["summary"],
                                         proposing_unit_id=v["proposing_unit_id"],
                                         assessing_unit_id=v["assessing_unit_id"], area_ids=v["area_ids"],
                                         third_party=v["third_party"], population=v["population"],
                                         stakeholders=v["stakeholders"]),
        page=lambda status: render(request, "stability/new.html", {"form": form}, status=status))


def _load(user: User, code: str) -> Decision:
    found = selectors.visible(user).select_related("proposing_unit", "assessing_unit").filter(code=code).first()
    return found if found is not None else selectors.access_decision(user, code)  # raises its NotFound


def render_detail(request: HttpRequest, decision: Decision, *, status: int = 200,
                  failed: tuple[str, DecisionForm] | None = None, error: DomainError | None = None) -> HttpResponse:
    user = current_user(request)
    suggestion = assess.suggestion(decision)
    suggested = suggestion.grade.value if suggestion.grade else ""
    forms = action_forms(specs.offered(user, decision), specs.SPECS, version=decision.version,
                         build=lambda name: specs.build(name, decision, suggested=suggested), failed=failed)
    risks, risk_total = p.register_risks(user, decision)
    return render(request, "stability/detail.html", {
        "d": decision, "tone": p.GRADE_TONES.get(decision.grade, "grey"),
        "ctone": p.CONCLUSION_TONES.get(decision.conclusion, "grey"), "stages": p.stages(decision),
        "areas": list(decision.areas.order_by("path")), "timeline": p.timeline(decision), "forms": forms,
        "error": error, "failed_name": failed[0] if failed else "", "consultation": p.consultation(decision),
        "opinions": p.opinion_rows(decision), "matrix": p.matrix(decision), "suggestion": suggestion,
        "suggested_label": p.grade_label(suggested), "grade_label": p.grade_label(decision.grade),
        "suggested_tone": p.GRADE_TONES.get(suggested, "grey"),
        "measures": decision.measures.select_related("responsible_unit", "item"), "risks": risks,
        "risk_total": risk_total, "public_open": decision.state == S.CONSULTING and decision.public_consultation,
    }, status=status)


@login_required
def decision_detail(request: HttpRequest, code: str) -> HttpResponse:
    return show(request, lambda: _load(current_user(request), code), render_detail)


@login_required
@require_POST
def decision_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = current_user(request)
    return act(request, user=user, code=code, action=action, specs=specs.SPECS, load=lambda: _load(user, code),
               build=lambda name, decision: specs.build(name, decision, request.POST), render_detail=render_detail,
               done=lambda: redirect("stability_detail", code=code))


@login_required
def decision_report(request: HttpRequest, code: str) -> HttpResponseBase:
    """The report, inline, to those who reach the decision, once issued; each opening is audited."""
    user = current_user(request)
    try:
        decision = _load(user, code)
        if decision.reported_at is None:
            raise NotFound(_("这项评估尚未出具报告。"))
        decision = pdf.ensure_report_pdf(decision)
    except DomainError as e:
        return render_error(request, e)
    roles = sorted(r.value for r in user.role_set())
    record_personal_data_view(user, role=roles[0] if roles else "admin", subject=f"stability:{code}:report.pdf",
                              fields=["report"], purpose=_("查看社会稳定风险评估报告"),
                              ip_address=request.META.get("REMOTE_ADDR"))
    response = FileResponse(decision.report_pdf.open("rb"), content_type="application/pdf", as_attachment=False,
                            filename=f"{code}-report.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
