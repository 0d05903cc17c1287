"""/cockpit/…: the leaders' cockpit, its data, the drill-down to cases, and the reports."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", include("fengqiao.cockpit.report_urls")),
]
