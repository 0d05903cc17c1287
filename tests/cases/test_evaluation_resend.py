"""重发评价短信: an operator or dispatcher resends the evaluation SMS of a replied case — a fresh invitation
for the same round replaces the live one (its codes stop working, its unsent SMS is withdrawn), at most three
times a round, each a chained internal event; every refusal changes nothing."""

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
from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.cases.services import evaluation
from fengqiao.cases.states import IllegalTransition, State
from fengqiao.kit.errors import Conflict, DomainError, PermissionDenied
from fengqiao.notifications.models import Outbox
from tests.cases.builders import case_in, snapshot
from tests.cases.test_evaluation import _reply_again, codes
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def resent_codes(case: Case, resend: int, round_: int = 1) -> tuple[str, str]:
    """The codes of the n-th resent SMS of a round (read from its outbox row, like :func:`codes`)."""
    body = Outbox.objects.get(dedup_key=evaluation.sms_key(case.pk, round_, resend)).body
    link, digits = re.search(r"/e/([A-Z0-9]{8})/", body), re.search(r"验证码 (\d{6})", body)
    assert link, body
    assert digits, body
    return link.group(1), digits.group(1)


def everything(case: Case) -> dict[str, Any]:
    """'Nothing changed' for a resend: the case, its events, invitations and outbox rows."""
    return {**snapshot(case),
            "invites": list(EvaluationInvite.objects.filter(case=case).order_by("pk").values()),
            "outbox": list(Outbox.objects.filter(case=case).order_by("pk").values())}


