"""/board/: the public board (公开监督), no login."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
