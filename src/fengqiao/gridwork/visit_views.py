"""A visit on the staff site: its page (/grids/<code>/visits/<id>/) and its photos
(/grids/<code>/visits/<id>/photos/<photo id>/), served by this view to those who may open the grid — never
from a public media URL.  A household visit's photos and full name only to those who see households in
full, every such view audited (households.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.gridwork import households, teams, visit_reads
from fengqiao.gridwork.models import Visit
from fengqiao.jurisdictions.models import Area
from fengqiao.kit.errors import DomainError, NotFound
from fengqiao.web.views import current_user, render_error


def _audit(request: HttpRequest, grid: Area, role: str | None, visit: Visit, purpose: str) -> None:
    """A household visit seen in full: the day's first view of it by this user is recorded."""
    if role is not None and visit.place is not None and visit.place.is_household:
        households.record_full_view(current_user(request), role, grid, purpose=purpose, subject=f"visit:{visit.pk}",
                                    ip_address=request.META.get("REMOTE_ADDR"))


@login_required
@require_GET
def visit_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    user = current_user(request)
    try:
        grid = teams.access_grid(user, code)
        visit = visit_reads.visit_in(grid, pk)
    except DomainError as e:
        return render_error(request, e)
    role = households.full_view_role(user, grid)
    found = visit_reads.detail(user, visit, full=role is not None)
    household = visit.place is not None and visit.place.is_household
    _audit(request, grid, role, visit, "走访详情：重点户")
    context = {
        "grid": grid, "d": found, "v": visit,
        "map": visit_reads.visit_map(visit, found.place_name),
        "masked": household and role is None,
        "far_m": int(visit_reads.FAR_M),
        "browser_images": visit_reads.BROWSER_IMAGES,
    }
    return render(request, "gridwork/visit.html", context)


@login_required
@require_GET
def visit_photo(request: HttpRequest, code: str, pk: int, photo: int) -> HttpResponseBase:
    """The photo itself (inline; ``?download=1`` as a file).  Photos never change (stored by SHA-256): the
    browser keeps them privately and revalidates with the hash."""
    user = current_user(request)
    try:
        grid = teams.access_grid(user, code)
        visit = visit_reads.visit_in(grid, pk)
        role = households.full_view_role(user, grid)
        stored = visit_reads.photo_of(visit, photo, full=role is not None)
    except DomainError as e:
        return render_error(request, e)
    etag = f'"{stored.sha256}"'
    _audit(request, grid, role, visit, "走访照片：重点户")
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    try:
        handle = stored.file.open("rb")
    except OSError:
        return render_error(request, NotFound(_("照片文件缺失，请联系系统管理员。")))
    name = (stored.file.name or "photo").rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=request.GET.get("download") == "1", filename=name,
                            content_type=stored.content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
