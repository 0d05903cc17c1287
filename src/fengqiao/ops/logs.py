"""Log records without personal data, carrying the request they belong to.

``ContextFilter`` adds ``request_id`` and ``user_id`` (an id, never a name) from the request being served
(set by ``RequestIdMiddleware``); ``ScrubFilter`` replaces mobile phone numbers, ID-card numbers and e-mail
addresses in the message, its arguments, any extra string field and the exception text.  Both sit on the
console handler (settings.LOGGING), so every logger's records pass through them.
"""

from __future__ import annotations

import logging
import re
import traceback
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest
from django.utils.functional import empty
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

current_request: ContextVar[HttpRequest | None] = ContextVar("fengqiao_request", default=None)
current_request_id: ContextVar[str | None] = ContextVar("fengqiao_request_id", default=None)

# An ID-card number first (18 characters; a phone-like run inside it must not be half-masked), then a
# mainland mobile number, then an e-mail address.  Digit runs longer than the pattern are left alone.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED_ID = "[id-card]"
REDACTED_PHONE = "[phone]"
REDACTED_EMAIL = "[email]"

# the attributes every LogRecord has; anything else on a record came as ``extra=``
_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {"message", "asctime"}


def scrub(text: str) -> str:
    """``text`` with phone numbers, ID-card numbers and e-mail addresses replaced by a placeholder."""
    text = _ID_CARD.sub(REDACTED_ID, text)
    text = _PHONE.sub(REDACTED_PHONE, text)
    return _EMAIL.sub(REDACTED_EMAIL, text)


def user_id_of(request: HttpRequest | None) -> int | None:
    """The id of the request's user if authentication already loaded it; never loads it (no query)."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # SimpleLazyObject until someone looked at it
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "pk", None)


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` (``-`` / None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get() or "-"
        if not hasattr(record, "user_id"):
            record.user_id = user_id_of(current_request.get())
        return True


class ScrubFilter(logging.Filter):
    """Replaces personal data in the message, its arguments, extra string fields and the exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is rather than lose the line
            message = f"{record.msg} {record.args}"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info:
            # formatters print a record's exc_text when set; exc_info stays for handlers that want the object
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD:
                continue
            if isinstance(value, str):
                setattr(record, key, scrub(value))
            elif isinstance(value, HttpRequest):
                # django.request passes the request: its repr carries the query string
                setattr(record, key, value.path)
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, user_id, and any extra fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatException(self, ei: Any) -> str | list[str]:  # type: ignore[override]
        # this formatter formats exc_info anew rather than using exc_text
        text = super().formatException(ei)
        return [scrub(line) for line in text] if isinstance(text, list) else scrub(text)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        import datetime as dt

        return dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")
