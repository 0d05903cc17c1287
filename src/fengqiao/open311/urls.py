"""/open311/v2/… (GeoReport v2): ``.json`` or ``.xml`` on every resource."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from fengqiao.open311 import views

app_name = "open311"
F = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + F, views.discovery, name="discovery"),
    re_path(r"^services" + F, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + F, views.service_definition, name="service"),
    re_path(r"^requests" + F, views.requests, name="requests"),
    re_path(r"^requests/(?P<code>[^/]+?)" + F, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token_id>[^/]+?)" + F, views.token, name="token"),
]
