"""The read replica (ops/replica.py): the cockpit, its data and drill-down, the reports and the public board read
their rollups through the ``replica`` connection and write nothing through it; the audit record of a report
download is written on the primary; a replica found down is skipped (the primary serves, a warning is logged),
one failing in the middle of a view gives the 503 of any database outage; /readyz reports it, degraded.

The replica here is a second, read-only connection to the test database: SQLite opened with ``mode=ro``,
PostgreSQL with ``default_transaction_read_only=on`` (as a streaming standby refuses writes), so a write sent
to it fails and the views below would answer 500.  The tests commit their data (``transaction=True``): the
replica, another connection, sees only committed rows, as a real one does."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import logging
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fengqiao.accounts.models import User
from fengqiao.audit.models import PersonalDataView
from fengqiao.cases.models import Case
from fengqiao.cockpit.models import CITY_SCOPE, Fact, FactMonth
from fengqiao.ops import dbdown, replica
from fengqiao.ops.replica import REPLICA, ReplicaRouter
from tests.cockpit.conftest import assessed_month
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)
NOV = dt.date(2026, 11, 1)
ROUTER = "fengqiao.ops.replica.ReplicaRouter"
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE|REPLACE)\b", re.IGNORECASE)

with_replica = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


def _read_only(primary: dict[str, Any]) -> dict[str, Any]:
    """The settings of a read-only connection to the (test) database ``primary`` names."""
    found = copy.deepcopy(primary)
    found["TEST"] = {**found.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    if found["ENGINE"].endswith("sqlite3"):
        found["NAME"] = f"file:{primary['NAME']}?mode=ro"
        found["OPTIONS"].pop("transaction_mode", None)
    else:
        found["OPTIONS"] = {**found["OPTIONS"], "options": "-c default_transaction_read_only=on"}
    return found


def _dead(primary: dict[str, Any]) -> dict[str, Any]:
    found = _read_only(primary)
    if found["ENGINE"].endswith("sqlite3"):
        found["NAME"] = "file:/nonexistent/dir/replica.sqlite3?mode=ro"
    else:
        found["PORT"] = "1"  # nothing listens there
    return found


def _forget_connection() -> None:
    """Close and drop this thread's ``replica`` connection object, so the next use opens one from the
    settings as they are now (the handler keeps one object per alias and thread)."""
    if REPLICA in connections.settings:
        connections[REPLICA].close()
        del connections[REPLICA]


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A ``replica`` alias beside ``default`` for this module (before the tests' database set-up, which checks
    that the aliases a test names exist), read-only on the test database; one from ``FENGQIAO_REPLICA_URL``
    (the test database's mirror) is replaced meanwhile."""
    kept = connections.settings.get(REPLICA)
    with django_db_blocker.unblock():
        _forget_connection()
        connections.settings[REPLICA] = _read_only(connections[DEFAULT_DB_ALIAS].settings_dict)
    yield
    _forget_connection()
    if kept is None:
        del connections.settings[REPLICA]
    else:
        connections.settings[REPLICA] = kept


@pytest.fixture(autouse=True)
def _router(settings: Any) -> Iterator[None]:
    settings.DATABASE_ROUTERS = [ROUTER]
    replica.forget_failure()
    cache.clear()  # the cockpit's and the board's figures are cached across tests
    yield
    replica.forget_failure()
    cache.clear()


@contextmanager
def replace_replica(settings_dict: dict[str, Any]) -> Iterator[None]:
    kept = connections.settings[REPLICA]
    _forget_connection()
    connections.settings[REPLICA] = settings_dict
    try:
        yield
    finally:
        _forget_connection()
        connections.settings[REPLICA] = kept


@contextmanager
def statements(alias: str) -> Iterator[list[str]]:
    """The SQL run through ``alias``'s connection (in this thread) meanwhile."""
    seen: list[str] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(record):
        yield seen


def _touching(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if table in s]


def _make_month(city: City) -> list[Case]:
    return assessed_month(city, NOV)


