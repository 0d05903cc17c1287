"""The patrol app's pages: the shell for grid workers, its service worker's scope, the manifest, the nav link."""

from __future__ import annotations

import json

from django.test import Client

from tests.factories import City
from tests.web.conftest import login


def test_the_shell_is_for_grid_workers(city: City, client: Client) -> None:
    assert client.get("/patrol/").status_code == 302  # to the login page
    page = login(client, city, "grid_worker").get("/patrol/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<link rel="manifest" href="/patrol/manifest.webmanifest">' in html
    assert "/static/vendor/idb-keyval/umd.js" in html
    config = json.loads(html.split('<script id="patrol-config" type="application/json">')[1].split("</script>")[0])
    assert (config["user"], config["urls"]["sw"], config["urls"]["scope"]) == ("grid_worker", "/patrol/sw.js",
                                                                               "/patrol/")
    assert config["text"]["pending"] == "待上传"
    assert page["Cache-Control"] == "no-cache"
    refused = login(Client(), city, "operator").get("/patrol/")
    assert refused.status_code == 403
    assert "只有网格员和网格团队成员可以使用巡查。" in refused.content.decode()


def test_the_service_worker_is_scoped_to_the_app_and_versioned(client: Client) -> None:
    response = client.get("/patrol/sw.js")  # no login: it holds no data
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/patrol/"
    body = response.content.decode()
    assert 'var PAGE = "/patrol/";' in body
    assert 'var PLAN = "/api/patrol/plan";' in body
    assert '"/static/vendor/idb-keyval/umd.js"' in body
    assert '"/patrol/manifest.webmanifest"' in body
    version = body.split('var VERSION = "')[1].split('"')[0]
    assert len(version) == 12
    assert client.get("/patrol/sw.js").content.decode() == body  # stable while nothing changes


def test_the_manifest_makes_the_app_installable(client: Client) -> None:
    response = client.get("/patrol/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"], manifest["short_name"]) == (
        "/patrol/", "/patrol/", "standalone", "网格巡查")
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_nav_shows_the_patrol_link_to_grid_workers_only(city: City, client: Client) -> None:
    assert '<a href="/patrol/">网格巡查</a>' in login(client, city, "grid_worker").get("/").content.decode()
    assert 'href="/patrol/"' not in login(Client(), city, "operator").get("/").content.decode()


def test_the_app_speaks_english_too(city: City, client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = login(client, city, "grid_worker").get("/patrol/").content.decode()
    assert "<h2 id=\"plan-title\">Patrol plan</h2>" in html
    config = json.loads(html.split('<script id="patrol-config" type="application/json">')[1].split("</script>")[0])
    assert (config["text"]["pending"], config["findings"]["absent"]) == ("Waiting to upload", "Nobody met")
    assert client.get("/patrol/manifest.webmanifest").json()["short_name"] == "Grid patrol"
