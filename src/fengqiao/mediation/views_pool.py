"""The expert pool (调解专家库) for staff: /mediation/mediators/ (filters, cards), a mediator's profile
/mediation/mediators/<id>/ (her figures of the last 12 months, her recent mediations the reader may see),
and her availability, which she sets herself (POST …/availability/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, NotFound, ValidationFailed
from fengqiao.kit.pagination import paginate
from fengqiao.mediation import availability, figures, selection
from fengqiao.mediation.models import DisputeType, Mediator, MediatorKind
from fengqiao.mediation.pool_access import check_pool_viewer
from fengqiao.mediation.services._core import visible
from fengqiao.web.views import current_user, render_error

PER_PAGE = 24
LANGUAGE_SPLIT = str.maketrans({"、": ",", "，": ",", "；": ",", ";": ",", "/": ",", " ": ","})


def parse_pool_filters(params: QueryDict) -> selection.PoolFilters:
    """The pool page's filters; a 400 naming the field for a value that is not one of the choices."""
    errors: dict[str, str] = {}
    kind = params.get("kind", "").strip()
    if kind and kind not in MediatorKind.values:
        errors["kind"] = _("没有这个调解员类别")
    specialty = None
    if params.get("specialty", "").strip():
        specialty = DisputeType.objects.filter(code=str(params.get("specialty", "")).strip(), active=True).first()
        if specialty is None:
            errors["specialty"] = _("没有这个纠纷类型")
    area = None
    area_code = str(params.get("area", "")).strip()
    if area_code:
        area = Area.objects.filter(code=area_code, level__in=[Level.DISTRICT, Level.STREET]).first()
        if area is None:
            errors["area"] = _("没有这个区县或镇街")
    availability_value = params.get("availability", "").strip()
    if availability_value not in selection.AVAILABILITY:
        errors["availability"] = _("接案状态只能是：可接案、已满额、暂停或外出")
    sort = params.get("sort", "").strip() or "rating"
    if sort not in selection.SORTS:
        errors["sort"] = _("排序只能按评分、在办件数、姓名或从业年限")
    if errors:
        raise ValidationFailed(_("筛选条件有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    return selection.PoolFilters(kind=kind, specialty=specialty, area=area, availability=availability_value,
                                 language=params.get("language", "").strip()[:20],
                                 q=params.get("q", "").strip()[:40], sort=sort)


def status_of(mediator: Mediator, load: int, today: dt.date) -> tuple[str, str]:
    """(css class, label) of her availability on the cards: taking cases, full, away, paused."""
    if not mediator.available:
        return "grey", _("暂停接案")
    if mediator.unavailable_until and mediator.unavailable_until >= today:
        return "orange", _("外出至 %(d)s") % {"d": f"{mediator.unavailable_until:%m-%d}"}
    if load >= mediator.max_load:
        return "red", _("已满额")
    return "green", _("可接案")


def _card(mediator: Any, today: dt.date) -> dict[str, Any]:
    load = int(mediator.open_load)
    css, label = status_of(mediator, load, today)
    return {"m": mediator, "load": load, "status_css": css, "status": label, "stars": mediator.stars,
            "load_pct": min(100, round(100 * load / mediator.max_load)) if mediator.max_load else 100,
            "specialties": [s.name for s in mediator.specialties.all()]}


def _pool_counts(today: dt.date) -> dict[str, int]:
    """How many in the pool take cases now, are full, or are away — over the pool's rows, not mediations."""
    loads = selection.open_loads()
    counts = {"all": 0, "taking": 0, "full": 0, "away": 0}
    for pk, available, until, most in Mediator.objects.filter(active=True).values_list(
            "pk", "available", "unavailable_until", "max_load"):
        counts["all"] += 1
        if not available or (until and until >= today):
            counts["away"] += 1
        elif loads.get(pk, 0) >= most:
            counts["full"] += 1
        else:
            counts["taking"] += 1
    return counts


def _languages() -> list[str]:
    found: set[str] = set()
    for text in Mediator.objects.filter(active=True).values_list("languages", flat=True).distinct():
        found |= {part.strip() for part in (text or "").translate(LANGUAGE_SPLIT).split(",") if part.strip()}
    return sorted(found, key=lambda s: (s != "普通话", s))


def _area_choices() -> list[tuple[Area, list[Area]]]:
    districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("code"))
    streets: dict[int, list[Area]] = {}
    for street in Area.objects.filter(level=Level.STREET).order_by("code"):
        streets.setdefault(street.parent_id or 0, []).append(street)
    return [(d, streets.get(d.pk, [])) for d in districts]