@pytest.fixture
def month(city: City, tmp_path: Path, settings: Any) -> Iterator[list[Case]]:
    """The reports' test month (tests/cockpit/test_reports.py), committed: seven cases on 25 November, two
    on 29 October, rolled up."""
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield _make_month(city)


def leader(city: City) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    return client


# ---- settings and the router ---------------------------------------------------------------------------------

def _settings_in_subprocess(env: dict[str, str]) -> str:
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            "r = s.DATABASES.get('replica'); "
            "print(json.dumps([r and {**{k: r[k] for k in ('ENGINE', 'HOST', 'PORT', 'NAME', 'USER')}, "
            "'MIRROR': r['TEST']['MIRROR']}, "
            "s.DATABASE_ROUTERS]))")
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "fengqiao.settings", **env}
    done = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_settings_add_the_replica_and_the_router_only_when_asked(tmp_path: Path) -> None:
    base = {"FENGQIAO_DATA_DIR": str(tmp_path), "FENGQIAO_DATABASE_URL": "postgres://app@primary:5432/fengqiao"}
    found, routers = json.loads(_settings_in_subprocess(
        {**base, "FENGQIAO_REPLICA_URL": "postgres://reader@standby.internal:5433/fengqiao"}))
    assert found == {"ENGINE": "django.db.backends.postgresql", "HOST": "standby.internal", "PORT": 5433,
                     "NAME": "fengqiao", "USER": "reader", "MIRROR": "default"}
    assert routers == [ROUTER]
    assert json.loads(_settings_in_subprocess({**base, "FENGQIAO_REPLICA_URL": ""})) == [None, []]


@with_replica
def test_the_router_sends_only_the_rollups_and_reference_tables_and_only_when_asked() -> None:
    from django.contrib.sessions.models import Session

    from fengqiao.jurisdictions.models import Area

    router = ReplicaRouter()
    assert router.db_for_read(Fact) == DEFAULT_DB_ALIAS  # outside a replica view
    with replica.reading_from_replica() as used:
        assert used is True
        assert router.db_for_read(Fact) == REPLICA
        assert router.db_for_read(FactMonth) == REPLICA
        assert router.db_for_read(Area) == REPLICA
        for model in (Case, User, Session, PersonalDataView):  # written by requests, or deciding access
            assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model
        assert router.db_for_write(Fact) == DEFAULT_DB_ALIAS
        with transaction.atomic():  # reads inside a transaction on the primary stay there
            assert router.db_for_read(Fact) == DEFAULT_DB_ALIAS
            with statements(REPLICA) as seen:
                assert Fact.objects.count() == 0
            assert seen == []
        assert router.db_for_read(Fact) == REPLICA
    assert router.db_for_read(Fact) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "cockpit") is True
    assert router.allow_migrate(REPLICA, "cockpit") is False


# ---- the views -----------------------------------------------------------------------------------------------

@with_replica
def test_the_cockpit_reads_its_rollups_from_the_replica_and_writes_nothing_there(
        city: City, month: list[Case]) -> None:
    client = leader(city)
    with time_machine.travel(NOW, tick=False), statements(REPLICA) as on_replica, \
            statements(DEFAULT_DB_ALIAS) as on_primary:
        page = client.get("/cockpit/", {"period": "2026-11"})
        data = client.get("/cockpit/data/", {"period": "2026-11"})
        cases = client.get("/cockpit/cases/", {"period": "2026-11", "dim": "district", "key": str(city.district.pk)})
    assert page.status_code == 200
    assert data.status_code == 200, data.content[:500]
    assert cases.status_code == 200
    assert data.json()["totals"]["received"] == 7  # the figures are the committed rollups
    assert len(_touching(on_replica, "cockpit_fact")) >= 5  # totals, trends, breakdowns, heat
    assert _touching(on_replica, "cockpit_factmonth")  # computed_at
    assert _touching(on_replica, "analytics_unitmonth")  # the rankings
    assert not _touching(on_primary, "cockpit_fact")  # not read twice, and not from the primary
    assert [s for s in on_replica if WRITES.match(s)] == []
    # the session, the user and her roles, and the cases of the drill-down: on the primary
    assert _touching(on_primary, "django_session")
    assert _touching(on_primary, "accounts_membership")
    assert _touching(on_primary, "cases_case")
    assert not _touching(on_replica, "cases_case")
    assert "海陵区" in cases.content.decode()  # the area's name, from the replica


