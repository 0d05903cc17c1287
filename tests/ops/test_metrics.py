"""/metrics: only for the allowed networks or the token; requests by route name; the business gauges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from fengqiao.cases.models import Case
from fengqiao.notifications.models import Outbox, Status
from fengqiao.ops import metrics
from tests.cases.builders import register
from tests.factories import City


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture(autouse=True)
def _fresh_gauges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_business", None)


@pytest.mark.django_db
def test_refused_to_an_address_outside_the_allowed_networks(client: Client) -> None:
    response = client.get("/metrics", REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 403
    assert "FENGQIAO_METRICS_ALLOW" in response.json()["detail"]


@pytest.mark.django_db
def test_allowed_by_network(client: Client, settings: Any) -> None:
    settings.METRICS_ALLOW = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 403


@pytest.mark.django_db
def test_allowed_by_token_only_the_right_one(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = "s3cret-token"
    far = {"REMOTE_ADDR": "10.20.30.40"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", **far).status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **far).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-token", **far).status_code == 403


def test_no_token_configured_means_no_token_accepted(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="10.1.1.1").status_code == 403


def test_a_bad_network_is_a_system_check_error(settings: Any) -> None:
    from fengqiao.ops.checks import metrics_allow

    settings.METRICS_ALLOW = ["127.0.0.1/32", "10.0.0.0/33"]
    errors = metrics_allow(None)
    assert [e.id for e in errors] == ["ops.E001"]


def test_requests_are_counted_by_route_name_not_path(city: City, client: Client) -> None:
    case = register(city)
    client.force_login(city.users["operator"], backend="django.contrib.auth.backends.ModelBackend")
    before = samples(client.get("/metrics").content.decode())
    key = ("fengqiao_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "case_detail")))
    assert client.get(f"/cases/{case.code}/").status_code == 200
    assert client.get(f"/cases/{case.code}/?tab=events").status_code == 200
    assert client.get("/no/such/page/").status_code == 404
    after = samples(client.get("/metrics").content.decode())
    assert after[key] - before.get(key, 0) == 2
    unresolved = ("fengqiao_http_requests_total", (("method", "GET"), ("status", "404"), ("view", "<unresolved>")))
    assert after[unresolved] - before.get(unresolved, 0) == 1
    assert not any(case.code in str(labels) for _name, labels in after)
    assert after[("fengqiao_http_request_duration_seconds_count", (("method", "GET"), ("view", "case_detail")))] >= 2


def test_business_gauges(city: City, client: Client) -> None:
    first, second = register(city), register(city, title="噪音扰民")
    Case.objects.filter(pk=second.pk).update(overdue=True)
    got = samples(client.get("/metrics").content.decode())
    assert got[("fengqiao_business_metrics_up", ())] == 1
    assert got[("fengqiao_open_cases", ())] == 2
    assert got[("fengqiao_overdue_cases", ())] == 1
    pending = Outbox.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).count()
    assert got[("fengqiao_outbox_pending", ())] == pending
    assert got[("fengqiao_outbox_failed", ())] == 0
    assert ("fengqiao_queue_length", ()) in got
    assert first.pk != second.pk


def test_a_failed_count_shows_as_down_not_as_an_error(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, float]:
        raise RuntimeError("database gone")

    monkeypatch.setattr(metrics, "business_counts", broken)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert samples(response.content.decode())[("fengqiao_business_metrics_up", ())] == 0


WORKER = """
from fengqiao.ops import metrics
for _ in range({n}):
    metrics.observe_request("GET", "case_detail", 200, 0.01)
"""


def test_multiprocess_mode_adds_up_the_workers(tmp_path: Path) -> None:
    """Two processes (gunicorn workers) count into PROMETHEUS_MULTIPROC_DIR; the exposition adds them up."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for n in (2, 3):
        subprocess.run([sys.executable, "-c", WORKER.format(n=n)], env=env, check=True, cwd=Path(__file__).parents[2])
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'fengqiao.settings'); django.setup();"
            f"from fengqiao.ops import metrics; open({str(tmp_path / 'out.txt')!r}, 'wb').write(metrics.exposition())")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=Path(__file__).parents[2])
    got = samples((tmp_path / "out.txt").read_text())
    assert got[("fengqiao_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "case_detail")))] == 5
