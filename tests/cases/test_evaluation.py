"""回访评价 through the citizen's codes: the invitation a reply issues, the link code and the SMS code,
each bad input changing nothing, the operator's form, and the second unsatisfied evaluation → 督办."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.audit import verify
from fengqiao.cases import services
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import Case, CaseEvent, Evaluation
from fengqiao.cases.services import evaluation
from fengqiao.cases.states import State
from fengqiao.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from fengqiao.notifications import senders
from fengqiao.notifications.models import Outbox
from tests.cases.builders import REPLY_TEXT, case_in, lead_handler, snapshot
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def codes(case: Case, round_: int = 1) -> tuple[str, str]:
    """The link code and the SMS code, read from the SMS the citizen receives (the only place they exist)."""
    sms = Outbox.objects.get(dedup_key=f"eval:{case.pk}:{round_}:sms")
    link = re.search(r"/e/([A-Z0-9]{8})/", sms.body)
    digits = re.search(r"验证码 (\d{6})", sms.body)
    assert link, sms.body
    assert digits, sms.body
    return link.group(1), digits.group(1)


def state(case: Case) -> dict[str, Any]:
    """The snapshot of the case plus its invitations: what 'nothing changed' means here."""
    return {**snapshot(case), "invites": list(EvaluationInvite.objects.filter(case=case).order_by("pk").values())}


def test_a_reply_issues_one_invitation_with_hashed_codes_and_queues_the_sms(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    invite = EvaluationInvite.objects.get(case=case)
    link, sms = codes(case)
    assert (invite.round, invite.used_at, invite.expires_at) == (1, None, case.evaluation_deadline)
    assert invite.expires_at == dt.datetime(2026, 3, 11, 23, 59, 59, tzinfo=SH)  # the 7th working day's end
    assert link not in invite.link_hash
    assert sms not in invite.sms_hash
    assert len(invite.link_hash) == 64
    message = Outbox.objects.get(kind="evaluation")
    assert (message.channel, message.recipient_id, message.unit_id, message.case_id) == ("sms", None, None, case.pk)
    assert "13812345678" not in message.body
    assert senders.address(message) == "13812345678"  # read from the reporter when sending


def test_the_link_code_closes_the_case_when_satisfied(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    invite = evaluation.invite_by_link(link.lower())  # read aloud, typed in lower case: still found
    evaluation.evaluate_by_invite(invite.pk, rating="basically", comment="处理及时", via="link")
    case.refresh_from_db()
    assert (case.status, case.satisfaction, case.closed_at) == (State.CLOSED, "basically", MONDAY)
    e = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert e is not None
    assert (e.action, e.actor_id, e.actor_role, e.audience, e.note, e.data) == (
        "evaluate", None, "citizen", "parties", "处理及时", {"rating": "basically", "round": 1})
    assert list(Evaluation.objects.filter(case=case).values_list("round", "rating", "via", "by")) == [
        (1, "basically", "link", None)]
    invite.refresh_from_db()
    assert (invite.used_at, invite.used_via) == (MONDAY, "link")
    assert verify.verify().ok


BAD_LINKS = {
    "wrong code": ("WXYZ3467", NotFound, 404, "评价码不正确"),
    "not a code at all": ("<script>", NotFound, 404, "评价码不正确"),
}


@pytest.mark.parametrize("name", list(BAD_LINKS))
def test_a_wrong_link_code_finds_nothing(city: City, frozen: Any, name: str) -> None:
    case = case_in(city, State.REPLIED)
    before = state(case)
    code, error, status, text = BAD_LINKS[name]
    with pytest.raises(error) as caught:
        evaluation.invite_by_link(code)
    assert caught.value.status == status
    assert text in caught.value.message
    assert state(case) == before


def test_an_expired_code_is_refused_and_changes_nothing(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.REPLIED)
    link, sms = codes(case)
    invite = EvaluationInvite.objects.get(case=case)
    before = state(case)
    frozen.move_to(dt.datetime(2026, 3, 12, 0, 0, 1, tzinfo=SH))  # a second after the evaluation deadline
    for attempt in (lambda: evaluation.invite_by_link(link), lambda: evaluation.invite_by_sms(case.code, sms),
                    lambda: evaluation.evaluate_by_invite(invite.pk, rating="satisfied")):
        with pytest.raises(evaluation.Expired) as caught:
            attempt()
        assert caught.value.status == 410
        assert caught.value.message == "评价码已过期（评价期已结束）。如有需要，请拨打 12345 热线。"
    assert state(case) == before


def test_a_double_submission_is_refused_and_changes_nothing(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, sms = codes(case)
    invite = evaluation.invite_by_link(link)
    evaluation.evaluate_by_invite(invite.pk, rating="satisfied")
    after_first = state(case)
    for attempt in (lambda: evaluation.evaluate_by_invite(invite.pk, rating="unsatisfied", comment="再评一次"),
                    lambda: evaluation.invite_by_link(link), lambda: evaluation.invite_by_sms(case.code, sms)):
        with pytest.raises(Conflict) as caught:
            attempt()
        assert caught.value.message == "该答复已经评价过了，不能重复提交。"
    assert state(case) == after_first


@pytest.mark.parametrize(("rating", "comment", "message"), [
    ("unsatisfied", "", "请填写不满意的原因。"),
    ("unsatisfied", " ", "请填写不满意的原因。"),
    ("great", "", "请选择评价：满意、基本满意或不满意。"),
    ("satisfied", "好" * 1001, "评价意见不能超过 1000 字。"),
])
def test_bad_evaluations_change_nothing(city: City, frozen: Any, rating: str, comment: str, message: str) -> None:
    case = case_in(city, State.REPLIED)
    invite = evaluation.invite_by_link(codes(case)[0])
    before = state(case)
    with pytest.raises(ValidationFailed) as caught:
        evaluation.evaluate_by_invite(invite.pk, rating=rating, comment=comment)
    assert caught.value.message == message
    assert state(case) == before


def test_the_sms_code_with_the_tracking_code_reopens_when_unsatisfied(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    invite = evaluation.invite_by_sms(f" {case.code.lower()} ", sms)
    evaluation.evaluate_by_invite(invite.pk, rating="unsatisfied", comment="电梯仍有异响", via="sms")
    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.lead_unit_id, case.supervision_level) == (
        State.REOPENED, 1, None, 0)
    assert list(Evaluation.objects.filter(case=case).values_list("rating", "comment", "via")) == [
        ("unsatisfied", "电梯仍有异响", "sms")]


@pytest.mark.parametrize(("case_code", "sms_code", "error", "message"), [
    ("", "123456", ValidationFailed, "请填写事项编号和 6 位短信验证码。"),
    (None, "12345", ValidationFailed, "请填写事项编号和 6 位短信验证码。"),
    (None, "abcdef", ValidationFailed, "请填写事项编号和 6 位短信验证码。"),
    (None, "WRONG", ValidationFailed, "请填写事项编号和 6 位短信验证码。"),
    ("FQ000000-XXXXXX", None, NotFound, "事项编号或验证码不正确。"),
])
def test_bad_sms_codes_change_nothing(city: City, frozen: Any, case_code: str | None, sms_code: str | None,
                                      error: type[DomainError], message: str) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    before = state(case)
    with pytest.raises(error) as caught:
        evaluation.invite_by_sms(case.code if case_code is None else case_code, sms if sms_code is None else sms_code)
    assert caught.value.message == message
    assert state(case) == before


def test_a_wrong_sms_code_for_the_right_case_is_refused(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    _, sms = codes(case)
    wrong = f"{(int(sms) + 1) % 1_000_000:06d}"
    with pytest.raises(NotFound):
        evaluation.invite_by_sms(case.code, wrong)


def test_after_the_operators_callback_the_citizens_codes_say_already_evaluated(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    services.evaluate(city.users["operator"], case.code, rating="satisfied", comment="电话回访：满意")
    assert list(Evaluation.objects.filter(case=case).values_list("via", "by__username")) == [
        ("callback", "operator")]
    with pytest.raises(Conflict):
        evaluation.invite_by_link(link)


def _reply_again(city: City, case: Case, *, lead: int) -> Case:
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[lead].pk)
    case.refresh_from_db()
    handler = lead_handler(city, case)
    services.accept(handler, case.code)
    services.reply(handler, case.code, text=REPLY_TEXT)
    case.refresh_from_db()
    return case


def test_the_second_unsatisfied_evaluation_puts_the_case_under_supervision(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)  # led by departments[0]
    first = evaluation.invite_by_link(codes(case)[0])
    evaluation.evaluate_by_invite(first.pk, rating="unsatisfied", comment="电梯仍有异响")
    case.refresh_from_db()
    assert case.supervision_level == 0  # the first unsatisfied only reopens
    case = _reply_again(city, case, lead=1)  # the dispatcher chose another unit this time
    second = evaluation.invite_by_link(codes(case, 2)[0])
    assert second.round == 2
    evaluation.evaluate_by_invite(second.pk, rating="unsatisfied", comment="还是没有修好")
    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.supervision_level) == (State.REOPENED, 2, 2)
    last_two = list(CaseEvent.objects.filter(case=case).order_by("-seq")[:2])
    assert [(e.action, e.from_state, e.to_state, e.actor_role) for e in last_two] == [
        ("escalate", "reopened", "reopened", "system"), ("reopen", "replied", "reopened", "citizen")]
    assert last_two[0].data == {"level": 2, "reason": "repeated_unsatisfied", "reopen_count": 2}
    told = set(Outbox.objects.filter(kind="supervise", case=case).values_list("recipient__username", flat=True))
    # the previous lead unit's handler, the nearest dispatchers (the street's) and the leaders (the city's)
    assert told == {"handler2", "street_dispatcher", "leader"}
    assert Outbox.objects.filter(kind="supervise", case=case, channel="in_app").count() == 3
    assert verify.verify().ok


def test_the_second_unsatisfied_by_the_operators_form_also_supervises(city: City, frozen: Any) -> None:
    case = case_in(city, State.REOPENED)  # the operator's first unsatisfied callback
    case = _reply_again(city, case, lead=0)  # the same unit again
    services.evaluate(city.users["operator"], case.code, rating="unsatisfied", comment="仍未解决")
    case.refresh_from_db()
    assert (case.reopen_count, case.supervision_level) == (2, 2)
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1


def test_the_sms_carries_an_absolute_link_when_the_public_address_is_set(city: City, frozen: Any,
                                                                        settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://12345.example.gov.cn/"
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    body = Outbox.objects.get(kind="evaluation", case=case).body
    assert f"https://12345.example.gov.cn/e/{link}/ " in body
    assert body.startswith(f"您反映的事项（编号 {case.code}）已答复，请评价：")


def test_after_the_period_closed_the_case_unevaluated_the_code_says_expired(
        city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.REPLIED)
    link, _ = codes(case)
    frozen.move_to(dt.datetime(2026, 3, 12, 9, 0, tzinfo=SH))
    assert services.close_unevaluated(case.pk) is True
    with pytest.raises(evaluation.Expired):
        evaluation.invite_by_link(link)


def test_the_codes_leave_the_outbox_once_the_sms_is_sent(city: City, frozen: Any) -> None:
    from fengqiao.notifications import sending

    case = case_in(city, State.REPLIED)
    link, sms_code = codes(case)
    frozen.shift(dt.timedelta(hours=1))
    assert sending.send_due().sent >= 1
    body = Outbox.objects.get(dedup_key=f"eval:{case.pk}:1:sms").body
    assert link not in body
    assert sms_code not in body
    assert "/e/********/" in body
    assert "验证码 ******" in body
    assert case.code in body  # the tracking code is not a secret: it stays
    assert evaluation.invite_by_link(link).case_id == case.pk  # the citizen's SMS still works


def test_redact_masks_codes_only() -> None:
    from fengqiao.notifications.sending import redact

    text = ("您反映的事项（编号 FQ260302-ABC123）已答复，请评价：https://x.cn/e/K7P2M9QX/ ，"
            "或输入验证码 042917。03月11日前有效。")
    assert redact(text) == ("您反映的事项（编号 FQ260302-ABC123）已答复，请评价：https://x.cn/e/********/ ，"
                            "或输入验证码 ******。03月11日前有效。")
