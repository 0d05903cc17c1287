"""/cockpit/…: the leaders' cockpit, its data, the drill-down to cases, and the reports."""

from django.urls import URLPattern, URLResolver, include, path

from fengqiao.cockpit import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.cockpit, name="cockpit"),
    path("data/", views.cockpit_data, name="cockpit_data"),
    path("cases/", views.cockpit_cases, name="cockpit_cases"),
    path("reports/", include("fengqiao.cockpit.report_urls")),
]
