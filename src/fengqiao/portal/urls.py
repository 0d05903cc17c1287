"""/portal/…: the citizen app (解纷码)."""

from django.urls import URLPattern

app_name = "portal"
urlpatterns: list[URLPattern] = []
