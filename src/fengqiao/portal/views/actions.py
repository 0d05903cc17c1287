"""A verified party's actions on her mediation: choose a mediator, upload evidence, rate, withdraw.
(Judicial confirmation: confirm.py.)  Every refusal is shown on the page with its status; nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fengqiao.audit.models import Audience
from fengqiao.cases.models import Attachment, Satisfaction
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, NotFound, PermissionDenied
from fengqiao.kit.pagination import paginate
from fengqiao.mediation import conflicts, selection
from fengqiao.mediation.models import DisputeType, Mediation, MediatorKind
from fengqiao.mediation.services import citizen as citizen_actions
from fengqiao.mediation.services._core import Citizen
from fengqiao.mediation.services.apply import choose
from fengqiao.portal import selectors, session
from fengqiao.portal.views._common import ACT_GROUP, ACT_RATE, hit, lookup, message, page, to_verify


def mine(request: HttpRequest, code: str) -> tuple[Citizen, Mediation] | HttpResponse:
    """The verified citizen and her mediation, or the page to show instead (verify first, not a party,
    a wrong code — counted against guessing)."""
    try:
        found = lookup(request, code)
    except DomainError as e:
        return message(request, e, title=_("查询已暂停") if e.status == 429 else "")
    citizen = session.citizen(request)
    if citizen is None:
        return to_verify(request, request.get_full_path())
    mediation = selectors.as_party(citizen, found)
    if mediation is None:
        refusal = NotFound(_("您验证的手机号不是这件调解的当事人，不能办理。如手机号有误，请退出后重新验证。"))
        return message(request, refusal, back=reverse("portal:track", args=[found]))
    return citizen, mediation


PartyView = Callable[[HttpRequest, Citizen, Mediation], HttpResponse]


def party_page(view: PartyView) -> Callable[[HttpRequest, str], HttpResponse]:
    """A page (GET shows it, POST acts) for a verified party of the mediation ``code``: the view is given her
    and the mediation; whoever is not one gets ``mine``'s page instead."""

    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def page_for_party(request: HttpRequest, code: str) -> HttpResponse:
        found = mine(request, code)
        if isinstance(found, HttpResponse):
            return found
        citizen, mediation = found
        return view(request, citizen, mediation)

    return page_for_party


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _filters(request: HttpRequest) -> selection.PoolFilters:
    specialty = request.GET.get("specialty", "")
    area = request.GET.get("area", "")
    sort = request.GET.get("sort", "rating")
    return selection.PoolFilters(
        kind=request.GET.get("kind", "") if request.GET.get("kind", "") in MediatorKind.values else "",
        specialty=DisputeType.objects.filter(pk=specialty).first() if specialty.isdigit() else None,
        area=Area.objects.filter(pk=area).first() if area.isdigit() else None,
        availability=request.GET.get("availability", "available"), sort=sort if sort in selection.SORTS else "rating",
    )


@party_page
def mediators(request: HttpRequest, citizen: Citizen, mediation: Mediation) -> HttpResponse:
    """选择调解员: suggestions first (selection.suggest), then the pool with filters; choosing calls the
    application service, whose refusals (away, full, 回避) are shown on the page."""
    error: DomainError | None = None
    chosen_id = request.POST.get("mediator", "")
    if request.method == "POST":
        try:
            hit(request, ACT_GROUP, ACT_RATE)
            if not citizen_actions.is_applicant(citizen, mediation):  # apply.choose lets any party choose
                raise PermissionDenied(_("调解员由申请人选择。"))
            if not chosen_id.isdigit():
                raise NotFound(_("请选择一位调解员。"), fields={"mediator": _("请选择")})
            mediation = choose(citizen, mediation.code, int(chosen_id), expected_version=_version(request))
        except DomainError as e:
            error = e
        else:
            name = mediation.mediator.name if mediation.mediator else ""
            messages.success(request, _("已选定调解员%(name)s，调解组织受理后将与您联系。") % {"name": name})
            return redirect("portal:track", code=mediation.code)
    filters = _filters(request)
    pool = paginate(selection.browse(filters).select_related("unit", "area").prefetch_related("specialties"),
                    request.GET.get("page"), per_page=10)
    today = clock.today()
    parties = list(mediation.case.parties.values_list("phone_hash", "id_hash"))
    tied = conflicts.ties([m.pk for m in pool.items], [p for p, _i in parties], [i for _p, i in parties])
    for mediator in pool.items:
        mediator.free = selection.available_on(mediator, today)
        mediator.tied = mediator.pk in tied  # 回避: shown on her card before anyone tries
    context: dict[str, Any] = {
        "m": mediation, "error": error, "chosen_id": chosen_id, "filters": filters,
        "applicant": citizen_actions.is_applicant(citizen, mediation),
        "suggestions": selection.suggest(mediation, limit=5) if mediation.status == "applied" else [],
        "pool": pool,
        "kinds": MediatorKind.choices, "specialties": DisputeType.objects.filter(active=True).order_by("order"),
        "areas": Area.objects.filter(level__in=[Level.DISTRICT, Level.STREET]).order_by("path"),
        "query": request.GET.copy(),
    }
    return page(request, "portal/mediators.html", context, status=error.status if error else 200)


