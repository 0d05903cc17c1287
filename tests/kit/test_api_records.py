"""kit/api_records.py: every action a record's page offers has its endpoint, and the endpoint hands the body's
fields to the spec's service as the page's form does."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from ninja import Field, Router, Schema

from fengqiao.kit.action_spec import ActionSpec
from fengqiao.kit.api_records import ActIn, Endpoint, add_actions, code_path, matching
from fengqiao.risk.models import RiskEntry


class NoteIn(ActIn):
    note: str = Field(..., max_length=10)


class DoneOut(Schema):
    code: str


def _specs(calls: list[tuple[Any, ...]]) -> dict[str, ActionSpec[Any, Any]]:
    def perform(user: Any, code: str, values: dict[str, Any], version: int | None) -> None:
        calls.append((user, code, values, version))

    return {"note": ActionSpec("note", forms.Form, "记录", "记录", perform),
            "close": ActionSpec("close", forms.Form, "结束", "结束", perform)}


def test_a_spec_without_its_endpoint_is_refused_at_start() -> None:
    with pytest.raises(ImproperlyConfigured, match="close"):
        add_actions(Router(), _specs([]), [Endpoint("note", NoteIn, "note")], code="", response=DoneOut,
                    detail=lambda user, code: DoneOut(code=code), module="tests.kit")


def test_an_endpoint_calls_the_specs_service_with_the_body_and_the_version() -> None:
    calls: list[tuple[Any, ...]] = []
    router = Router()
    add_actions(router, _specs(calls), [Endpoint("note", NoteIn, "a note"), Endpoint("close", NoteIn, "closed",
                                                                                      view="close_it")],
                code=code_path("a code"), response=DoneOut, detail=lambda user, code: DoneOut(code=code),
                module="tests.kit")
    views = {op.view_func.__name__: op for ops in router.path_operations.values() for op in ops.operations}
    assert sorted(views) == ["close_it", "note"]
    assert views["close_it"].operation_id == "tests_kit_close_it"
    assert views["close_it"].url_name == "close_it"
    request = RequestFactory().post("/")
    request.user = "clerk"  # type: ignore[assignment]
    answer = views["note"].view_func(request, NoteIn(expected_version=3, note="ok"), code="FX1")
    assert answer == DoneOut(code="FX1")
    assert calls == [("clerk", "FX1", {"note": "ok"}, 3)]


def test_matching_filters_by_the_values_given_and_the_query() -> None:
    qs = RiskEntry.objects.all()
    assert str(matching(qs, " ").query) == str(qs.query)
    where = str(matching(qs, "积水", status=None, grade="key").query).split("WHERE")[1].split("ORDER BY")[0]
    assert '"grade" = key' in where
    assert '"title"' in where
    assert '"code"' in where
    assert '"status"' not in where  # a None filters nothing
