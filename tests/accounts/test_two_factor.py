"""Two-factor login for staff (docs/security.md "Two-factor"): enrolment, the code step after the password,
recovery codes, the lock-out, the required-role policy, the API and the admin."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts.models import AccountEvent, User
from tests.factories import PASSWORD, City


@pytest.fixture(autouse=True)
def _no_throttle(settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's delay between tries; the lock-out is what we test
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    cache.clear()


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_login(client: Client, username: str) -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


def enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    """A signed-in user sets up her authenticator: the QR page, then the first code."""
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code, drawn here
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    done = client.post("/account/two-factor/", {"code": code_for(device)})
    assert done.status_code == 302
    assert done["Location"].startswith("/account/two-factor/recovery-codes/")
    shown = client.get(done["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    return device, codes


def enrolled(city: City, username: str) -> tuple[TOTPDevice, list[str]]:
    client = Client()
    client.force_login(city.users[username])
    return enrol(client)


def test_enrolment_shows_qr_and_secret_confirms_with_a_code_and_shows_recovery_codes_once(city: City) -> None:
    client = Client()
    client.force_login(city.users["dispatcher"])
    page = client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=city.users["dispatcher"], confirmed=False)
    import base64

    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page.content.decode()
    assert "script" not in page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]  # CSP: no inline JS

    wrong = client.post("/account/two-factor/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "动态码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    done = client.post("/account/two-factor/", {"code": code_for(device), "next": "/risk/"})
    shown = client.get(done["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=city.users["dispatcher"])
                                   .values_list("token", flat=True))
    assert 'href="/risk/"' in shown.content.decode()
    again = client.get("/account/two-factor/recovery-codes/")  # shown once only
    assert again.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    event = AccountEvent.objects.get(user=city.users["dispatcher"])
    assert (event.action, event.actor_id) == (AccountEvent.Action.ENROLLED, city.users["dispatcher"].pk)
    # the session that enrolled is verified: staff pages open
    assert client.get("/").status_code == 200
    status = client.get("/account/two-factor/")
    assert "还剩 10 个恢复码" in status.content.decode()


def test_login_asks_for_the_code_after_the_password(city: City) -> None:
    device, _ = enrolled(city, "handler")
    client = Client()
    response = password_login(client, "handler")
    assert response.status_code == 302
    inbox = client.get("/cases/?x=1")
    assert inbox.status_code == 302
    assert inbox["Location"] == "/account/two-factor/verify/?next=%2Fcases%2F%3Fx%3D1"
    assert client.get("/").status_code == 302
    page = client.get("/account/two-factor/verify/?next=/")
    assert page.status_code == 200
    ok = client.post("/account/two-factor/verify/", {"code": code_for(device, steps_ahead=1), "next": "/"})
    assert (ok.status_code, ok["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    assert client.session.get("fq_2fa_pending") is None


def test_a_wrong_code_is_refused_and_the_same_code_cannot_be_used_twice(city: City) -> None:
    device, _ = enrolled(city, "handler")  # enrolment used the current step's code
    client = Client()
    password_login(client, "handler")
    reused = client.post("/account/two-factor/verify/", {"code": code_for(device)})
    assert reused.status_code == 400
    assert "动态码或恢复码不正确" in reused.content.decode()
    assert client.get("/").status_code == 302
    empty = client.post("/account/two-factor/verify/", {"code": " "})
    assert empty.status_code == 400
    assert "请输入 6 位动态码或恢复码" in empty.content.decode()


def test_a_recovery_code_works_once(city: City) -> None:
    _, codes = enrolled(city, "mediator")
    first = Client()
    password_login(first, "mediator")
    ok = first.post("/account/two-factor/verify/", {"code": codes[0].upper(), "next": "/"})
    assert (ok.status_code, ok["Location"]) == (302, "/")
    assert StaticToken.objects.filter(device__user=city.users["mediator"]).count() == 9
    event = AccountEvent.objects.filter(user=city.users["mediator"]).first()
    assert event is not None
    assert (event.action, event.note) == (AccountEvent.Action.RECOVERY_USED, "剩余 9 个恢复码")

    second = Client()
    password_login(second, "mediator")
    again = second.post("/account/two-factor/verify/", {"code": codes[0]})
    assert again.status_code == 400
    assert second.get("/").status_code == 302
    other = second.post("/account/two-factor/verify/", {"code": codes[1], "next": "/"})
    assert other.status_code == 302


def test_wrong_codes_count_toward_the_lock_out(city: City, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    device, _ = enrolled(city, "judge")
    client = Client()
    password_login(client, "judge")
    for _ in range(2):
        assert client.post("/account/two-factor/verify/", {"code": "12345x"}).status_code == 400
    locked = client.post("/account/two-factor/verify/", {"code": "abcdefgh"})
    assert locked.status_code == 429 or locked.status_code == 403
    assert "登录已被暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    # the password alone does not get back in while the lock lasts, even with the right code to come
    retry = password_login(client, "judge")
    assert "登录已被暂时锁定" in retry.content.decode()
    assert client.get("/").status_code == 302
    assert device.pk


def test_required_roles_are_sent_to_enrolment_and_can_do_nothing_else(city: City, settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    client = Client()
    password_login(client, "leader")
    to_enrol = client.get("/cockpit/")
    assert to_enrol["Location"] == "/account/two-factor/?next=%2Fcockpit%2F"
    page = client.get(to_enrol["Location"])
    assert "您的岗位须启用两步验证" in page.content.decode()
    assert client.post("/risk/new/", {}).status_code == 302
    assert client.get("/admin/").status_code == 302
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx["HX-Redirect"]) == (204, "/account/two-factor/?next=%2F")
    # a grid worker (patrol phones) and a citizen are not in the required roles
    worker = Client()
    worker.force_login(city.users["grid_worker"])
    assert worker.get("/account/two-factor/verify/").status_code == 302  # nothing owed: on to the next page
    assert worker.get("/api/patrol/plan").status_code == 200


def test_policy_off_by_default_lets_users_without_a_device_in(city: City) -> None:
    client = Client()
    password_login(client, "leader")
    assert client.get("/").status_code == 200
    assert client.get("/api/risks").status_code == 200


def test_api_refuses_an_unverified_session(city: City, settings: Any) -> None:
    enrolled(city, "dispatcher")
    client = Client()
    password_login(client, "dispatcher")
    refused = client.get("/api/cases")
    assert refused.status_code == 401
    assert refused.json()["error"] == "two_factor_required"
    assert "/account/two-factor/verify/" in refused.json()["detail"]

    settings.TWO_FACTOR_REQUIRED = True
    risk = Client()
    risk.force_login(city.users["risk_officer"])
    body = risk.get("/api/risks").json()
    assert body["error"] == "two_factor_required"
    assert "绑定验证器" in body["detail"]
    # the citizen endpoints need no account and are not affected
    assert risk.get("/api/portal/mediations/XXXX").status_code != 401


def test_admin_needs_a_verified_session_when_required(city: City, settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    device, _ = enrolled(city, "admin")
    client = Client()
    password_login(client, "admin")
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/verify/")
    client.post("/account/two-factor/verify/", {"code": code_for(device, steps_ahead=1)})
    assert client.get("/admin/").status_code == 200


def test_admin_resets_a_users_devices_audited(city: City) -> None:
    device, _ = enrolled(city, "handler2")
    admin_user = city.users["admin"]
    client = Client()
    client.force_login(admin_user)
    response = client.post("/admin/accounts/user/", {
        "action": "reset_two_factor", "_selected_action": [city.users["handler2"].pk],
    })
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=city.users["handler2"]).exists()
    assert not StaticToken.objects.filter(device__user=city.users["handler2"]).exists()
    event = AccountEvent.objects.filter(user=city.users["handler2"]).first()
    assert event is not None
    assert (event.action, event.actor_id) == (AccountEvent.Action.RESET, admin_user.pk)
    # django-otp's own screens (which show secrets and change devices unaudited) are not in the admin
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert client.get("/admin/accounts/accountevent/").status_code == 200
    # her next login asks for no code (and, where required, sends her to enrol again)
    again = Client()
    password_login(again, "handler2")
    assert again.get("/").status_code == 200
    assert device.pk


def test_citizens_never_need_it(city: City, settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    settings.TWO_FACTOR_REQUIRED_ROLES = ["citizen", "dispatcher"]
    client = Client()
    client.force_login(city.users["citizen"])
    assert client.get("/portal/").status_code == 200
    assert User.objects.get(username="citizen").account_events.count() == 0
