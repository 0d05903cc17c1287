"""The citizen app's evaluation endpoints (/api/evaluations/…, no account, no CSRF) and the staff's resend
(/api/cases/{code}/resend-evaluation): statuses, error bodies naming the field, nothing changed on bad
input, and the rate limits shared with the web pages."""

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
from fengqiao.notifications.models import Outbox
from tests.cases.builders import REPLY_TEXT, case_in, snapshot
from tests.cases.test_evaluation import codes
from tests.cases.test_evaluation_resend import resent_codes
from tests.factories import City
from tests.factories import post_json as post

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
BY_SMS = "/api/evaluations/by-sms"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def citizen() -> Client:
    """The app: no session, and CSRF enforced as a browser would have it — these endpoints need neither."""
    return Client(enforce_csrf_checks=True)


def state(case: Case) -> dict[str, Any]:
    return {**snapshot(case), "invites": list(EvaluationInvite.objects.filter(case=case).order_by("pk").values()),
            "outbox": list(Outbox.objects.filter(case=case).order_by("pk").values())}


def test_the_link_shows_the_summary_without_personal_data(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    response = citizen().get(f"/api/evaluations/{link.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("case_code", "title", "reply", "reply_unit", "round")} == {
        "case_code": case.code, "title": "小区电梯故障", "reply": REPLY_TEXT, "reply_unit": "市住房和城乡建设局",
        "round": 1}
    assert body["deadline"] == "2026-03-11T15:59:59Z"  # the 7th working day's end, 23:59:59 in Shanghai
    assert body["replied_at"] == "2026-03-02T02:00:00Z"
    assert body["ratings"] == [{"value": "satisfied", "label": "满意"}, {"value": "basically", "label": "基本满意"},
                               {"value": "unsatisfied", "label": "不满意"}]
    assert [s["label"] for s in body["steps"]] == ["登记", "分拨交办", "签收", "答复"]
    assert body["steps"][0]["unit"] == ""
    text = response.content.decode()
    for secret in ("张三", "张*", "13812345678", "3 号楼电梯停运一周无人维修"):
        assert secret not in text


def test_evaluate_by_link_then_a_second_submission_is_refused(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    client = citizen()
    done = post(client, f"/api/evaluations/{link}", {"rating": "satisfied", "comment": "处理及时"})
    assert done.status_code == 200
    assert done.json() == {"case_code": case.code, "rating": "satisfied", "rating_label": "满意", "status": "closed",
                           "status_label": "已办结", "detail": f"感谢您的评价。事项 {case.code} 的评价“满意”已提交。"}
    assert list(case.evaluations.values_list("rating", "comment", "via", "by")) == [
        ("satisfied", "处理及时", "link", None)]
    after = state(case)
    again = post(client, f"/api/evaluations/{link}", {"rating": "unsatisfied", "comment": "再交一次"})
    assert again.status_code == 409
    assert again.json() == {"error": "conflict", "detail": "该答复已经评价过了，不能重复提交。",
                            "fields": {"code": "已评价"}}
    assert client.get(f"/api/evaluations/{link}").status_code == 409
    assert state(case) == after


BAD_BODIES = {
    "unsatisfied without a reason": ({"rating": "unsatisfied", "comment": " "}, 400, "validation_failed",
                                     "请填写不满意的原因。", {"comment": "请填写不满意的原因"}),
    "no rating": ({"comment": "好"}, 400, "validation_failed", "请选择评价：满意、基本满意或不满意。",
                  {"rating": "请选择评价"}),
    "an unknown rating": ({"rating": "great"}, 400, "validation_failed", "请选择评价：满意、基本满意或不满意。",
                          {"rating": "请选择评价"}),
    "a comment too long": ({"rating": "satisfied", "comment": "好" * 1001}, 400, "validation_failed",
                           "评价意见不能超过 1000 字。", {"comment": "不能超过 1000 字"}),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_bad_evaluations_change_nothing(city: City, frozen: Any, name: str) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    before = state(case)
    body, status, error, detail, fields = BAD_BODIES[name]
    response = post(citizen(), f"/api/evaluations/{link}", body)
    assert response.status_code == status
    assert response.json() == {"error": error, "detail": detail, "fields": fields}
    assert state(case) == before


def test_a_rating_of_the_wrong_type_and_a_body_that_is_not_json_are_422(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    before = state(case)
    typed = post(citizen(), f"/api/evaluations/{link}", {"rating": 1})
    assert typed.status_code == 422
    assert list(typed.json()["fields"]) == ["rating"]
    garbled = citizen().post(f"/api/evaluations/{link}", "rating=satisfied", content_type="application/json")
    assert garbled.status_code == 422
    assert garbled.json()["fields"] == {"body": "不是有效的 JSON"}
    assert state(case) == before


def test_wrong_and_expired_links(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    before = state(case)
    client = citizen()
    for wrong in ("WXYZ3467", "<script>", "x" * 300):
        for response in (client.get(f"/api/evaluations/{wrong}"),
                         post(client, f"/api/evaluations/{wrong}", {"rating": "satisfied"})):
            assert response.status_code == 404
            assert response.json() == {"error": "not_found", "detail": "评价码不正确，请核对短信中的链接或验证码。",
                                       "fields": {"code": "评价码不正确"}}
    frozen.move_to(dt.datetime(2026, 3, 12, 0, 0, 1, tzinfo=SH))
    for response in (client.get(f"/api/evaluations/{link}"),
                     post(client, f"/api/evaluations/{link}", {"rating": "satisfied"})):
        assert response.status_code == 410
        assert response.json()["error"] == "expired"
        assert response.json()["detail"] == "评价码已过期（评价期已结束）。如有需要，请拨打 12345 热线。"
    assert state(case) == before


def test_evaluate_by_sms_code(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    done = post(citizen(), BY_SMS, {"case_code": f" {case.code.lower()} ", "sms_code": sms, "rating": "unsatisfied",
                                    "comment": "电梯仍有异响"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["rating"]) == ("reopened", "unsatisfied")
    assert done.json()["detail"].endswith("我们将重新办理，并再次答复您。")
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (State.REOPENED, 1)
    assert list(case.evaluations.values_list("rating", "comment", "via")) == [("unsatisfied", "电梯仍有异响", "sms")]


@pytest.mark.parametrize(("body", "status", "fields"), [
    ({"case_code": "", "sms_code": "123456"}, 400, {"case_code": "请填写事项编号"}),
    ({"sms_code": "12345"}, 400, {"sms_code": "请填写 6 位数字验证码"}),
    ({"sms_code": "abcdef"}, 400, {"sms_code": "请填写 6 位数字验证码"}),
    ({"sms_code": "WRONG"}, 404, {"sms_code": "事项编号或验证码不正确"}),
    ({"case_code": "FQ000000-XXXXXX"}, 404, {"sms_code": "事项编号或验证码不正确"}),
    ({"rating": "unsatisfied", "comment": ""}, 400, {"comment": "请填写不满意的原因"}),
    ({"sms_code": 123456}, 422, {"sms_code": "Input should be a valid string"}),
])
def test_bad_sms_submissions_change_nothing(city: City, frozen: Any, body: dict[str, Any], status: int,
                                            fields: dict[str, str]) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    if body.get("sms_code") == "WRONG":
        body = {"sms_code": f"{(int(sms) + 1) % 1_000_000:06d}"}
    before = state(case)
    response = post(citizen(), BY_SMS, {"case_code": case.code, "sms_code": sms, "rating": "satisfied"} | body)
    assert response.status_code == status
    assert response.json()["fields"] == fields
    assert state(case) == before


def test_guessing_sms_codes_is_limited_across_the_api_and_the_web_page(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    wrong = [f"{n:06d}" for n in range(12) if f"{n:06d}" != sms]
    client = citizen()
    statuses = [post(client, BY_SMS, {"case_code": case.code, "sms_code": code, "rating": "satisfied"}).status_code
                for code in wrong[:10]]
    assert statuses == [404] * 10
    limited = post(client, BY_SMS, {"case_code": case.code, "sms_code": sms, "rating": "satisfied"})
    assert limited.status_code == 429  # even the right code waits for the window to pass
    assert limited.json() == {"error": "rate_limited", "detail": "操作过于频繁，请一分钟后再试。"}
    assert 1 <= int(limited["Retry-After"]) <= 60
    page = Client().post("/e/", {"case_code": case.code, "sms_code": sms})  # the web page: the same budget
    assert page.status_code == 429
    assert 1 <= int(page["Retry-After"]) <= 60
    assert case.evaluations.count() == 0


def test_opening_links_is_limited_too(city: City, frozen: Any) -> None:
    client = citizen()
    assert [client.get(f"/api/evaluations/WXYZ346{n % 10}").status_code for n in range(30)] == [404] * 30
    limited = client.get("/api/evaluations/WXYZ3467")
    assert limited.status_code == 429
    assert limited.has_header("Retry-After")
    assert Client().get("/e/WXYZ3467/").status_code == 429


# --- the staff's resend ----------------------------------------------------------------------------

def staff(city: City, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


def resend_url(case: Case) -> str:
    return f"/api/cases/{case.code}/resend-evaluation"


def test_resend_through_the_api(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    old_link, _ = codes(case)
    response = post(staff(city, "operator"), resend_url(case), {"expected_version": case.version})
    assert response.status_code == 200
    body = response.json()
    assert (body["round"], body["resend"], body["resends_left"]) == (1, 1, 2)
    assert (body["case"]["code"], body["case"]["status"], body["case"]["version"]) == (
        case.code, "replied", case.version + 1)
    gone = citizen().get(f"/api/evaluations/{old_link}")
    assert gone.status_code == 410
    assert gone.json()["error"] == "replaced"
    link, _ = resent_codes(case, 1)
    assert citizen().get(f"/api/evaluations/{link}").status_code == 200
    # an empty body is fine too (no version check), and the generic actions endpoint knows the action
    empty = staff(city, "dispatcher").post(resend_url(case), "", content_type="application/json")
    assert empty.status_code == 200
    assert post(staff(city, "dispatcher"), f"/api/cases/{case.code}/actions",
                {"action": "resend_evaluation"}).status_code == 200


def test_resend_refusals_change_nothing(city: City, frozen: Any) -> None:
    replied, accepted = case_in(city, State.REPLIED), case_in(city, State.ACCEPTED)
    for _ in range(3):
        assert post(staff(city, "operator"), resend_url(replied), {}).status_code == 200
    before = {c.pk: state(c) for c in (replied, accepted)}
    cases: list[tuple[Client, Case, dict[str, Any], int, str]] = [
        (staff(city, "dispatcher"), replied, {}, 409, "本轮评价短信已重发 3 次，不能再重发，请电话回访。"),
        (staff(city, "handler"), replied, {}, 403, "您的角色无权执行「重发评价短信」。"),
        (staff(city, "operator"), accepted, {}, 409, "当前状态为「办理中」，不能执行「重发评价短信」。"),
        (staff(city, "operator"), replied, {"expected_version": 0}, 409, "这个案件在您打开之后已有新的操作"),
        (staff(city, "other_grid_worker"), replied, {}, 404, f"没有找到案件 {replied.code}，或您无权查看。"),
        (Client(), replied, {}, 401, "请先登录。"),
    ]
    for client, case, body, status, detail in cases:
        response = post(client, resend_url(case), body)
        assert response.status_code == status, response.content
        assert response.json()["detail"].startswith(detail)
    assert {c.pk: state(c) for c in (replied, accepted)} == before


def test_the_staff_endpoint_keeps_csrf(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.users["operator"])
    before = state(case)
    response = post(client, resend_url(case), {})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert state(case) == before


@pytest.mark.parametrize(("address", "key"), [
    ("10.0.0.8", "10.0.0.8"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),  # one /64: a phone's or a household's prefix
    ("", "unknown"),  # no address (not through a real server): one shared counter, never a 500
    ("not an address", "unknown"),
])
def test_the_rate_limit_key(address: str, key: str) -> None:
    from django.test import RequestFactory

    from fengqiao.kit.throttle import client_address

    request = RequestFactory().get("/api/evaluations/WXYZ3467")
    if address:
        request.META["REMOTE_ADDR"] = address
    else:
        del request.META["REMOTE_ADDR"]
    assert client_address("evaluation.page", request) == key
