"""A registration whose random tracking code clashes with one already given takes a new code: it never
answers with someone else's case (before, a clash returned an arbitrary case of the channel as the
"duplicate" and the caller's matter was not registered)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.intelligence.models import CaseBand
from fengqiao.kit import ids
from tests.cases.builders import register
from tests.factories import City

ORIGINAL = ids.tracking_code


def _codes(*codes: str) -> Iterator[str]:
    yield from codes
    while True:
        yield ORIGINAL(dt.date(2026, 11, 30))


def test_a_clashing_code_is_replaced_and_the_matter_registered(city: City, monkeypatch: pytest.MonkeyPatch,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    first = register(city, title="第一件：路灯不亮")
    codes = _codes(first.code, first.code, "FQ261130-CLASH9")
    monkeypatch.setattr(ids, "tracking_code", lambda day: next(codes))
    with django_capture_on_commit_callbacks(execute=True):
        second = register(city, title="第二件：噪音扰民")
    assert second.pk != first.pk
    assert second.code == "FQ261130-CLASH9"
    assert Case.objects.get(code=second.code).title == "第二件：噪音扰民"
    assert Case.objects.get(code=first.code).title == "第一件：路灯不亮"
    assert Party.objects.filter(case=second).count() == 1
    assert list(CaseEvent.objects.filter(case=second).values_list("seq", flat=True)) == [1]
    assert CaseBand.objects.filter(case=second).exists()  # its duplicate-search fingerprints, after commit


def test_codes_that_keep_clashing_fail_loudly_and_write_nothing(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    first = register(city)
    monkeypatch.setattr(ids, "tracking_code", lambda day: first.code)
    before = (Case.objects.count(), Party.objects.count(), CaseEvent.objects.count())
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        register(city, title="另一件")
    assert (Case.objects.count(), Party.objects.count(), CaseEvent.objects.count()) == before


def test_the_same_external_reference_twice_is_still_one_case(city: City) -> None:
    one = register(city, external_ref="12345-0001")
    again = register(city, external_ref="12345-0001", title="重复推送")
    assert again.pk == one.pk
    assert Case.objects.filter(external_ref="12345-0001").count() == 1
