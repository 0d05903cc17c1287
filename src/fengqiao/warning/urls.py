"""/warning/…: scored cases by grade, the two special modules, re-scoring a case."""

from django.urls import URLPattern, path

from fengqiao.warning import views

urlpatterns: list[URLPattern] = [
    path("", views.warning_list, name="warning_list"),
    path("rental/", views.warning_module, {"module": "rental"}, name="warning_rental"),
    path("family/", views.warning_module, {"module": "family"}, name="warning_family"),
    path("case/<str:code>/score/", views.warning_rescore, name="warning_rescore"),
]
