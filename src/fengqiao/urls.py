from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from fengqiao.api import api

admin.site.site_header = _("枫桥 · 系统管理")
admin.site.site_title = _("枫桥")
admin.site.index_title = _("基础数据与用户")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("fengqiao.ops.urls")),  # /healthz, /readyz, /metrics (docs/operations.md)
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/v2/", include("fengqiao.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notifications/", include("fengqiao.notifications.urls")),
    path("ranking/", include("fengqiao.analytics.urls")),
    path("mediation/", include("fengqiao.mediation.urls")),
    path("risk/", include("fengqiao.risk.urls")),
    path("warning/", include("fengqiao.warning.urls")),
    path("stability/", include("fengqiao.stability.urls")),
    path("legal/", include("fengqiao.legal.urls")),
    path("cockpit/", include("fengqiao.cockpit.urls")),
    path("hot-issues/", include("fengqiao.intelligence.hot_urls")),
    path("board/", include("fengqiao.cockpit.board_urls")),
    path("portal/", include("fengqiao.portal.urls")),
    path("", include("fengqiao.gridwork.urls")),
    path("", include("fengqiao.web.urls")),
]
# Uploaded files are never served from a public path: /cases/<code>/files/<id>/ checks scope and audience.

# a database error raised outside a view is a 503 "数据库暂时不可用" too (ops/dbdown.py)
handler500 = "fengqiao.ops.dbdown.server_error"
