"""The citizen app's JSON API: a phone code traded for a token; tracking by code, in full for a party's
token; the same limits and guessing locks as the pages; errors in the API's shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from tests.mediation import steps
from tests.mediation.factories import APPLICANT_PHONE, World, applied
from tests.portal.conftest import last_code

pytestmark = pytest.mark.django_db
JSON = "application/json"


def token(client: Client, phone: str = APPLICANT_PHONE) -> str:
    sent = client.post("/api/portal/codes", {"phone": phone}, content_type=JSON)
    assert sent.status_code == 202, sent.content
    made = client.post("/api/portal/tokens", {"phone": phone, "code": last_code(phone)}, content_type=JSON)
    assert made.status_code == 201, made.content
    return str(made.json()["token"])


def test_a_party_token_sees_her_case_in_full(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    client = Client()
    public = client.get(f"/api/portal/mediations/{mediation.code}").json()
    assert (public["status"], public["party"], public["demand"], public["parties"]) == ("agreed", False, "", [])
    assert public["organisation"] == "城东街道人民调解委员会"
    assert public["mediator"] == "王秀英"
    assert [s["state"] for s in public["steps"]][:4] == ["done", "done", "done", "current"]
    assert all(e["note"] == "" for e in public["events"])
    bearer = token(client)
    full = client.get(f"/api/portal/mediations/{mediation.code}", headers={"Authorization": f"Bearer {bearer}"})
    body = full.json()
    assert body["party"] is True
    assert body["demand"] == mediation.demand
    assert body["agreement_terms"] == steps.TERMS
    assert [(p["name"], p["phone"]) for p in body["parties"]] == [("张三", "138****1111"), ("李四", "139****2222")]


def test_a_wrong_code_is_a_named_error_and_counts_toward_the_lock(world: World, traveller: Any) -> None:
    applied(world)
    client = Client()
    for i in range(9):
        wrong = client.get(f"/api/portal/mediations/JF-AAAA-AAAA-AA{i}A", REMOTE_ADDR="10.8.8.8")
        assert wrong.status_code == 404
        assert wrong.json()["fields"] == {"code": "解纷码不正确"}
    locked = client.get("/api/portal/mediations/JF-AAAA-AAAA-AAAA", REMOTE_ADDR="10.8.8.8")
    assert locked.status_code == 429
    assert locked.json()["error"] == "locked_out"
    assert int(locked["Retry-After"]) > 3500
    # the pages share the lock: the same address is locked out there too
    assert client.get("/portal/track/JF-AAAA-AAAA-AAAA/", REMOTE_ADDR="10.8.8.8").status_code == 429


def test_bad_tokens_and_codes(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = Client()
    refused = client.get(f"/api/portal/mediations/{mediation.code}", headers={"Authorization": "Bearer forged"})
    assert refused.status_code == 401
    old = signing.dumps({"h": "x"}, salt="fengqiao.portal.api")
    traveller.shift(dt.timedelta(hours=2, seconds=1))
    expired = client.get(f"/api/portal/mediations/{mediation.code}", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401
    client.post("/api/portal/codes", {"phone": APPLICANT_PHONE}, content_type=JSON)
    code = last_code(APPLICANT_PHONE)
    wrong = client.post("/api/portal/tokens", {"phone": APPLICANT_PHONE, "code": "000000" if code != "000000"
                                              else "111111"}, content_type=JSON)
    assert wrong.status_code == 400
    assert wrong.json()["fields"] == {"code": "验证码不正确"}
    again = client.post("/api/portal/codes", {"phone": APPLICANT_PHONE}, content_type=JSON)
    assert again.status_code == 429
    assert int(again["Retry-After"]) >= 1
    bad = client.post("/api/portal/codes", {"phone": "123"}, content_type=JSON)
    assert (bad.status_code, bad.json()["fields"]) == (400, {"phone": "手机号码格式不正确"})
