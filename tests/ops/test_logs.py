"""Logs: personal data scrubbed from every part of a record; JSON lines with the request's id and user id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from fengqiao.ops.logs import ContextFilter, JsonFormatter, ScrubFilter, scrub
from tests.factories import City


@pytest.mark.parametrize(("text", "expected"), [
    ("回电 13812345678 未接", "回电 [phone] 未接"),
    ("电话+86 13912345678", "电话[phone]"),
    ("身份证 33062419800101123X 核实", "身份证 [id-card] 核实"),
    ("id 330624198001011234", "id [id-card]"),
    ("mail zhang.san+x@example.gov.cn now", "mail [email] now"),
    ("案件 202611300001 订单号 123456789012345", "案件 202611300001 订单号 123456789012345"),  # not personal
    ("12812345678 is not a mobile number", "12812345678 is not a mobile number"),
    ("1381234567890 is longer than a phone", "1381234567890 is longer than a phone"),
])
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text) == expected


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("fengqiao.test", logging.INFO, __file__, 1, msg, args or None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_the_filter_scrubs_message_arguments_extras_and_the_exception() -> None:
    record = _record("party %s phone %s", "张三", "13812345678", caller="a@b.cn", count=3)
    try:
        raise ValueError("duplicate ID 330624198001011234")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert ScrubFilter().filter(record)
    assert record.getMessage() == "party 张三 phone [phone]"
    assert record.caller == "[email]"  # type: ignore[attr-defined]
    assert record.count == 3  # type: ignore[attr-defined]
    assert record.exc_text is not None
    assert "ValueError: duplicate ID [id-card]" in record.exc_text
    assert "330624198001011234" not in logging.Formatter().format(record)
    as_json = json.loads(JsonFormatter().format(record))
    assert "ValueError: duplicate ID [id-card]" in as_json["exc_info"]
    assert "330624198001011234" not in json.dumps(as_json)


def test_a_broken_format_string_keeps_the_line() -> None:
    record = _record("%d cases", "many 13812345678")
    assert ScrubFilter().filter(record)
    assert "13812345678" not in record.getMessage()


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The request logger's records, formatted as in production (FENGQIAO_LOG_FORMAT=json)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(ScrubFilter())
    logger = logging.getLogger("fengqiao.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_a_record_outside_a_request_is_one_json_object(json_lines: io.StringIO) -> None:
    logging.getLogger("fengqiao.request").warning("sent to %s", "13812345678")
    line = json.loads(json_lines.getvalue())
    assert line["level"] == "WARNING"
    assert line["logger"] == "fengqiao.request"
    assert line["message"] == "sent to [phone]"
    assert line["request_id"] == "-"
    assert line["user_id"] is None
    assert line["time"].endswith("+00:00")


def test_the_request_line_has_id_user_route_status_duration_and_no_query(
        city: City, client: Client, json_lines: io.StringIO) -> None:
    operator = city.users["operator"]
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/?q=13812345678&mail=a@b.cn", HTTP_X_REQUEST_ID="proxy-req-0001")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "proxy-req-0001"
    line = json.loads(json_lines.getvalue().splitlines()[-1])
    assert line["request_id"] == "proxy-req-0001"
    assert line["user_id"] == operator.pk
    assert line["path"] == "/"
    assert line["view"] == "inbox"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["duration_ms"] > 0
    text = json_lines.getvalue()
    assert "13812345678" not in text
    assert "q=" not in text
    assert operator.username not in text


@pytest.mark.parametrize("given", ["short", "has space in it", "x" * 200, "bad\nline-injection"])
def test_an_insane_request_id_is_replaced(client: Client, given: str) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_settings_log_json_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import fengqiao.settings as project_settings

    monkeypatch.setenv("FENGQIAO_LOG_FORMAT", "json")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.LOGGING["handlers"]["console"]["formatter"] == "json"
        assert reloaded.LOGGING["handlers"]["console"]["stream"] == "ext://sys.stdout"
        assert reloaded.LOGGING["handlers"]["console"]["filters"] == ["context", "scrub"]
    finally:
        monkeypatch.delenv("FENGQIAO_LOG_FORMAT")
        importlib.reload(project_settings)
