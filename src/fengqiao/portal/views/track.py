"""查询进度: /portal/track/ (enter a code), /portal/track/<code>/ (the progress and the eight dimensions of
阳光调解), its QR code, and the documents a verified party may download."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fengqiao.audit.models import Audience
from fengqiao.cases.models import Attachment
from fengqiao.kit.errors import DomainError, NotFound
from fengqiao.mediation import pdf
from fengqiao.portal import qr, selectors, session
from fengqiao.portal.views._common import lookup, message, page, public_url


@require_http_methods(["GET", "POST"])
def track_form(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("code", "") or request.GET.get("code", "")
    if request.method == "POST" or raw:
        try:
            code = lookup(request, raw)
        except DomainError as e:
            if e.status == 429:
                return message(request, e, title=_("查询已暂停"))
            return page(request, "portal/track_form.html", {"error": e, "code": raw}, status=e.status)
        return redirect("portal:track", code=code)
    return page(request, "portal/track_form.html", {"code": ""})


def _checked(request: HttpRequest, code: str) -> str | HttpResponse:
    """The code if it names a mediation (counted against guessing), else the error page."""
    try:
        return lookup(request, code)
    except DomainError as e:
        if e.status == 429:
            return message(request, e, title=_("查询已暂停"))
        return page(request, "portal/track_form.html", {"error": e, "code": code}, status=e.status)


def track(request: HttpRequest, code: str) -> HttpResponse:
    found = _checked(request, code)
    if isinstance(found, HttpResponse):
        return found
    if found != code:
        return redirect("portal:track", code=found)
    view = selectors.track(found, session.citizen(request))
    return page(request, "portal/track.html", {
        "t": view, "m": view.mediation, "verified": session.citizen(request) is not None,
        "track_url": public_url(reverse("portal:track", args=[found]), request),
    })


def qr_svg(request: HttpRequest, code: str) -> HttpResponse:
    found = _checked(request, code)
    if isinstance(found, HttpResponse):
        return found
    url = public_url(reverse("portal:track", args=[found]), request)
    response = HttpResponse(qr.svg_document(url), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="{found}.svg"'
    return response


def _party(request: HttpRequest, code: str) -> selectors.Mediation | HttpResponse:
    found = _checked(request, code)
    if isinstance(found, HttpResponse):
        return found
    mediation = selectors.as_party(session.citizen(request), found)
    if mediation is None:
        return message(request, NotFound(_("该文件仅当事人可查看，请先验证您的手机号。")),
                       back=reverse("portal:verify") + f"?next={request.path}")
    return mediation


def attachment(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    mediation = _party(request, code)
    if isinstance(mediation, HttpResponse):
        return mediation
    found = Attachment.objects.filter(case_id=mediation.case_id, pk=pk,
                                      audience__in=[Audience.PARTIES, Audience.PUBLIC]).first()
    if found is None:
        return message(request, NotFound(_("没有找到该文件。")))
    return _private(FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name,
                                 content_type=found.content_type))


def document(request: HttpRequest, code: str, which: str) -> HttpResponseBase:
    """The agreement (调解协议书) or the ruling (司法确认裁定) as PDF, for the parties."""
    mediation = _party(request, code)
    if isinstance(mediation, HttpResponse):
        return mediation
    holder = getattr(mediation, "agreement" if which == "agreement" else "confirmation", None)
    if holder is not None:  # a document kept without its PDF (the demo's history) is made on its first opening
        holder = pdf.ensure_agreement_pdf(holder) if which == "agreement" else pdf.ensure_ruling_pdf(holder)
    if holder is None:
        return message(request, NotFound(_("该文书尚未生成。")))
    name = f"{mediation.code}-{'agreement' if which == 'agreement' else 'ruling'}.pdf"
    return _private(FileResponse(holder.pdf.open("rb"), as_attachment=False, filename=name,
                                 content_type="application/pdf"))


def _private(response: FileResponse) -> FileResponse:
    """A party's own papers: never kept by a shared cache or the browser's."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
