"""/hot-issues/: hot issues (grouped cases ranked by heat)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
