"""/cockpit/reports/: weekly and monthly reports (PDF, Excel)."""

from django.urls import URLPattern, path

from fengqiao.cockpit import reports_views

urlpatterns: list[URLPattern] = [
    path("", reports_views.report_list, name="cockpit_reports"),
    path("file/", reports_views.report_download, name="cockpit_report_file"),
]
