"""Phone verification: a six-digit code by SMS through the outbox, kept only as a keyed hash; ten minutes,
five tries, a new code once a minute and ten a day per phone; rate limits per address; and the lockout
after ten wrong codes (per address and per phone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fengqiao.kit import pii
from fengqiao.kit.errors import NotFound
from fengqiao.kit.throttle import TooManyRequests
from fengqiao.notifications.models import Outbox
from fengqiao.portal import verification
from fengqiao.portal.models import PhoneCode
from fengqiao.portal.session import KEY
from tests.mediation.factories import APPLICANT_PHONE
from tests.portal.conftest import last_code, sign_in

pytestmark = pytest.mark.django_db
PHONE = APPLICANT_PHONE


def test_a_code_goes_through_the_outbox_and_is_kept_only_as_a_hash(traveller: Any) -> None:
    sent = verification.send_code(PHONE)
    row = PhoneCode.objects.get()
    assert len(row.code_hash) == 64
    assert row.code_hash == pii.lookup_hash("portal_code", f"{row.phone_hash}:sign_in::{sent.code}")
    assert row.phone_hash == pii.lookup_hash("phone", PHONE)
    assert row.expires_at - row.created_at == dt.timedelta(minutes=10)
    sms = Outbox.objects.get(kind="verification")
    assert (sms.channel, sms.to_address) == ("sms", PHONE)
    assert f"验证码 {sent.code}" in sms.body
    assert sms.next_attempt_at == sms.created_at  # a code is not held for the night's quiet hours


def test_the_right_code_verifies_once(traveller: Any) -> None:
    sent = verification.send_code(PHONE)
    citizen = verification.verify(PHONE, sent.code)
    assert citizen.phone_hash == pii.lookup_hash("phone", PHONE)
    with pytest.raises(NotFound):  # used up: a fresh code is needed
        verification.verify(PHONE, sent.code)


def test_a_code_expires_after_ten_minutes(traveller: Any) -> None:
    sent = verification.send_code(PHONE)
    traveller.shift(dt.timedelta(minutes=10, seconds=1))
    with pytest.raises(verification.Expired, match="已过期"):
        verification.verify(PHONE, sent.code)
    assert PhoneCode.objects.get().used_at is None


def test_five_wrong_tries_spend_the_code(traveller: Any) -> None:
    sent = verification.send_code(PHONE)
    wrong = "000000" if sent.code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(verification.WrongCode, match=f"还可再试 {left} 次"):
            verification.verify(PHONE, wrong)
    with pytest.raises(verification.WrongCode, match="已失效"):
        verification.verify(PHONE, wrong)
    with pytest.raises(verification.Expired, match="输错 5 次"):
        verification.verify(PHONE, sent.code)  # even the right code, now
    assert PhoneCode.objects.get().tries == 5


def test_a_new_code_once_a_minute_and_it_replaces_the_old_one(traveller: Any) -> None:
    first = verification.send_code(PHONE)
    with pytest.raises(TooManyRequests, match="秒后再重新获取") as raised:
        verification.send_code(PHONE)
    assert 1 <= raised.value.retry_after <= 61
    assert PhoneCode.objects.count() == 1
    traveller.shift(dt.timedelta(seconds=61))
    second = verification.send_code(PHONE)
    if second.code != first.code:  # the older code is just a wrong one now
        with pytest.raises(verification.WrongCode):
            verification.verify(PHONE, first.code)
    assert PhoneCode.objects.filter(replaced_at__isnull=False).count() == 1
    assert verification.verify(PHONE, second.code).phone_hash == pii.lookup_hash("phone", PHONE)


def test_ten_codes_a_day_per_phone(traveller: Any) -> None:
    for _i in range(10):
        verification.send_code(PHONE)
        traveller.shift(dt.timedelta(minutes=2))
    with pytest.raises(TooManyRequests, match="今天获取验证码已达 10 次"):
        verification.send_code(PHONE)
    assert PhoneCode.objects.count() == 10
    traveller.shift(dt.timedelta(hours=24))
    verification.send_code(PHONE)
    assert PhoneCode.objects.count() == 11


def test_a_bad_phone_number_is_named() -> None:
    with pytest.raises(verification.ValidationFailed) as raised:
        verification.send_code("0523-8000001")  # a landline takes no SMS
    assert "phone" in raised.value.fields


# --- through the pages ---------------------------------------------------------------------------------


def test_verifying_on_the_pages_keeps_the_phone_for_two_hours(world: Any, traveller: Any) -> None:
    client = sign_in(Client())
    held = client.session[KEY]
    assert held["hash"] == pii.lookup_hash("phone", PHONE)
    assert PHONE not in str(held)  # the number itself only encrypted
    page = client.get("/portal/apply/mediation/")
    assert page.status_code == 200
    assert "138****1111" in page.content.decode()
    traveller.shift(dt.timedelta(hours=2, seconds=1))
    assert client.get("/portal/apply/mediation/").status_code == 302  # verify again


def test_wrong_code_page_says_so_with_the_field(world: Any, traveller: Any) -> None:
    client = Client()
    client.post("/portal/verify/", {"phone": PHONE})
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/portal/verify/code/", {"code": wrong})
    assert page.status_code == 400
    assert "验证码不正确，还可再试 4 次。" in page.content.decode()
    assert KEY not in client.session


def test_expired_code_on_the_page(world: Any, traveller: Any) -> None:
    client = Client()
    client.post("/portal/verify/", {"phone": PHONE})
    code = last_code(PHONE)
    traveller.shift(dt.timedelta(minutes=11))
    page = client.post("/portal/verify/code/", {"code": code})
    assert page.status_code == 410
    assert "验证码已过期（有效期 10 分钟），请重新获取。" in page.content.decode()
    assert KEY not in client.session


def test_sending_is_rate_limited_per_address(world: Any, traveller: Any) -> None:
    client = Client()
    phones = [f"1360000{i:04d}" for i in range(6)]
    for phone in phones[:5]:
        assert client.post("/portal/verify/", {"phone": phone}, REMOTE_ADDR="10.1.1.1").status_code == 302
    refused = client.post("/portal/verify/", {"phone": phones[5]}, REMOTE_ADDR="10.1.1.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "操作过于频繁" in refused.content.decode()
    assert PhoneCode.objects.count() == 5
    assert client.post("/portal/verify/", {"phone": phones[5]}, REMOTE_ADDR="10.1.1.2").status_code == 302


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_ten_wrong_codes_lock_the_address_out_for_an_hour(world: Any, traveller: Any) -> None:
    client = Client()
    for i in range(10):  # two phones' codes spent by one guesser (five tries each)
        phone = PHONE if i < 5 else "13600000001"
        if i in (0, 5):
            client.post("/portal/verify/", {"phone": phone}, REMOTE_ADDR="10.2.2.2")
        traveller.shift(dt.timedelta(seconds=7))  # under the per-minute limit
        client.post("/portal/verify/code/", {"code": _wrong(last_code(phone))}, REMOTE_ADDR="10.2.2.2")
    client.post("/portal/verify/", {"phone": "13600000002"}, REMOTE_ADDR="10.2.2.2")
    locked = client.post("/portal/verify/code/", {"code": last_code("13600000002")}, REMOTE_ADDR="10.2.2.2")
    assert locked.status_code == 429
    assert "验证码输错次数过多" in locked.content.decode()
    assert 3500 <= int(locked["Retry-After"]) <= 3600
    assert KEY not in client.session  # the right code changed nothing
    assert PhoneCode.objects.get(phone_hash=pii.lookup_hash("phone", "13600000002")).used_at is None
    traveller.shift(dt.timedelta(minutes=61))
    client.post("/portal/verify/", {"phone": "13600000002"}, REMOTE_ADDR="10.2.2.2")
    assert client.post("/portal/verify/code/", {"code": last_code("13600000002")},
                       REMOTE_ADDR="10.2.2.2").status_code == 302


def test_ten_wrong_codes_for_one_phone_lock_the_phone_from_any_address(world: Any, traveller: Any) -> None:
    for round_ in range(2):  # two codes, five wrong tries each, from ten addresses
        Client().post("/portal/verify/", {"phone": PHONE}, REMOTE_ADDR="10.3.0.1")
        code = last_code(PHONE)
        for i in range(5):
            client = Client()
            client.post("/portal/verify/", {"phone": PHONE}, REMOTE_ADDR=f"10.3.{round_}.{i + 10}")  # pending phone
            client.post("/portal/verify/code/", {"code": _wrong(code)}, REMOTE_ADDR=f"10.3.{round_}.{i + 10}")
        traveller.shift(dt.timedelta(seconds=61))
    client = Client()
    client.post("/portal/verify/", {"phone": PHONE}, REMOTE_ADDR="10.9.9.9")
    refused = client.post("/portal/verify/code/", {"code": last_code(PHONE)}, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429
    assert "验证已暂停" in refused.content.decode()


def test_a_code_asked_for_at_night_is_sent_at_once(traveller: Any) -> None:
    """SMS waits out the night's quiet hours (22–8) — but not a code the citizen is waiting for."""
    traveller.move_to(dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    verification.send_code(PHONE)
    sms = Outbox.objects.get(kind="verification")
    assert sms.next_attempt_at == sms.created_at


def test_the_code_is_on_the_page_only_in_debug(world: Any, traveller: Any, settings: Any) -> None:
    settings.DEBUG = False
    client = Client()
    client.post("/portal/verify/", {"phone": PHONE})
    code = last_code(PHONE)
    assert code not in client.get("/portal/verify/code/").content.decode()
    settings.DEBUG = True
    traveller.shift(dt.timedelta(seconds=61))
    other = Client()
    other.post("/portal/verify/", {"phone": PHONE})
    page = other.get("/portal/verify/code/").content.decode()
    assert 'data-testid="debug-code"' in page
    assert last_code(PHONE) in page


def test_leaving_forgets_the_phone(world: Any, traveller: Any) -> None:
    client = sign_in(Client())
    assert client.post("/portal/leave/").status_code == 302
    assert KEY not in client.session
    assert client.get("/portal/apply/mediation/").status_code == 302