@login_required
@require_GET
def mediator_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        check_pool_viewer(user)
        filters = parse_pool_filters(request.GET)
    except DomainError as error:
        return render_error(request, error)
    today = clock.today()
    page = paginate(selection.browse(filters, on=today).prefetch_related("specialties"), request.GET.get("page"),
                    PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "mediation/pool/mediators.html", {
        "page": page, "cards": [_card(m, today) for m in page.items], "filters": filters,
        "kinds": MediatorKind.choices, "types": DisputeType.objects.filter(active=True),
        "areas": _area_choices(), "languages": _languages(), "counts": _pool_counts(today),
        "query": query.urlencode(), "filtered": any(request.GET.get(k) for k in (
            "kind", "specialty", "area", "availability", "language", "q")),
    })


def _mediation_link(code: str) -> str:
    try:
        return reverse("mediation_detail", args=[code])
    except NoReverseMatch:  # the workbench's pages are engineer A's
        return ""


def _profile(request: HttpRequest, mediator_id: int, *, error: DomainError | None = None,
             form: dict[str, str] | None = None) -> HttpResponse:
    user = current_user(request)
    mediator = Mediator.objects.select_related("unit", "area", "user").filter(pk=mediator_id).first()
    if mediator is None:
        raise NotFound(_("专家库中没有这位调解员。"))
    today = clock.today()
    load = selection.open_loads([mediator.pk]).get(mediator.pk, 0)
    css, label = status_of(mediator, load, today)
    year, months = figures.mediator_year(mediator.pk)
    recent = list(visible(user).filter(mediator=mediator).select_related("kind", "dispute_type")
                  .order_by("-applied_at")[:12])
    chart = {"months": [f"{p.month:%Y-%m}" for p in months], "concluded": [p.concluded for p in months],
             "rate": [None if p.rate is None else round(p.rate * 100, 1) for p in months],
             "labels": {"concluded": _("办结"), "rate": _("成功率")}}
    return render(request, "mediation/pool/mediator.html", {
        "m": mediator, "load": load, "status_css": css, "status": label,
        "load_pct": min(100, round(100 * load / mediator.max_load)) if mediator.max_load else 100,
        "stars": selection.smoothed(mediator.rating_sum, mediator.rating_count, selection.pool_mean_rating()),
        "specialties": list(mediator.specialties.all()), "year": year, "chart": chart,
        "recent": [(m, _mediation_link(m.code)) for m in recent], "can_edit": availability.can_edit(user, mediator),
        "availability": availability.describe(mediator, today), "today": today,
        "mode": "paused" if not mediator.available else (
            "away" if mediator.unavailable_until and mediator.unavailable_until >= today else "taking"),
        "error": error, "errors": error.fields if error else {}, "form": form or {},
    }, status=error.status if error else 200)


@login_required
@require_GET
def mediator_detail(request: HttpRequest, mediator_id: int) -> HttpResponse:
    try:
        check_pool_viewer(current_user(request))
        return _profile(request, mediator_id)
    except DomainError as error:
        return render_error(request, error)


@login_required
@require_POST
def mediator_availability(request: HttpRequest, mediator_id: int) -> HttpResponse:
    user = current_user(request)
    form = {"mode": request.POST.get("mode", ""), "until": request.POST.get("until", "")}
    try:
        check_pool_viewer(user)
        mediator = availability.set_availability(user, mediator_id, mode=form["mode"], until=form["until"])
    except ValidationFailed as error:
        try:
            return _profile(request, mediator_id, error=error, form=form)
        except DomainError as other:
            return render_error(request, other)
    except DomainError as error:
        return render_error(request, error)
    messages.success(request, _("接案状态已更新为「%(s)s」。") % {"s": availability.describe(mediator)})
    return redirect("mediator_detail", mediator_id=mediator.pk)
