"""The patrol app's pages: the app shell (/patrol/), its service worker (/patrol/sw.js, scope /patrol/) and its
web-app manifest.  The shell holds no data: the plan and the visits come from /api/patrol/ (gridwork/api.py)
and the outbox lives in the phone's IndexedDB (static/gridwork/patrol.js)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.models import User
from fengqiao.gridwork import patrol_officers
from fengqiao.gridwork.models import Finding
from fengqiao.gridwork.photos import MAX_PHOTOS
from fengqiao.kit.errors import PermissionDenied

# the app shell's static files: cached by the service worker on install, served from the cache offline
SHELL_STATIC = [
    "gridwork/patrol.css",
    "gridwork/patrol.js",
    "vendor/idb-keyval/umd.js",
    "gridwork/patrol-icon.svg",
    "gridwork/patrol-icon-192.png",
    "gridwork/patrol-icon-512.png",
]


@login_required
@require_GET
def patrol_app(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not patrol_officers.is_patroller(user):
        error = PermissionDenied(_("只有网格员和网格团队成员可以使用巡查。"))
        return render(request, "web/error.html", {"error": error}, status=403)
    config = {
        "user": user.username,
        "urls": {"plan": "/api/patrol/plan", "visits": "/api/patrol/visits", "sw": reverse("patrol_sw"),
                 "scope": reverse("patrol"), "login": f"{reverse('login')}?next={reverse('patrol')}"},
        "maxPhotos": MAX_PHOTOS,
        "findings": {str(v): str(label) for v, label in Finding.choices},
        "text": _texts(),
    }
    response = render(request, "gridwork/patrol.html", {"config": config})
    response["Cache-Control"] = "no-cache"  # the service worker keeps the offline copy
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /patrol/ so that its scope is the app (no wider)."""
    assets = [static(path) for path in SHELL_STATIC] + [reverse("patrol_manifest")]
    body = render_to_string("gridwork/patrol_sw.js", {
        "version": _version(), "page": reverse("patrol"), "plan": "/api/patrol/plan",
        "assets": json.dumps(assets),
    })
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("patrol")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web-app manifest (fetched without cookies by the browser: it holds nothing private)."""
    page = reverse("patrol")
    body: dict[str, Any] = {
        "name": _("枫桥 · 网格巡查"),
        "short_name": _("网格巡查"),
        "description": _("网格员巡查走访：离线记录，联网自动上传"),
        "id": page, "start_url": page, "scope": page, "display": "standalone", "orientation": "portrait",
        "lang": request.LANGUAGE_CODE, "background_color": "#f2f4f8", "theme_color": "#0f2c55",
        "icons": [
            {"src": static("gridwork/patrol-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("gridwork/patrol-icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("gridwork/patrol-icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
            {"src": static("gridwork/patrol-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


def _version() -> str:
    """Changes whenever a cached file or the worker itself changes, so that phones pick up a new shell."""
    digest = hashlib.sha256(render_to_string("gridwork/patrol_sw.js", {}).encode())
    for path in SHELL_STATIC:
        found = finders.find(path)
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


def _texts() -> dict[str, str]:
    """The strings patrol.js shows, translated here (the shell is cached per language)."""
    return {
        "online": _("在线"), "offline": _("离线"),
        "pending": _("待上传"), "sending": _("上传中"), "sent": _("已上传"), "rejected": _("被退回"),
        "queued": _("%(n)s 条待上传，联网后自动上传"), "queuedLogin": _("%(n)s 条待上传，登录后自动上传"),
        "rejectedCount": _("%(n)s 条被退回，请查看"),
        "retryIn": _("%(s)s 秒后重试"), "loginNeeded": _("登录已过期：请重新登录，记录仍保存在手机上"),
        "planFrom": _("计划更新于 %(t)s"), "planOffline": _("离线：显示 %(t)s 保存的计划"),
        "planMissing": _("还没有保存过计划：联网后打开一次本页"),
        "overdue": _("逾期 %(n)s 天"), "dueToday": _("今天应访"), "dueIn": _("%(n)s 天后应访"),
        "every": _("每 %(n)s 天"), "last": _("上次 %(d)s"), "never": _("从未走访"),
        "visitedLocal": _("已走访 · %(state)s"),
        "locating": _("正在定位…"), "located": _("已定位，精度约 %(m)s 米"),
        "noGps": _("未获得定位（%(reason)s）：将以走访点位置记录"),
        "noGpsAdHoc": _("未获得定位（%(reason)s）：随手报需要定位，请开启定位或从计划中选择走访点"),
        "gpsDenied": _("定位权限被拒绝"), "gpsUnavailable": _("无法定位"), "gpsTimeout": _("定位超时"),
        "needTitle": _("请填写问题标题"), "needDescription": _("请填写问题描述"),
        "tooManyPhotos": _("最多 %(n)s 张照片"), "saved": _("已保存到手机，待上传"),
        "adHoc": _("随手报（不在计划内）"), "case": _("已立案 %(code)s"),
        "delete": _("删除"), "confirmDelete": _("删除这条被退回的记录？删除后无法恢复。"),
        "removePhoto": _("移除照片"), "noPlaces": _("您的网格还没有走访点。"),
        "visit": _("走访"), "photos": _("照片 %(n)s 张"),
        "campaignDone": _("本次行动已走访"), "campaignUntil": _("%(name)s · %(d)s 截止"),
        "noPlacesOfficer": _("您所在网格目前没有进行中的专项行动走访点。"),
        "needNote": _("请在情况记录中写明发现的问题"),
        "noReport": _("您的账号不能直接登记事件：请在情况记录中写明问题，网格员会看到并上报。"),
    }