@party_page
def evidence(request: HttpRequest, citizen: Citizen, mediation: Mediation) -> HttpResponse:
    """提交证据: files checked (extension against content, size) before any is kept."""
    error: DomainError | None = None
    if request.method == "POST":
        try:
            hit(request, ACT_GROUP, ACT_RATE)
            kept = citizen_actions.add_evidence(citizen, mediation.code, request.FILES.getlist("files"),
                                                note=request.POST.get("note", ""), expected_version=_version(request))
        except DomainError as e:
            error = e
        else:
            messages.success(request, _("已提交 %(n)s 个证据文件。") % {"n": len(kept)})
            return redirect("portal:evidence", code=mediation.code)
    files = Attachment.objects.filter(case_id=mediation.case_id,
                                      audience__in=[Audience.PARTIES, Audience.PUBLIC]).order_by("uploaded_at")
    return page(request, "portal/evidence.html", {"m": mediation, "error": error, "files": files,
                                                  "note": request.POST.get("note", "")},
                status=error.status if error else 200)


@party_page
def rate(request: HttpRequest, citizen: Citizen, mediation: Mediation) -> HttpResponse:
    """评价: stars for the mediation and its mediator; and the case's own evaluation when it is open."""
    error: DomainError | None = None
    which = request.POST.get("which", "stars")
    if request.method == "POST":
        try:
            hit(request, ACT_GROUP, ACT_RATE)
            if which == "case":
                citizen_actions.evaluate_case(citizen, mediation.code, rating=request.POST.get("rating", ""),
                                              comment=request.POST.get("comment", ""))
                messages.success(request, _("感谢您对办理结果的评价。"))
            else:
                citizen_actions.rate(citizen, mediation.code, stars=request.POST.get("stars", ""),
                                     comment=request.POST.get("comment", ""), expected_version=_version(request))
                messages.success(request, _("感谢您的评价。"))
        except DomainError as e:
            error = e
        else:
            return redirect("portal:rate", code=mediation.code)
        mediation.refresh_from_db()
    return page(request, "portal/rate.html", {
        "m": mediation, "error": error, "which": which, "applicant": citizen_actions.is_applicant(citizen, mediation),
        "rateable": mediation.status in {s.value for s in selectors.RATEABLE},
        "invite": selectors.open_case_evaluation(mediation), "choices": Satisfaction.choices,
        "stars": request.POST.get("stars", ""), "comment": request.POST.get("comment", ""),
        "rating_choice": request.POST.get("rating", ""),
    }, status=error.status if error else 200)


@party_page
def withdraw(request: HttpRequest, citizen: Citizen, mediation: Mediation) -> HttpResponse:
    """撤回申请, after a confirmation page."""
    error: DomainError | None = None
    if request.method == "POST":
        try:
            hit(request, ACT_GROUP, ACT_RATE)
            citizen_actions.withdraw(citizen, mediation.code, reason=request.POST.get("reason", ""),
                                     expected_version=_version(request))
        except DomainError as e:
            error = e
        else:
            messages.success(request, _("您已撤回调解申请。"))
            return redirect("portal:track", code=mediation.code)
    return page(request, "portal/withdraw.html", {"m": mediation, "error": error,
                                                  "reason": request.POST.get("reason", "")},
                status=error.status if error else 200)
