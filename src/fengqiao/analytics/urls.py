from django.urls import path

from fengqiao.analytics import views

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("export.xlsx", views.ranking_export, name="ranking_export"),
    path("refresh/", views.ranking_refresh, name="ranking_refresh"),
    path("appeals/", views.appeal_list, name="appeal_list"),
]
