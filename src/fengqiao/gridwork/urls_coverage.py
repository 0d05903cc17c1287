"""URLs of grid work: the coverage part (see gridwork/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
