"""The outbox and its sender job: queued once per key, sent once, retried with back-off, never resent."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.notifications import sending, services
from fengqiao.notifications.models import Outbox, Status
from fengqiao.notifications.senders import EmailSender, HttpSmsSender, SendError
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2025, 9, 24, 10, 0, tzinfo=SH)
CALLS: list[int] = []


class CountingSender:
    def send(self, message: Outbox) -> None:
        CALLS.append(message.pk)


class FailingSender:
    def send(self, message: Outbox) -> None:
        CALLS.append(message.pk)
        raise SendError("gateway said no")


@pytest.fixture(autouse=True)
def _calls() -> None:
    CALLS.clear()


def use(settings: Any, channel: str, cls: type) -> None:
    settings.NOTIFICATION_SENDERS = {**settings.NOTIFICATION_SENDERS, channel: f"{__name__}.{cls.__name__}"}


def draft(city: City, key: str = "k1", channel: str = "sms") -> services.Draft:
    return services.Draft(dedup_key=key, channel=channel, subject="【催办】FQ1 已到办理期限",
                          recipient_id=city.users["handler"].pk, kind="urge")


def test_the_same_key_queues_once(city: City) -> None:
    services.queue([draft(city), draft(city)])
    services.queue([draft(city)])
    assert Outbox.objects.count() == 1


def test_a_sent_row_is_never_sent_again(city: City, settings: Any) -> None:
    use(settings, "sms", CountingSender)
    with time_machine.travel(T0, tick=False):
        services.queue([draft(city, "a"), draft(city, "b")])
        assert sending.send_due() == sending.SendResult(sent=2, retrying=0, failed=0)
        assert sending.send_due() == sending.SendResult(sent=0, retrying=0, failed=0)
        services.queue([draft(city, "a")])  # the same notification again: nothing new
        sending.send_due()
    assert sorted(CALLS) == sorted(Outbox.objects.values_list("pk", flat=True))
    row = Outbox.objects.get(dedup_key="a")
    assert (row.status, row.attempts, row.sent_at) == (Status.SENT, 1, T0)


def test_a_failing_sender_retries_with_back_off_then_gives_up(city: City, settings: Any) -> None:
    use(settings, "sms", FailingSender)
    with time_machine.travel(T0, tick=False) as traveller:
        services.queue([draft(city)])
        assert sending.send_due().retrying == 1
        row = Outbox.objects.get()
        assert (row.status, row.attempts, row.next_attempt_at) == (Status.QUEUED, 1, T0 + dt.timedelta(minutes=1))
        assert row.last_error == "gateway said no"
        assert sending.send_due().retrying == 0  # not due again yet
        for _ in range(sending.MAX_ATTEMPTS - 1):
            row.refresh_from_db()
            traveller.move_to(row.next_attempt_at)
            sending.send_due()
        row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, sending.MAX_ATTEMPTS)
    assert len(CALLS) == sending.MAX_ATTEMPTS
    assert [sending.backoff(n).total_seconds() / 60 for n in range(1, 5)] == [1, 2, 4, 8]


def test_a_failing_then_working_sender_sends_once(city: City, settings: Any) -> None:
    use(settings, "sms", FailingSender)
    with time_machine.travel(T0, tick=False) as traveller:
        services.queue([draft(city)])
        sending.send_due()
        use(settings, "sms", CountingSender)
        traveller.move_to(T0 + dt.timedelta(minutes=1))
        assert sending.send_due().sent == 1
        traveller.move_to(T0 + dt.timedelta(hours=1))
        assert sending.send_due().sent == 0
    assert Outbox.objects.get().attempts == 2
    assert len(CALLS) == 2


def test_a_claimed_row_is_not_claimed_again_and_a_stale_one_is_not_resent(city: City, settings: Any) -> None:
    use(settings, "sms", CountingSender)
    with time_machine.travel(T0, tick=False) as traveller:
        services.queue([draft(city)])
        assert len(sending.claim()) == 1  # a worker claimed it and began the attempt, then was killed
        Outbox.objects.update(next_attempt_at=None)  # what deliver() commits before calling the sender
        assert sending.claim() == []
        assert sending.send_due().sent == 0
        traveller.move_to(T0 + sending.STALE + dt.timedelta(seconds=1))
        assert sending.send_due() == sending.SendResult(0, 0, 0)
    row = Outbox.objects.get()
    assert row.status == Status.FAILED
    assert "delivery unknown" in row.last_error
    assert CALLS == []


def test_development_senders_log_masked_addresses(city: City, caplog: pytest.LogCaptureFixture) -> None:
    handler = city.users["handler"]
    handler.phone = "13812345678"
    handler.email = "zhang.wei@example.gov.cn"
    handler.save()
    with time_machine.travel(T0, tick=False), caplog.at_level(logging.INFO, logger="fengqiao.notifications"):
        services.queue([draft(city, "s", "sms"), draft(city, "e", "email"), draft(city, "i", "in_app")])
        assert sending.send_due().sent == 3
    text = caplog.text
    assert "138****5678" in text
    assert "z***@example.gov.cn" in text
    assert "13812345678" not in text
    assert "zhang.wei" not in text


def test_no_address_is_a_failure_not_a_crash(city: City) -> None:
    with time_machine.travel(T0, tick=False):
        services.queue([draft(city, "s", "sms")])  # the handler has no phone number
        assert sending.send_due().retrying == 1
    assert Outbox.objects.get().last_error == "no address for this channel"


def test_email_sender_uses_django_mail(city: City, settings: Any) -> None:
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    use(settings, "email", EmailSender)
    handler = city.users["handler"]
    handler.email = "handler@example.gov.cn"
    handler.save()
    services.queue([draft(city, "e", "email")])
    assert sending.send_due().sent == 1
    assert [m.to for m in mail.outbox] == [["handler@example.gov.cn"]]


def test_sms_gateway_unconfigured_is_a_clear_failure(city: City, settings: Any) -> None:
    settings.SMS_GATEWAY_URL = ""
    handler = city.users["handler"]
    handler.phone = "13812345678"
    handler.save()
    services.queue([draft(city)])
    row = Outbox.objects.select_related("recipient").get()
    with pytest.raises(SendError, match="not configured"):
        HttpSmsSender().send(row)
    assert HttpSmsSender().payload(row, "13812345678")["id"] == "k1"


@pytest.mark.parametrize(("hour", "minute", "held_until"), [
    (23, 59, dt.datetime(2025, 9, 25, 8, 0, tzinfo=SH)),
    (3, 0, dt.datetime(2025, 9, 24, 8, 0, tzinfo=SH)),
    (7, 59, dt.datetime(2025, 9, 24, 8, 0, tzinfo=SH)),
    (8, 0, None),
    (21, 59, None),
])
def test_sms_waits_out_the_night_in_app_does_not(city: City, settings: Any, hour: int, minute: int,
                                                  held_until: dt.datetime | None) -> None:
    use(settings, "sms", CountingSender)
    moment = dt.datetime(2025, 9, 24, hour, minute, tzinfo=SH)
    with time_machine.travel(moment, tick=False) as traveller:
        services.queue([draft(city, "s", "sms"), draft(city, "i", "in_app")])
        sms, in_app = Outbox.objects.get(channel="sms"), Outbox.objects.get(channel="in_app")
        assert in_app.next_attempt_at == moment
        assert sms.next_attempt_at == (held_until or moment)
        assert sending.send_due().sent == (1 if held_until else 2)
        if held_until:
            traveller.move_to(held_until)
            assert sending.send_due().sent == 1
    assert len(CALLS) == 1