def test_a_resend_replaces_the_codes_and_records_a_chained_event(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    old_link, old_sms = codes(case)
    first = EvaluationInvite.objects.get(case=case)
    version = case.version
    resent = services.resend_evaluation(city.users["operator"], case.code, expected_version=version)
    assert (resent.round, resent.resend, resent.left) == (1, 1, 2)
    case.refresh_from_db()
    assert (case.status, case.version) == (State.REPLIED, version + 1)
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None
    new = EvaluationInvite.objects.get(case=case, replaced_at__isnull=True)
    assert (event.action, event.from_state, event.to_state, event.actor_id, event.actor_role, event.audience) == (
        "resend_evaluation", "replied", "replied", city.users["operator"].pk, "operator", "internal")
    assert event.data == {"round": 1, "resend": 1, "limit": 3, "replaced": 1, "invite": new.pk}
    first.refresh_from_db()
    assert first.replaced_at == MONDAY
    assert (new.round, new.expires_at, new.used_at) == (1, first.expires_at, None)  # same round, same deadline
    link, sms = resent_codes(case, 1)
    assert (link, sms) != (old_link, old_sms)
    assert old_link not in event.note + str(event.data)
    # the old codes say they were replaced; the new ones open the invitation
    for attempt in (lambda: evaluation.invite_by_link(old_link), lambda: evaluation.invite_by_sms(case.code, old_sms),
                    lambda: evaluation.invite_by_id(first.pk),  # a browser session opened with the old code
                    lambda: evaluation.evaluate_by_invite(first.pk, rating="satisfied")):
        with pytest.raises(evaluation.Replaced) as caught:
            attempt()
        assert caught.value.status == 410
        assert caught.value.message == "该评价码已失效：评价短信已重新发送，请使用最新一条短信中的链接或验证码。"
    assert evaluation.invite_by_sms(case.code, sms).pk == new.pk
    evaluation.evaluate_by_invite(evaluation.invite_by_link(link).pk, rating="satisfied", via="link")
    case.refresh_from_db()
    assert case.status == State.CLOSED
    assert verify.verify().ok


def test_the_unsent_sms_is_withdrawn_with_its_codes_masked(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    old_link, old_sms = codes(case)
    services.resend_evaluation(city.users["dispatcher"], case.code)
    old = Outbox.objects.get(dedup_key=evaluation.sms_key(case.pk, 1))
    assert (old.status, old.last_error) == ("cancelled", "withdrawn: the evaluation SMS was resent")
    assert old_link not in old.body
    assert old_sms not in old.body
    new = Outbox.objects.get(dedup_key=evaluation.sms_key(case.pk, 1, 1))
    assert (new.status, new.kind, new.channel, new.recipient_id, new.case_id) == (
        "queued", "evaluation", "sms", None, case.pk)
    assert new.body.startswith(f"您反映的事项（编号 {case.code}）已答复，请评价：")
    assert "13812345678" not in new.body


def test_an_sms_already_sent_stays_sent(city: City, frozen: time_machine.Coordinates) -> None:
    from fengqiao.notifications import sending

    case = case_in(city, State.REPLIED)
    frozen.shift(dt.timedelta(hours=1))
    assert sending.send_due().sent >= 1
    services.resend_evaluation(city.users["operator"], case.code)
    assert Outbox.objects.get(dedup_key=evaluation.sms_key(case.pk, 1)).status == "sent"
    assert Outbox.objects.get(dedup_key=evaluation.sms_key(case.pk, 1, 1)).status == "queued"


def test_at_most_three_resends_a_round(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    for n in (1, 2, 3):
        assert services.resend_evaluation(city.users["operator"], case.code).left == 3 - n
    link, _ = resent_codes(case, 3)
    before = everything(case)
    with pytest.raises(Conflict) as caught:
        services.resend_evaluation(city.users["dispatcher"], case.code)
    assert caught.value.message == "本轮评价短信已重发 3 次，不能再重发，请电话回访。"
    assert caught.value.fields == {"resend": "每轮最多重发 3 次"}
    assert everything(case) == before
    assert evaluation.invite_by_link(link).round == 1  # the last SMS still works
    assert EvaluationInvite.objects.filter(case=case).count() == 4
    assert EvaluationInvite.objects.filter(case=case, replaced_at__isnull=True).count() == 1


def test_a_new_round_may_resend_again(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    for _ in range(3):
        services.resend_evaluation(city.users["operator"], case.code)
    invite = evaluation.invite_by_link(resent_codes(case, 3)[0])
    evaluation.evaluate_by_invite(invite.pk, rating="unsatisfied", comment="噪声仍然存在")
    case = _reply_again(city, Case.objects.get(pk=case.pk), lead=0)
    replied_link, _ = codes(case, 2)
    resent = services.resend_evaluation(city.users["operator"], case.code)
    assert (resent.round, resent.resend, resent.left) == (2, 1, 2)
    link, _ = resent_codes(case, 1, round_=2)
    assert evaluation.invite_by_link(link).round == 2
    with pytest.raises(evaluation.Replaced):
        evaluation.invite_by_link(replied_link)


REFUSED_STATES = [State.REGISTERED, State.DISPATCHED, State.ACCEPTED, State.REOPENED, State.CLOSED,
                  State.CANCELLED]


@pytest.mark.parametrize("target", REFUSED_STATES)
def test_only_a_replied_case_can_resend(city: City, frozen: Any, target: State) -> None:
    case = case_in(city, target)
    before = everything(case)
    with pytest.raises(IllegalTransition) as caught:
        services.resend_evaluation(city.users["operator"], case.code)
    assert caught.value.status == 409
    assert "不能执行「重发评价短信」" in caught.value.message
    assert everything(case) == before


@pytest.mark.parametrize("role", ["handler", "grid_worker", "leader", "citizen", "admin"])
def test_other_roles_may_not_resend(city: City, frozen: Any, role: str) -> None:
    case = case_in(city, State.REPLIED, by="citizen")
    before = everything(case)
    with pytest.raises(PermissionDenied) as caught:
        services.resend_evaluation(city.users[role], case.code)
    assert caught.value.message == "您的角色无权执行「重发评价短信」。"
    assert everything(case) == before


def test_no_phone_no_resend(city: City, frozen: Any) -> None:
    case = case_in(city, State.REPLIED)
    Party.objects.filter(case=case).update(phone="", phone_hash="")  # e.g. reported by a walk-in without one
    before = everything(case)
    with pytest.raises(Conflict) as caught:
        services.resend_evaluation(city.users["operator"], case.code)
    assert caught.value.message == "该案件没有反映人的手机号码，无法发送评价短信，请电话回访。"
    assert everything(case) == before


def test_after_the_evaluation_period_no_resend(city: City, frozen: time_machine.Coordinates) -> None:
    case = case_in(city, State.REPLIED)
    frozen.move_to(dt.datetime(2026, 3, 12, 0, 0, 1, tzinfo=SH))  # a second after the evaluation deadline
    before = everything(case)
    with pytest.raises(evaluation.Expired) as caught:
        services.resend_evaluation(city.users["operator"], case.code)
    assert caught.value.status == 410
    assert caught.value.message == "评价期已结束，不能再重发评价短信；案件将按逾期未评价结案。"
    assert everything(case) == before


@pytest.mark.parametrize(("who", "code", "version", "error"), [
    ("operator", "FQ000000-XXXXXX", None, "not_found"),
    ("other_grid_worker", None, None, "not_found"),  # outside her grid: the case is not there for her
    ("operator", None, 0, "conflict"),  # a stale version
])
def test_unknown_unreachable_or_stale(city: City, frozen: Any, who: str, code: str | None, version: int | None,
                                      error: str) -> None:
    case = case_in(city, State.REPLIED)
    before = everything(case)
    with pytest.raises(DomainError) as caught:
        services.resend_evaluation(city.users[who], code or case.code, expected_version=version)
    assert caught.value.code == error
    assert everything(case) == before


def test_the_case_page_timeline_says_which_resend(city: City, frozen: Any) -> None:
    from fengqiao.web import presenters

    case = case_in(city, State.REPLIED)
    services.resend_evaluation(city.users["operator"], case.code)
    event = CaseEvent.objects.filter(case=case, action="resend_evaluation").get()
    assert presenters.action_label(event.action) == "重发评价短信"
    assert presenters.event_details(event) == ["本轮第 1 次重发，原链接和验证码已失效"]
