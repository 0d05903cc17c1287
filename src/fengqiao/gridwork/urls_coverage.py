"""URLs of grid work: the coverage part (see gridwork/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.gridwork import coverage_views

urlpatterns: list[URLPattern] = [
    path("coverage/", coverage_views.coverage_page, name="coverage"),
    path("coverage/campaigns/", coverage_views.campaign_list, name="coverage_campaigns"),
    path("coverage/campaigns/<int:campaign_id>/", coverage_views.campaign_page, name="coverage_campaign"),
]
