"""Grid work's pages: the phone's patrol app (/patrol/), coverage (/coverage/), a grid's page and its visits."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("fengqiao.gridwork.urls_patrol")),
    path("", include("fengqiao.gridwork.urls_coverage")),
    path("", include("fengqiao.gridwork.urls_grid")),
    path("", include("fengqiao.gridwork.urls_visits")),
]
