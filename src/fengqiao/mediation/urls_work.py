"""/mediation/…: the mediators' workbench, a mediation's page, its actions and documents, and the judges'
queue of judicial confirmations."""

from django.urls import URLPattern, path

from fengqiao.mediation import views_open, views_work

urlpatterns: list[URLPattern] = [
    path("", views_work.mediation_list, name="mediation_list"),
    path("open/<str:case_code>/", views_open.mediation_open, name="mediation_open"),
    path("confirmations/", views_work.confirmation_queue, name="confirmation_queue"),
    path("confirmations/<str:code>/", views_work.confirmation_review, name="confirmation_review"),
    path("<str:code>/", views_work.mediation_detail, name="mediation_detail"),
    path("<str:code>/act/<str:action>/", views_work.mediation_act, name="mediation_act"),
    path("<str:code>/documents/<str:name>", views_work.mediation_document, name="mediation_document"),
]
