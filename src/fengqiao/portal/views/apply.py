"""申请 (/portal/apply/<request type>/): the form after phone verification; the result page with the
dispute code and its QR code (/portal/track/<code>/saved/)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from fengqiao.cases.services.register import PartyInput
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit.errors import DomainError, NotFound
from fengqiao.mediation.models import DisputeType, MediationKind, RequestType
from fengqiao.mediation.services.apply import ApplyInput
from fengqiao.portal import applying, qr, selectors, session
from fengqiao.portal.views._common import ACT_GROUP, ACT_RATE, hit, message, page, public_url, to_verify

# the kind a request usually wants (the citizen may choose another)
DEFAULT_KIND = {RequestType.MEDIATION: "peoples", RequestType.CONSULTATION: "lawyer",
                RequestType.FILING: "pre_litigation", RequestType.CONFIRMATION: "peoples"}
MAX_RESPONDENTS = 5


def streets_by_district() -> list[tuple[str, list[tuple[int, str]]]]:
    """The streets (镇街) grouped under their districts, for the select's optgroups."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, district in (Area.objects.filter(level=Level.STREET).order_by("parent__code", "code")
                               .values_list("pk", "name", "parent__name")):
        groups[district or ""].append((pk, name))
    return list(groups.items())


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _respondents(post: QueryDict) -> list[dict[str, str]]:
    names, phones = post.getlist("respondent_name"), post.getlist("respondent_phone")
    rows = [{"name": n.strip(), "phone": (phones[i] if i < len(phones) else "").strip()}
            for i, n in enumerate(names[:MAX_RESPONDENTS])]
    return [r for r in rows if r["name"] or r["phone"]] or [{"name": "", "phone": ""}]


def parse(post: QueryDict, request_type: str, phone: str) -> ApplyInput:
    respondents = [r for r in _respondents(post) if r["name"] or r["phone"]]
    return ApplyInput(
        request_type=request_type, kind_code=post.get("kind", ""),
        description=post.get("description", ""), demand=post.get("demand", ""),
        applicant=PartyInput(name=post.get("applicant_name", "").strip(), phone=phone,
                             id_number=post.get("applicant_id_number", "").strip()),
        respondents=[PartyInput(name=r["name"], phone=r["phone"]) for r in respondents],
        dispute_type_id=_int(post.get("dispute_type")), street_id=_int(post.get("street")),
        address=post.get("address", ""), amount=post.get("amount", ""),
    )


def _form(request: HttpRequest, request_type: RequestType, *, error: DomainError | None = None) -> dict[str, Any]:
    post = request.POST if request.method == "POST" else QueryDict()
    return {
        "request_type": request_type, "error": error, "fields": error.fields if error else {},
        "kinds": MediationKind.objects.filter(active=True).order_by("order"),
        "dispute_types": DisputeType.objects.filter(active=True).order_by("order"),
        "streets": streets_by_district(),
        "values": {"kind": post.get("kind", DEFAULT_KIND[request_type]), **{k: post.get(k, "") for k in (
            "dispute_type", "street", "address", "description", "demand", "amount", "applicant_name",
            "applicant_id_number")}, "choose_now": post.get("choose_now", "")},
        "respondents": _with_errors(_respondents(post) if post else [{"name": "", "phone": ""}],
                                    error.fields if error else {}),
        "phone": session.masked_phone(request), "had_files": bool(request.FILES.getlist("evidence")),
    }


def _with_errors(rows: list[dict[str, str]], fields: dict[str, str]) -> list[dict[str, str]]:
    return [{**row, "name_error": fields.get(f"respondent_{i}_name", ""),
             "phone_error": fields.get(f"respondent_{i}_phone", "")} for i, row in enumerate(rows, start=1)]


@require_http_methods(["GET", "POST"])
def apply_form(request: HttpRequest, request_type: str) -> HttpResponse:
    try:
        kind = RequestType(request_type)
    except ValueError:
        return message(request, NotFound("没有这项申请。"))
    citizen = session.citizen(request)
    if citizen is None:
        return to_verify(request, request.get_full_path())
    if request.method == "POST":
        try:
            hit(request, ACT_GROUP, ACT_RATE)
            mediation = applying.submit(citizen, parse(request.POST, kind.value, session.phone(request)),
                                        request.FILES.getlist("evidence"))
        except DomainError as e:
            return page(request, "portal/apply.html", _form(request, kind, error=e), status=e.status)
        target = reverse("portal:saved", args=[mediation.code])
        return redirect(target + ("?choose=1" if request.POST.get("choose_now") else ""))
    return page(request, "portal/apply.html", _form(request, kind))


def saved(request: HttpRequest, code: str) -> HttpResponse:
    """The result of an application: the code in large type, its QR code, what happens next.  Only for
    the verified party (anyone else is sent to the public tracking page)."""
    citizen = session.citizen(request)
    mediation = selectors.as_party(citizen, code)
    if mediation is None:
        return redirect("portal:track", code=code)
    url = public_url(reverse("portal:track", args=[code]), request)
    return page(request, "portal/saved.html", {"mediation": mediation, "track_url": url, "qr": qr.svg(url),
                                               "choose": request.GET.get("choose") == "1"})
