"""URLs of grid work: the patrol part (see gridwork/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
