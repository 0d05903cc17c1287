"""/risk/…: the register's list, an entry's page and its actions, and 列入风险清单 from a case."""

from django.urls import URLPattern, path

from fengqiao.risk import views

urlpatterns: list[URLPattern] = [
    path("", views.risk_list, name="risk_list"),
    path("open/<str:case_code>/", views.risk_open, name="risk_open"),
    path("<str:code>/", views.risk_detail, name="risk_detail"),
    path("<str:code>/act/<str:action>/", views.risk_act, name="risk_act"),
]
