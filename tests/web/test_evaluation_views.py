"""The citizen's public evaluation pages, over HTTP without a login: the link, the SMS code, each bad
input with its status and message and nothing changed, the rate limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from tests.cases.builders import case_in, snapshot
from tests.cases.test_evaluation import codes
from tests.factories import City

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


def state(case: Case) -> dict[str, Any]:
    return {**snapshot(case), "invites": list(EvaluationInvite.objects.filter(case=case).order_by("pk").values())}


def text(response: Any) -> str:
    return response.content.decode()


def test_the_link_page_shows_the_reply_and_takes_the_evaluation(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    client = Client()
    page = client.get(f"/e/{link}/")
    assert page.status_code == 200
    body = text(page)
    assert case.reply in body
    assert case.code in body
    assert "张*，您好" in body
    assert "张三" not in body
    assert "13812345678" not in body
    assert "市住房和城乡建设局" in body  # the replying unit
    assert body.count('name="rating"') == 3
    done = client.post(f"/e/{link}/", {"rating": "satisfied", "comment": ""})
    assert done.status_code == 200
    assert "感谢您的评价" in text(done)
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (State.CLOSED, "satisfied")
    again = client.post(f"/e/{link}/", {"rating": "unsatisfied", "comment": "再交一次"})
    assert again.status_code == 409
    assert "该答复已经评价过了，不能重复提交。" in text(again)


def test_unsatisfied_without_a_reason_is_refused_on_the_page(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    before = state(case)
    response = Client().post(f"/e/{link}/", {"rating": "unsatisfied", "comment": "  "})
    assert response.status_code == 400
    assert "请填写不满意的原因。" in text(response)
    assert 'id="r-unsatisfied" value="unsatisfied" class="r-unsatisfied" checked' in text(response)
    assert state(case) == before


def test_no_rating_is_refused(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    before = state(case)
    response = Client().post(f"/e/{codes(case)[0]}/", {})
    assert response.status_code == 400
    assert "请选择评价：满意、基本满意或不满意。" in text(response)
    assert state(case) == before


def test_wrong_and_expired_links(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    before = state(case)
    client = Client()
    wrong = client.post("/e/WXYZ3467/", {"rating": "satisfied"})
    assert wrong.status_code == 404
    assert "评价码不正确" in text(wrong)
    frozen.move_to(dt.datetime(2026, 3, 12, 0, 0, 1, tzinfo=SH))
    expired = client.post(f"/e/{link}/", {"rating": "satisfied"})
    assert expired.status_code == 410
    assert "评价码已过期" in text(expired)
    assert state(case) == before


def test_the_sms_code_flow(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    client = Client()
    assert client.get("/e/").status_code == 200
    assert client.get("/e/sms/").status_code == 404  # nothing opened in this session yet
    wrong = client.post("/e/", {"case_code": case.code, "sms_code": "000000" if sms != "000000" else "111111"})
    assert wrong.status_code == 404
    assert "事项编号或验证码不正确。" in text(wrong)
    opened = client.post("/e/", {"case_code": case.code, "sms_code": sms})
    assert opened.status_code == 302
    assert opened["Location"] == "/e/sms/"
    page = client.get("/e/sms/")
    assert page.status_code == 200
    assert case.reply in text(page)
    done = client.post("/e/sms/", {"rating": "unsatisfied", "comment": "噪声仍然存在"})
    assert done.status_code == 200
    assert "我们将重新办理" in text(done)
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (State.REOPENED, 1)
    assert case.evaluations.get().via == "sms"
    assert client.get("/e/sms/").status_code == 404  # the session no longer holds it


def test_guessing_sms_codes_is_rate_limited(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    client = Client()
    statuses = [client.post("/e/", {"case_code": case.code, "sms_code": f"{n:06d}"}).status_code
                for n in range(12) if f"{n:06d}" != sms]
    assert statuses[:10] == [404] * 10
    assert statuses[10] == 429
    # even the right code waits for the minute to pass
    assert client.post("/e/", {"case_code": case.code, "sms_code": sms}).status_code == 429
    assert case.evaluations.count() == 0
