"""/mediation/mediators/ (the expert pool), /mediation/figures/ and /mediation/subsidies/."""

from django.urls import URLPattern, path

from fengqiao.mediation import views_figures, views_pool, views_subsidy

urlpatterns: list[URLPattern] = [
    path("mediators/", views_pool.mediator_list, name="mediator_list"),
    path("mediators/<int:mediator_id>/", views_pool.mediator_detail, name="mediator_detail"),
    path("mediators/<int:mediator_id>/availability/", views_pool.mediator_availability,
         name="mediator_availability"),
    path("figures/", views_figures.mediation_figures, name="mediation_figures"),
    path("subsidies/", views_subsidy.subsidy_statements, name="subsidy_statements"),
    path("subsidies/export.xlsx", views_subsidy.subsidy_export, name="subsidy_export"),
]