@with_replica
def test_a_report_download_reads_from_the_replica_and_audits_on_the_primary(
        city: City, month: list[Case]) -> None:
    client = leader(city)
    with time_machine.travel(NOW, tick=False), statements(REPLICA) as on_replica, \
            statements(DEFAULT_DB_ALIAS) as on_primary:
        listed = client.get(reverse("cockpit_reports"))
        response = client.get(reverse("cockpit_report_file"),
                              {"scope": str(CITY_SCOPE), "period": "2026-11", "format": "xlsx"})
    assert listed.status_code == 200
    assert "2026年11月" in listed.content.decode()
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert book["概况"].cell(6, 2).value == 7
    assert _touching(on_replica, "cockpit_fact")
    assert not _touching(on_primary, "cockpit_fact")
    assert [s for s in on_replica if WRITES.match(s)] == []
    inserts = [s for s in on_primary if WRITES.match(s) and "audit_personaldataview" in s]
    assert len(inserts) == 1
    record = PersonalDataView.objects.get()
    assert (record.user.username, record.subject) == ("leader", "report:0:2026-11.xlsx")


@with_replica
def test_the_public_board_reads_from_the_replica(city: City, month: list[Case]) -> None:
    with time_machine.travel(NOW, tick=False), statements(REPLICA) as on_replica, \
            statements(DEFAULT_DB_ALIAS) as on_primary:
        response = Client().get("/board/")
    assert response.status_code == 200
    assert _touching(on_replica, "cockpit_fact")
    assert not _touching(on_primary, "cockpit_fact")
    assert [s for s in on_replica if WRITES.match(s)] == []


@with_replica
def test_the_replica_refuses_writes(city: City) -> None:
    """What makes the views' tests above proof: a write sent to this replica fails."""
    with pytest.raises(DatabaseError, match=r"read-only|readonly"), connections[REPLICA].cursor() as cursor:
        cursor.execute("DELETE FROM cockpit_fact")


@with_replica
def test_without_the_router_nothing_goes_to_the_replica(city: City, month: list[Case], settings: Any) -> None:
    settings.DATABASE_ROUTERS = []
    with time_machine.travel(NOW, tick=False), statements(REPLICA) as on_replica:
        assert leader(city).get("/cockpit/data/", {"period": "2026-11"}).status_code == 200
    assert on_replica == []


# ---- the replica down --------------------------------------------------------------------------------------

@with_replica
def test_a_replica_down_is_skipped_the_primary_serves_and_says_so(
        city: City, month: list[Case], caplog: pytest.LogCaptureFixture) -> None:
    client = leader(city)
    with replace_replica(_dead(connections[DEFAULT_DB_ALIAS].settings_dict)), \
            time_machine.travel(NOW, tick=False), \
            caplog.at_level(logging.WARNING, logger="fengqiao.ops.replica"), \
            statements(DEFAULT_DB_ALIAS) as on_primary:
        first = client.get("/cockpit/data/", {"period": "2026-11"})
        second = client.get("/cockpit/", {"period": "2026-11"})
    assert first.status_code == 200
    assert first.json()["totals"]["received"] == 7
    assert second.status_code == 200
    assert _touching(on_primary, "cockpit_fact")
    warnings = [r.getMessage() for r in caplog.records if r.name == "fengqiao.ops.replica"]
    assert len(warnings) == 1  # the second view did not try it again
    assert warnings[0].startswith("read replica unavailable, reading from the primary for 30s")


