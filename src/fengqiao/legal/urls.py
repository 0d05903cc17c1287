"""/legal/…: the monitoring list and figures, a dispute's page and its actions, and from a case's page the
detector on demand and the manual flag."""

from django.urls import URLPattern, path

from fengqiao.legal import views

urlpatterns: list[URLPattern] = [
    path("", views.legal_list, name="legal_list"),
    path("figures/", views.legal_figures, name="legal_figures"),
    path("scan/<str:case_code>/", views.legal_scan, name="legal_scan"),
    path("flag/<str:case_code>/", views.legal_flag, name="legal_flag"),
    path("<str:code>/", views.legal_detail, name="legal_detail"),
    path("<str:code>/act/<str:action>/", views.legal_act, name="legal_act"),
]
