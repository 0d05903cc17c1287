"""/mediation/…: the mediators' and judges' work (urls_work) and the pool, figures and subsidies (urls_pool)."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("fengqiao.mediation.urls_pool")),
    path("", include("fengqiao.mediation.urls_work")),
]
