"""重发评价短信 on the case page: offered to the operator and the dispatcher on a replied case, a form that
posts through case_act, the refusal shown on the page with nothing changed, and the citizen's old link
saying it was replaced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from fengqiao.cases import services
from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from tests.api.test_evaluations_api import state
from tests.cases.builders import case_in
from tests.cases.test_evaluation import codes
from tests.factories import City
from tests.web.conftest import login

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def page(client: Client, case: Case) -> Any:
    return client.get(reverse("case_detail", args=[case.code]))


def resend(client: Client, case: Case, version: int) -> Any:
    return client.post(reverse("case_act", args=[case.code, "resend_evaluation"]),
                       {"resend_evaluation-expected_version": version})


@pytest.mark.parametrize(("role", "offered"), [
    ("operator", ["evaluate", "resend_evaluation", "link", "attach"]),
    ("dispatcher", ["resend_evaluation", "link", "attach"]),
    ("street_dispatcher", ["resend_evaluation", "link", "attach"]),
    ("handler", []),  # the unit replied: its part is done
    ("leader", []),
])
def test_the_button_is_offered_to_operators_and_dispatchers(client: Client, city: City, frozen: Any, role: str,
                                                            offered: list[str]) -> None:
    case = case_in(city, State.REPLIED)
    response = page(login(client, city, role), case)
    assert [o.name for o in response.context["offered"]] == offered
    assert ("重发评价短信</button>" in response.content.decode()) == ("resend_evaluation" in offered)


def test_not_offered_before_the_reply(client: Client, city: City, frozen: Any) -> None:
    case = case_in(city, State.ACCEPTED)
    assert "resend_evaluation" not in [o.name for o in page(login(client, city, "operator"), case).context["offered"]]


def test_resend_from_the_case_page(client: Client, city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    old_link, _ = codes(case)
    login(client, city, "dispatcher")
    response = resend(client, case, case.version)
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.code])
    shown = page(client, case)
    html = shown.content.decode()
    assert "已完成：重发评价短信" in html
    assert "本轮第 1 次重发，原链接和验证码已失效" in html  # the timeline entry
    gone = Client().get(f"/e/{old_link}/")
    assert gone.status_code == 410
    assert "该评价码已失效：评价短信已重新发送，请使用最新一条短信中的链接或验证码。" in gone.content.decode()


def test_the_fourth_resend_is_refused_on_the_page(client: Client, city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    for _ in range(3):
        services.resend_evaluation(city.users["operator"], case.code)
    case.refresh_from_db()
    before = state(case)
    response = resend(login(client, city, "operator"), case, case.version)
    assert response.status_code == 409
    assert "本轮评价短信已重发 3 次，不能再重发，请电话回访。" in response.content.decode()
    assert state(case) == before


def test_a_stale_page_and_a_forbidden_role_change_nothing(client: Client, city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    before = state(case)
    stale = resend(login(client, city, "operator"), case, case.version - 1)
    assert stale.status_code == 409
    forbidden = resend(login(Client(), city, "handler"), case, case.version)
    assert forbidden.status_code == 403
    assert "您的角色无权执行「重发评价短信」。" in forbidden.content.decode()
    assert state(case) == before
