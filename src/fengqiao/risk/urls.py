"""/risk/…: the register's list, an entry's page and its actions, 列入风险清单 from a case; the screening
campaigns and a grid's screening form; the five-100% indicators, their drill-downs and the scores' export."""

from django.urls import URLPattern, path

from fengqiao.risk import campaign_views, indicator_views, views

urlpatterns: list[URLPattern] = [
    path("", views.risk_list, name="risk_list"),
    path("campaigns/", campaign_views.campaign_list, name="risk_campaigns"),
    path("campaigns/new/", campaign_views.campaign_new, name="risk_campaign_new"),
    path("campaigns/<str:code>/", campaign_views.campaign_detail, name="risk_campaign"),
    path("campaigns/<str:code>/grid/<int:grid_id>/", campaign_views.screen_grid, name="risk_screen"),
    path("indicators/", indicator_views.indicator_page, name="risk_indicators"),
    path("indicators/export.xlsx", indicator_views.indicator_export, name="risk_indicator_export"),
    path("indicators/<str:key>/", indicator_views.indicator_drill, name="risk_indicator_drill"),
    path("open/<str:case_code>/", views.risk_open, name="risk_open"),
    path("<str:code>/", views.risk_detail, name="risk_detail"),
    path("<str:code>/act/<str:action>/", views.risk_act, name="risk_act"),
]