@with_replica
def test_a_replica_failing_during_a_view_is_a_503(city: City, month: list[Case],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "usable", lambda: True)  # it answered as the view started, then went away
    client = leader(city)
    client.raise_request_exception = False
    with replace_replica(_dead(connections[DEFAULT_DB_ALIAS].settings_dict)), time_machine.travel(NOW, tick=False):
        response = client.get("/cockpit/data/", {"period": "2026-11"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == str(dbdown.RETRY_AFTER)
    assert response.json()["error"] == "database_unavailable"


# ---- /readyz ---------------------------------------------------------------------------------------------------

@with_replica
def test_readyz_reports_the_replica(client: Client) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ok", body
    assert body["checks"]["replica"]["ok"] is True
    assert body["checks"]["replica"]["detail"].startswith("ok")


@with_replica
def test_a_dead_replica_only_degrades_readiness_unless_required(client: Client, settings: Any) -> None:
    with replace_replica(_dead(connections[DEFAULT_DB_ALIAS].settings_dict)):
        response = client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["failing"], body["degraded"]) == ("degraded", [], ["replica"])
        assert body["checks"]["replica"]["detail"].startswith("OperationalError")
        settings.READY_REQUIRED = frozenset({"database", "migrations", "replica"})
        required = client.get("/readyz")
    assert required.status_code == 503
    assert required.json()["failing"] == ["replica"]


# ---- end to end: `fengqiao serve` with a read-only replica URL (PostgreSQL) -----------------------------------

@with_replica
def test_a_server_with_a_read_only_replica_url_serves_the_cockpit_and_audits_on_the_primary(
        city: City, tmp_path: Path) -> None:
    """``fengqiao serve`` configured only by its environment: ``FENGQIAO_REPLICA_URL`` names the test database
    in a read-only session (as a standby is); the cockpit's data, a report download (which writes its audit
    record) and the board answer 200, and the replica connection's last statement read a rollup."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        pytest.skip("a read-only session URL is PostgreSQL's (the SQLite replica is tested in process above)")
    from tests.ops.test_processes import _database_url, _free_port, _wait_ok

    with time_machine.travel(NOW, tick=False):
        _make_month(city)
    browser = Client()
    browser.force_login(User.objects.get(username="leader"))  # at the real time: the server checks its age
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    primary = _database_url()
    name = f"fengqiao-replica-{os.getpid()}"
    env = {**os.environ, "FENGQIAO_DATA_DIR": str(tmp_path), "FENGQIAO_DATABASE_URL": primary,
           "FENGQIAO_REPLICA_URL": f"{primary}?application_name={name}"
                                   "&options=-c%20default_transaction_read_only%3Don",
           "FENGQIAO_LOG_FORMAT": "json", "FENGQIAO_REDIS_URL": ""}
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "fengqiao", "serve", "--bind", f"127.0.0.1:{port}",
                                "--workers", "1", "--threads", "1"], cwd=Path(__file__).parents[2], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    try:
        assert _wait_ok(f"{base}/healthz", process) == 200
        status, body = get("/cockpit/data/?period=2026-11")
        assert status == 200, body[:500]
        assert json.loads(body)["totals"]["received"] == 7
        status, body = get(f"/cockpit/reports/file/?scope={CITY_SCOPE}&period=2026-11&format=xlsx")
        assert status == 200, body[:500]
        assert body[:2] == b"PK"  # a workbook
        assert get("/board/")[0] == 200
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:  # the server's kept replica connection
            cursor.execute("SELECT query FROM pg_stat_activity WHERE application_name = %s", [name])
            last = [row[0] for row in cursor.fetchall()]
        assert len(last) == 1, last
        assert last[0].lstrip().upper().startswith("SELECT")
        assert any(t in last[0] for t in ("cockpit_fact", "jurisdictions_area")), last[0]
        status, body = get("/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"]["replica"]["ok"] is True
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
    output = process.stdout.read() if process.stdout else ""
    assert "read-only transaction" not in output
    assert "read replica unavailable" not in output
    record = PersonalDataView.objects.get()  # written by the server, on the primary
    assert (record.user.username, record.subject) == ("leader", "report:0:2026-11.xlsx")
