"""/stability/…: the assessments' list, 立项, a decision's page, its actions and report, and the public
consultation page (no login)."""

from django.urls import URLPattern, path

from fengqiao.stability import views, views_public

urlpatterns: list[URLPattern] = [
    path("", views.decision_list, name="stability_list"),
    path("new/", views.decision_new, name="stability_new"),
    path("public/<str:code>/", views_public.public_consultation, name="stability_public"),
    path("<str:code>/", views.decision_detail, name="stability_detail"),
    path("<str:code>/report.pdf", views.decision_report, name="stability_report"),
    path("<str:code>/act/<str:action>/", views.decision_act, name="stability_act"),
]
