"""/board/: the public board (公开监督), no login."""

from django.urls import URLPattern, path

from fengqiao.cockpit import board_views

urlpatterns: list[URLPattern] = [
    path("", board_views.public_board, name="board"),
]
