"""URLs of grid work: the patrol part (see gridwork/urls.py) — the phone's app, its service worker and manifest."""

from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.gridwork import views_patrol

urlpatterns: list[URLPattern] = [
    path("patrol/", views_patrol.patrol_app, name="patrol"),
    path("patrol/sw.js", views_patrol.service_worker, name="patrol_sw"),
    path("patrol/manifest.webmanifest", views_patrol.manifest, name="patrol_manifest"),
]
