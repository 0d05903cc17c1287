"""URLs of grid work: the grid part (see gridwork/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from fengqiao.gridwork import grid_views

urlpatterns: list[URLPattern] = [
    path("grids/teams/", grid_views.grid_teams, name="grid_teams"),
    path("grids/<str:code>/", grid_views.grid_detail, name="grid_detail"),
    path("grids/<str:code>/team/phones/", grid_views.grid_team_reveal, name="grid_team_reveal"),
]
