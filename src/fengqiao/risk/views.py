"""The register's staff pages: the list (风险清单) with its tabs and filters, an entry's page with the
forms for what the reader may do now (POST → one service → redirect), and 列入风险清单 from a case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.cases.services import access_case
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, PermissionDenied
from fengqiao.kit.pagination import paginate, query_with
from fengqiao.risk import actions, selectors, services
from fengqiao.risk import presenters as p
from fengqiao.risk.forms import EntryForm, FilterForm, OpenForm
from fengqiao.risk.models import RiskEntry
from fengqiao.risk.states import REVIEWED, RState
from fengqiao.web.acting import act, action_forms, show, submit_form
from fengqiao.web.tabs import StateTab, chosen, tab_links
from fengqiao.web.views import current_user, render_error, staff_only

PER_PAGE = 25
S = RState


TABS = [
    StateTab("pending", gettext_lazy("待识别"), (S.SCREENED, S.IDENTIFIED)),
    StateTab("listed", gettext_lazy("在册"), (S.LISTED, S.TACKLING)),
    StateTab("done", gettext_lazy("已销号"), (S.WRITTEN_OFF, S.APPLIED)),
    StateTab("dismissed", gettext_lazy("已排除"), (S.DISMISSED,)),
]
def _filtered(user: User, form: FilterForm) -> QuerySet[RiskEntry]:
    qs = selectors.visible(user)
    if form.is_valid():
        if form.cleaned_data["grade"]:
            qs = qs.filter(grade=form.cleaned_data["grade"])
        if form.cleaned_data["street"] is not None:
            qs = qs.filter(street_id=form.cleaned_data["street"])
    return qs


@staff_only
def risk_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    tab = chosen(TABS, request.GET.get("tab", ""), TABS[1])
    visible = selectors.visible(user)
    streets = list(Area.objects.filter(level=Level.STREET, pk__in=visible.values("street_id"))
                   .order_by("code").values_list("pk", "name"))
    form = FilterForm(request.GET or None, streets=streets)
    qs = _filtered(user, form)
    tabs = tab_links(request, TABS, tab, qs)
    rows_qs = qs.filter(status__in=tab.values).select_related(
        "street", "community", "grid", "responsible_unit", "case")
    if tab.key == "listed":
        rows_qs = rows_qs.order_by(F("next_review_at").asc(nulls_last=True), "-opened_at")
    page = paginate(rows_qs, request.GET.get("page"), PER_PAGE)
    rows = [{"entry": e, "tone": p.GRADE_TONES.get(e.grade, "grey"), "area": p.area_name(e), "overdue": p.overdue(e)}
            for e in page.items]
    overdue_count = sum(1 for _x in qs.filter(status__in=sorted(REVIEWED), next_review_at__lt=clock.now())
                        .values_list("pk")[:1000])
    return render(request, "risk/list.html", {
        "tab": tab.key, "tabs": tabs, "form": form, "page": page, "rows": rows, "overdue_count": overdue_count,
        "filtered": form.is_bound and any(request.GET.get(k) for k in ("grade", "street")),
        "prev_query": query_with(request.GET, page=str(page.previous_number)),
        "next_query": query_with(request.GET, page=str(page.next_number)),
    })


def render_detail(request: HttpRequest, entry: RiskEntry, *, status: int = 200,
                  failed: tuple[str, EntryForm] | None = None, error: DomainError | None = None) -> HttpResponse:
    user = current_user(request)
    forms = action_forms(actions.offered(user, entry), actions.SPECS, version=entry.version,
                         build=lambda name: actions.build(name, entry), failed=failed)
    reached = [s for s, _label in p.STAGES]
    at = reached.index(entry.state) if entry.state in reached else -1
    stages = [{"label": label, "done": i <= at} for i, (_s, label) in enumerate(p.STAGES)]
    return render(request, "risk/detail.html", {
        "e": entry, "tone": p.GRADE_TONES.get(entry.grade, "grey"), "area": p.area_name(entry),
        "overdue": p.overdue(entry), "stages": stages, "timeline": p.timeline(entry), "forms": forms,
        "error": error, "measures": [m for m in entry.measures.splitlines() if m.strip()],
        "failed_name": failed[0] if failed else "",
        "item_name": next((i["name"] for i in (entry.campaign.items if entry.campaign else [])
                           if i.get("code") == entry.checklist_item), ""),
    }, status=status)


def _load(user: User, code: str) -> RiskEntry:
    entry = selectors.visible(user).select_related(
        "street", "community", "grid", "responsible_unit", "responsible_leader", "case", "campaign").filter(
        code=code).first()
    if entry is None:
        return selectors.access_entry(user, code)  # raises its NotFound
    return entry


@login_required
def risk_detail(request: HttpRequest, code: str) -> HttpResponse:
    return show(request, lambda: _load(current_user(request), code), render_detail)


@login_required
@require_POST
def risk_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = current_user(request)
    return act(request, user=user, code=code, action=action, specs=actions.SPECS, load=lambda: _load(user, code),
               build=lambda name, entry: actions.build(name, entry, request.POST), render_detail=render_detail,
               done=lambda: redirect("risk_detail", code=code))


@login_required
def risk_open(request: HttpRequest, case_code: str) -> HttpResponse:
    """列入风险清单: the case's matter put on the register, graded, with its responsible unit."""
    user = current_user(request)
    try:
        case = access_case(user, case_code)
        if not p.may_open(user):
            raise PermissionDenied(_("您的角色无权将案件列入风险清单。"))
    except DomainError as e:
        return render_error(request, e)
    existing = p.live_entry(user, case)
    if existing is not None and request.method != "POST":
        messages.info(request, _("这件案件已在风险清单中。"))
        return redirect("risk_detail", code=existing.code)
    form = OpenForm(request.POST or None, initial={"grade": "general", "responsible_unit_id": case.lead_unit_id})

    def done(entry: RiskEntry) -> HttpResponse:
        messages.success(request, _("已列入风险清单，编号 %(code)s。") % {"code": entry.code})
        return redirect("risk_detail", code=entry.code)

    return submit_form(
        request, form, done=done,
        perform=lambda v: services.open_from_case(user, case_code, v["grade"], v["grade_reason"],
                                                  v["responsible_unit_id"], v.get("responsible_leader_id")),
        page=lambda status: render(request, "risk/open.html", {"case": case, "form": form}, status=status))
