"""答复待审 through the real services and the web: a weak reply is held for the unit's reviewer (a leader of
that unit), who approves it (the citizen sees it) or sends it back (the handler replies again)."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases import selectors, services
from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from fengqiao.intelligence import reply_quality, reply_review
from fengqiao.intelligence.models import ReplyReview
from fengqiao.kit.errors import NotFound, PermissionDenied, ValidationFailed
from tests.cases.builders import case_in
from tests.factories import City
from tests.web.conftest import login

pytestmark = pytest.mark.django_db

WEAK = "您的留言已收悉，已转相关部门处理。"
GOOD = ("您好！您反映的小区3号楼电梯停运一周无人维修的问题已收悉。经现场调查核实，该电梯因主板故障停运。"
        "根据《特种设备安全法》和《物业管理条例》的规定，我局已责令物业公司限期维修，电梯已于6月3日修复并恢复运行。"
        "如有疑问，请联系区住建局物业科，电话0523-86000000。")


@pytest.fixture(autouse=True)
def _rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reply_quality, "load", lambda: None)
    monkeypatch.delenv("FENGQIAO_REPLY_QUALITY_THRESHOLD", raising=False)


def _reviewer(city: City, name: str = "leader_d1", unit: int = 0) -> User:
    user = User.objects.create_user(username=name, password="x", display_name=name, is_staff=True)
    Membership.objects.create(user=user, role=Role.LEADER, unit=city.departments[unit])
    return user


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_good_reply_goes_out_at_once_and_its_scores_are_kept(city: City) -> None:
    _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    review = reply_review.submit_reply(city.users["handler"], case.code, text=GOOD)
    case = _fresh(case)
    assert (case.state, case.reply) == (State.REPLIED, GOOD)
    assert (review.status, review.flagged, review.event.action) == ("sent", False, "reply")  # type: ignore[union-attr]
    assert (review.relevance, review.explanation) == (1.0, 0.978)


def test_a_weak_reply_is_held_then_approved_and_the_citizen_sees_it(city: City) -> None:
    reviewer = _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    seq = case.event_seq
    review = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    case = _fresh(case)
    assert (case.state, case.reply, review.status, review.flagged) == (State.ACCEPTED, "", "pending", True)
    held = case.events.get(seq=seq + 1)
    assert (held.action, held.audience, held.data["kind"], held.data["reply_review"]) == (
        "note", "internal", "reply_held", review.pk)
    assert "缺少法律政策依据或原因说明" in held.note
    assert list(reply_review.pending_reviews(reviewer)) == [review]

    review = reply_review.approve(reviewer, review.pk, note="情况属实，同意发送")
    case = _fresh(case)
    assert (case.state, case.reply) == (State.REPLIED, WEAK)
    event = case.events.get(seq=seq + 2)
    assert (event.action, event.audience, event.actor_id, event.actor_role, event.note) == (
        "reply", "parties", reviewer.pk, "leader", WEAK)
    assert (event.data["written_by"], event.data["reply_review"]) == (city.users["handler"].pk, review.pk)
    assert (review.status, review.reviewed_by_id, review.decision_event_id) == ("approved", reviewer.pk, event.pk)
    # the parties' timeline shows the reply and never the hold
    party_actions = [e.action for e in case.events.filter(audience="parties").order_by("seq")]
    assert party_actions[-1] == "reply"
    assert "note" not in party_actions
    assert list(reply_review.pending_reviews(reviewer)) == []
    services.evaluate(city.users["operator"], case.code, rating="satisfied")  # the loop goes on
    assert _fresh(case).state == State.CLOSED


def test_sent_back_with_a_note_then_the_handler_replies_again(city: City) -> None:
    reviewer = _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    review = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    with pytest.raises(ValidationFailed, match="请填写退回意见"):
        reply_review.send_back(reviewer, review.pk, note=" ")
    review = reply_review.send_back(reviewer, review.pk, note="请说明调查结果和处理依据")
    case = _fresh(case)
    back = case.events.order_by("-seq").first()
    assert back is not None
    assert (back.action, back.audience, back.note) == ("note", "internal", "答复退回修改：请说明调查结果和处理依据")
    assert (case.state, review.status, review.decision_note) == (State.ACCEPTED, "returned", "请说明调查结果和处理依据")
    again = reply_review.submit_reply(city.users["handler"], case.code, text=GOOD)
    assert (again.status, _fresh(case).state, _fresh(case).reply) == ("sent", State.REPLIED, GOOD)


def test_a_second_weak_reply_supersedes_the_pending_one(city: City) -> None:
    reviewer = _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    first = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    second = reply_review.submit_reply(city.users["handler"], case.code, text="您的来信已收悉，我们会尽快处理。")
    assert ReplyReview.objects.get(pk=first.pk).status == "superseded"
    assert list(reply_review.pending_reviews(reviewer)) == [second]


def test_without_a_reviewer_a_weak_reply_goes_out_flagged(city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    review = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    assert (review.status, review.flagged, _fresh(case).state) == ("sent", True, State.REPLIED)


def test_only_the_units_reviewer_decides(city: City) -> None:
    _reviewer(city)
    other_unit_leader = _reviewer(city, "leader_d2", unit=1)
    case = case_in(city, State.ACCEPTED)
    review = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    for name in ("handler", "leader", "dispatcher", "citizen"):
        with pytest.raises(PermissionDenied, match="只有本单位的审核人"):
            reply_review.approve(city.users[name], review.pk)
    with pytest.raises(NotFound):
        reply_review.approve(other_unit_leader, review.pk)
    with pytest.raises(PermissionDenied):
        reply_review.pending_reviews(city.users["handler"])
    assert (ReplyReview.objects.get(pk=review.pk).status, _fresh(case).state) == ("pending", State.ACCEPTED)


def test_a_decided_review_cannot_be_decided_twice(city: City) -> None:
    reviewer = _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    review = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    reply_review.approve(reviewer, review.pk)
    with pytest.raises(Exception, match="已审核通过，不能再次审核"):
        reply_review.send_back(reviewer, review.pk, note="再看看")


def test_reply_text_is_checked_before_anything_is_written(city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    with pytest.raises(ValidationFailed, match="请填写答复内容"):
        reply_review.submit_reply(city.users["handler"], case.code, text="  ")
    with pytest.raises(ValidationFailed, match="不能超过 5000 字（现有 5001 字）"):
        reply_review.submit_reply(city.users["handler"], case.code, text="电" * 5001)
    assert (ReplyReview.objects.count(), _fresh(case).event_seq) == (0, case.event_seq)


# ---------------------------------------------------------------- the web

def test_live_scores_under_the_reply_box(client: Client, city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    login(client, city, "handler")
    page = client.get(f"/cases/{case.code}/")
    assert f'hx-post="/cases/{case.code}/reply-score/"' in page.content.decode()
    r = client.post(f"/cases/{case.code}/reply-score/", {"reply-text": WEAK})
    body = r.content.decode()
    assert r.status_code == 200
    assert 'data-score="relevance"' in body
    assert "缺少法律政策依据或原因说明" in body
    assert "答复质量偏低，建议完善后再提交" in body  # no reviewer in this unit: nothing will be held
    _reviewer(city)
    held = client.post(f"/cases/{case.code}/reply-score/", {"reply-text": WEAK}).content.decode()
    assert "提交后将先由本单位审核人审核" in held
    good = client.post(f"/cases/{case.code}/reply-score/", {"reply-text": GOOD}).content.decode()
    assert "答复回应了诉求，要素齐全" in good


def test_scoring_endpoint_bad_input_and_permissions(client: Client, city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    login(client, city, "handler")
    empty = client.post(f"/cases/{case.code}/reply-score/", {"reply-text": ""})
    assert (empty.status_code, "请填写答复内容" in empty.content.decode()) == (400, True)
    long = client.post(f"/cases/{case.code}/reply-score/", {"reply-text": "电" * 5001})
    assert (long.status_code, "答复内容不能超过 5000 字（现有 5001 字）" in long.content.decode()) == (400, True)
    login(client, city, "grid_worker")
    assert client.post(f"/cases/{case.code}/reply-score/", {"reply-text": GOOD}).status_code == 403
    login(client, city, "handler2")  # an assisting unit sees the case but does not reply
    assert client.post(f"/cases/{case.code}/reply-score/", {"reply-text": GOOD}).status_code == 403
    login(client, city, "other_grid_worker")  # out of reach
    assert client.post(f"/cases/{case.code}/reply-score/", {"reply-text": GOOD}).status_code == 404


def test_the_queue_and_its_decisions_over_http(client: Client, city: City) -> None:
    reviewer = _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    login(client, city, "handler")
    r = client.post(f"/cases/{case.code}/act/reply/", {"reply-text": WEAK, "reply-expected_version": case.version},
                    follow=True)
    assert "答复质量偏低，已提交本单位审核人审核" in r.content.decode()
    review = ReplyReview.objects.get(case=case, status="pending")
    assert client.get("/reply-reviews/").status_code == 403
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    queue = client.get("/reply-reviews/").content.decode()
    assert '<a href="/reply-reviews/" aria-current="page">答复待审 (1)</a>' in queue
    assert case.code in queue
    assert WEAK in queue
    assert "缺少法律政策依据或原因说明" in queue
    bad = client.post(f"/reply-reviews/{review.pk}/decide/", {"decision": "return", "note": ""})
    assert (bad.status_code, "请填写退回意见" in bad.content.decode()) == (400, True)
    ok = client.post(f"/reply-reviews/{review.pk}/decide/", {"decision": "approve"})
    assert (ok.status_code, ok["Location"]) == (302, "/reply-reviews/")
    assert _fresh(case).state == State.REPLIED
    again = client.post(f"/reply-reviews/{review.pk}/decide/", {"decision": "approve"})
    assert again.status_code == 409
    citizen_view = [e.action for e in selectors.timeline(city.users["operator"], _fresh(case))]
    assert citizen_view[-1] == "reply"


def test_the_json_api_reply_goes_through_the_same_hold(city: City) -> None:
    from tests.api.test_cases_api import LIST, client_for, post

    _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    response = post(client_for(city, "handler"), f"{LIST}/{case.code}/actions", {"action": "reply", "text": WEAK})
    assert (response.status_code, response.json()["status"]) == (200, "accepted")
    assert ReplyReview.objects.get(case=case).status == "pending"


def test_a_held_reply_whose_case_was_redispatched_leaves_the_queue(city: City) -> None:
    reviewer = _reviewer(city)
    case = case_in(city, State.ACCEPTED)
    review = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[1].pk)
    assert list(reply_review.pending_reviews(reviewer)) == []
    with pytest.raises(Exception, match="案件已不在本单位办理中"):
        reply_review.approve(reviewer, review.pk)
    assert _fresh(case).reply == ""


def test_the_hold_can_be_switched_off(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    _reviewer(city)
    monkeypatch.setenv("FENGQIAO_REPLY_QUALITY_HOLD", "0")
    case = case_in(city, State.ACCEPTED)
    review = reply_review.submit_reply(city.users["handler"], case.code, text=WEAK)
    assert (review.status, review.flagged, _fresh(case).state) == ("sent", True, State.REPLIED)
