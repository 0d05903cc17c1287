"""Senders, one per channel, chosen by dotted path in ``settings.NOTIFICATION_SENDERS``.

A sender is a class whose ``send(message)`` delivers one outbox row or raises :class:`SendError` (the job
retries it later).  In development SMS and e-mail go to :class:`LogSender` (the row is marked sent and a
line is logged, with the address masked: DESIGN rule 7).  :class:`EmailSender` uses Django's e-mail backend
(``EMAIL_*`` settings); :class:`HttpSmsSender` posts to an SMS gateway configured by settings.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from fengqiao.kit.pii import mask_phone
from fengqiao.notifications.models import Channel, Outbox

log = logging.getLogger(__name__)

DEFAULT_SENDERS: dict[str, str] = {
    Channel.IN_APP: "fengqiao.notifications.senders.InAppSender",
    Channel.SMS: "fengqiao.notifications.senders.LogSender",
    Channel.EMAIL: "fengqiao.notifications.senders.LogSender",
}


class SendError(Exception):
    """Delivery failed; the message says why, without personal data."""


class Sender(Protocol):
    def send(self, message: Outbox) -> None: ...


def mask_email(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def address(message: Outbox) -> str:
    """The recipient's phone number or e-mail address for the channel (read when sending, never stored in
    the outbox); a unit without a person gets its office phone."""
    if message.to_address:
        return message.to_address
    user = message.recipient
    if message.channel == Channel.SMS:
        if user is not None:
            return user.phone or ""
        if message.unit is None and message.case_id is not None:  # to the case's reporter (回访评价)
            from fengqiao.cases.services.evaluation import reporter_phone

            return reporter_phone(message.case_id)
        return message.unit.phone if message.unit is not None else ""
    if message.channel == Channel.EMAIL:
        return user.email if user is not None else ""
    return ""


def masked(message: Outbox, value: str) -> str:
    return mask_phone(value) if message.channel == Channel.SMS else mask_email(value)


class InAppSender:
    """The row is the in-app message: sending it only marks it sent."""

    def send(self, message: Outbox) -> None:
        return None


class LogSender:
    """Development: log the message (address masked) and mark it sent."""

    def send(self, message: Outbox) -> None:
        to = address(message)
        if not to:
            raise SendError("no address for this channel")
        log.info("notification #%s %s to %s: %s", message.pk, message.channel, masked(message, to), message.subject)


class EmailSender:
    """E-mail through Django's e-mail backend (``EMAIL_BACKEND``, ``EMAIL_HOST`` …)."""

    def send(self, message: Outbox) -> None:
        to = address(message)
        if not to:
            raise SendError("no e-mail address")
        try:
            send_mail(message.subject, message.body or message.subject, settings.DEFAULT_FROM_EMAIL, [to])
        except Exception as e:  # SMTP errors, refused connections …
            raise SendError(f"e-mail to {mask_email(to)} failed: {type(e).__name__}") from None


class HttpSmsSender:
    """An SMS gateway over HTTP: ``POST SMS_GATEWAY_URL`` with JSON ``{"id", "to", "text"}`` and a bearer
    token.  ``id`` is the outbox row's dedup key, so a gateway that de-duplicates by id never delivers one
    message twice.  Adapt ``payload`` in a subclass for a gateway with another format."""

    timeout = 10.0

    def payload(self, message: Outbox, to: str) -> dict[str, str]:
        sign = settings.SMS_SIGNATURE
        return {"id": message.dedup_key, "to": to, "text": f"【{sign}】{message.body or message.subject}"}

    def send(self, message: Outbox) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise SendError("SMS gateway not configured (FENGQIAO_SMS_GATEWAY_URL)")
        to = address(message)
        if not to:
            raise SendError("no mobile number")
        request = urllib.request.Request(
            url, data=json.dumps(self.payload(message, to), ensure_ascii=False).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise SendError(f"gateway answered {response.status} for {mask_phone(to)}")
        except (urllib.error.URLError, TimeoutError) as e:
            raise SendError(f"gateway unreachable for {mask_phone(to)}: {type(e).__name__}") from None


def sender_for(channel: str) -> Sender:
    configured: dict[str, str] = {**DEFAULT_SENDERS, **getattr(settings, "NOTIFICATION_SENDERS", {})}
    sender: Sender = import_string(configured[channel])()
    return sender
