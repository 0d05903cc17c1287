"""/cockpit/reports/: weekly and monthly reports (PDF, Excel)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
