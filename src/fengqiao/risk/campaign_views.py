"""The screening pages: the campaigns (排查活动) with their progress, 发起排查, a campaign's page (progress by
street and community, the grids not screened yet, who screened what and when) and a grid worker's
phone-friendly screening form (POST → ``screening.record`` → back to the campaign)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area
from fengqiao.kit.errors import DomainError, NotFound, PermissionDenied
from fengqiao.kit.pagination import paginate
from fengqiao.risk import screening
from fengqiao.risk.forms import CampaignForm, ScreenForm
from fengqiao.risk.models import Campaign, ChecklistItem, Screening
from fengqiao.risk.screening import Finding
from fengqiao.web.acting import submit_form
from fengqiao.web.forms import apply_domain_error
from fengqiao.web.views import current_user, render_error, staff_only

STATUS_LABELS = {"upcoming": gettext_lazy("未开始"), "open": gettext_lazy("进行中"), "ended": gettext_lazy("已结束")}
STATUS_TONES = {"upcoming": "grey", "open": "blue", "ended": "green"}
UNSCREENED_SHOWN = 200


def may_organise(user: User) -> bool:
    try:
        screening._organiser(user)
    except DomainError:
        return False
    return True


def _status(c: Campaign) -> dict[str, Any]:
    key = screening.status_of(c)
    return {"key": key, "label": str(STATUS_LABELS[key]), "tone": STATUS_TONES[key]}


@staff_only
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    qs = (screening.visible_campaigns(user).select_related("area").annotate(screened=Count("screenings"))
          .order_by("-starts_on", "code"))
    page = paginate(qs, request.GET.get("page"), 25)
    rows = []
    for c in page.items:
        state = _status(c)
        mine = []
        if state["key"] == "open" and Role.GRID_WORKER in user.role_set():
            done = set(Screening.objects.filter(campaign=c).values_list("grid_id", flat=True))
            mine = [{"grid": g, "done": g.pk in done} for g in screening.my_grids(user, c).order_by("path")[:20]]
        rows.append({"c": c, "status": state, "mine": mine,
                     "percent": round(100 * c.screened / c.grid_count, 1) if c.grid_count else 0.0})
    return render(request, "risk/campaigns.html", {
        "rows": rows, "page": page, "may_organise": may_organise(user),
        "prev_query": f"page={page.previous_number}", "next_query": f"page={page.next_number}",
    })


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not may_organise(user):
        return render_error(request, PermissionDenied(_("只有风险专员、领导和管理员可以发起排查活动。")))
    areas = list(Area.objects.filter(scope.area_filter(user), level__in=screening.CAMPAIGN_LEVELS)
                 .order_by("path").values_list("pk", "name"))
    items = list(ChecklistItem.objects.filter(active=True).values_list("code", "name"))
    form = CampaignForm(request.POST or None, areas=areas, items=items,
                        initial={"item_codes": [code for code, _n in items]})

    def done(c: Campaign) -> HttpResponse:
        messages.success(request, _("已发起排查活动，覆盖 %(n)s 个网格。") % {"n": c.grid_count})
        return redirect("risk_campaign", code=c.code)

    return submit_form(
        request, form, done=done,
        perform=lambda v: screening.create_campaign(user, title=v["title"], area_id=v["area_id"],
                                                    starts_on=v["starts_on"], ends_on=v["ends_on"],
                                                    item_codes=v["item_codes"], note=v["note"]),
        page=lambda status: render(request, "risk/campaign_new.html", {"form": form}, status=status))


@login_required
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    try:
        c = screening.access_campaign(user, code)
    except DomainError as e:
        return render_error(request, e)
    p = screening.progress(c)
    street_id = request.GET.get("street")
    communities = p.communities
    if len(p.streets) > 1:
        communities = [t for t in p.communities if str(t.parent_id) == street_id] if street_id else []
    recent = (Screening.objects.filter(campaign=c).select_related("grid", "screened_by")
              .order_by("-screened_at")[:30])
    state = _status(c)
    done = {s.grid_id for s in Screening.objects.filter(campaign=c).only("grid_id")}
    mine = ([{"grid": g, "done": g.pk in done} for g in screening.my_grids(user, c).order_by("path")[:50]]
            if state["key"] == "open" and Role.GRID_WORKER in user.role_set() else [])
    street_name = next((t.name for t in p.streets if str(t.area_id) == street_id), "")
    return render(request, "risk/campaign.html", {
        "c": c, "p": p, "status": state, "communities": communities, "street_id": street_id or "",
        "street_name": street_name, "unscreened": p.unscreened[:UNSCREENED_SHOWN],
        "unscreened_more": max(0, len(p.unscreened) - UNSCREENED_SHOWN), "recent": recent, "mine": mine,
        "worst": sorted(p.streets, key=lambda t: t.percent)[:1],
    })


def _finding_error_fields(error: DomainError, slots: list[int]) -> DomainError:
    """The service numbers findings 0, 1 … as given; the form's slots may skip an empty one."""
    fields = {}
    for key, message in error.fields.items():
        parts = key.split("_", 2)
        if parts[0] == "finding" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(slots):
            key = f"finding_{slots[int(parts[1])]}_{parts[2]}"
        fields[key] = message
    error.fields = fields
    return error


@login_required
def screen_grid(request: HttpRequest, code: str, grid_id: int) -> HttpResponse:
    """A grid worker's screening form for one grid of a campaign."""
    user = current_user(request)
    try:
        c = screening.access_campaign(user, code)
        grid = screening.my_grids(user, c).select_related("parent", "parent__parent").filter(pk=grid_id).first()
        if grid is None:
            raise NotFound(_("这个网格不在本次排查范围内，或不是您负责的网格。"))
    except DomainError as e:
        return render_error(request, e)
    done = Screening.objects.filter(campaign=c, grid=grid).select_related("screened_by").first()
    items = [(i["code"], i["name"]) for i in c.items]
    form = ScreenForm(request.POST or None, items=items)
    error: DomainError | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            filled = form.findings()
            findings = [Finding(v["title"], v["item"], v["grade"] or "watch", v["description"]) for _i, v in filled]
            try:
                screening.record(user, c.code, grid.pk, result=form.cleaned_data["result"],
                                 items_checked=form.cleaned_data["items_checked"], findings=findings,
                                 note=form.cleaned_data["note"])
            except DomainError as e:
                error = _finding_error_fields(e, [i for i, _v in filled])
                apply_domain_error(form, error)
                status = e.status
            else:
                n = len(findings)
                messages.success(request, _("%(grid)s 排查已登记：%(result)s。") % {
                    "grid": grid.name, "result": _("发现 %(n)s 条风险") % {"n": n} if n else _("无风险")})
                return redirect("risk_campaign", code=c.code)
        else:
            status = 400
    return render(request, "risk/screen.html", {
        "c": c, "grid": grid, "form": form, "done": done, "status": _status(c),
        "error": error if error is not None and error.status != 400 else None,  # a 400 is on the form
        "hints": dict(ChecklistItem.objects.filter(code__in=[k for k, _n in items]).values_list("code", "hint")),
    }, status=status)
