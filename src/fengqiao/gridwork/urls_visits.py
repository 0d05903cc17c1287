"""URLs of grid work: a grid's visits on the staff site (see gridwork/urls.py) — a visit's page and its photos."""

from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.gridwork import visit_views

urlpatterns: list[URLPattern] = [
    path("grids/<str:code>/visits/<int:pk>/", visit_views.visit_detail, name="grid_visit"),
    path("grids/<str:code>/visits/<int:pk>/photos/<int:photo>/", visit_views.visit_photo, name="grid_visit_photo"),
]
