"""A verified citizen's actions in the app: choose a mediator (refusals shown, nothing changed), upload
evidence (a file that is not what its name says, or too large: a clear message, nothing stored), rate,
withdraw."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fengqiao.cases.models import Attachment, Case, CaseEvent
from fengqiao.cases.states import State
from fengqiao.kit import pii
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import Mediation, Mediator, MediatorTie, Session, SessionStatus
from fengqiao.mediation.services import citizen as actions
from fengqiao.mediation.states import MState
from fengqiao.notifications.models import Outbox
from tests.mediation import steps
from tests.mediation.factories import RESPONDENT_PHONE, World, applied, citizen
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def events(mediation: Mediation) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=mediation.case_id).order_by("seq").values_list("action", flat=True))


# --- choosing a mediator ---------------------------------------------------------------------------------


def test_the_applicant_sees_suggestions_and_chooses(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = sign_in(Client())
    page = client.get(f"/portal/track/{mediation.code}/mediators/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "为您推荐" in html
    assert "王秀英" in html
    assert "李建国" in html
    response = client.post(f"/portal/track/{mediation.code}/mediators/",
                           {"mediator": world.mediators[1].pk, "version": mediation.version})
    assert response["Location"] == f"/portal/track/{mediation.code}/"
    mediation.refresh_from_db()
    assert (mediation.mediator, mediation.chosen_by) == (world.mediators[1], "citizen")
    assert "已选定调解员李建国" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("setup", "message"), [
    ("away", "暂不接受新的调解"),
    ("full", "已满额"),
    ("tied", "依法应当回避"),
])
def test_a_refused_mediator_is_explained_and_nothing_changes(world: World, traveller: Any, setup: str,
                                                             message: str) -> None:
    mediation = applied(world)
    mediator = world.mediators[0]
    if setup == "away":
        Mediator.objects.filter(pk=mediator.pk).update(unavailable_until=dt.date(2026, 3, 20))
    elif setup == "full":
        Mediator.objects.filter(pk=mediator.pk).update(max_load=0)
    else:
        MediatorTie.objects.create(mediator=mediator, relation="被申请人的表兄",
                                   phone_hash=pii.lookup_hash("phone", RESPONDENT_PHONE))
    before = Mediation.objects.values().get(pk=mediation.pk)
    client = sign_in(Client())
    response = client.post(f"/portal/track/{mediation.code}/mediators/",
                           {"mediator": mediator.pk, "version": mediation.version})
    assert response.status_code == 409
    assert message in response.content.decode()
    assert "未能选择" in response.content.decode()
    assert Mediation.objects.values().get(pk=mediation.pk) == before
    assert "m_choose" not in events(mediation)


def test_the_respondent_does_not_choose(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = sign_in(Client(), RESPONDENT_PHONE)
    assert "调解员由申请人选择" in client.get(f"/portal/track/{mediation.code}/mediators/").content.decode()
    response = client.post(f"/portal/track/{mediation.code}/mediators/", {"mediator": world.mediators[1].pk})
    assert response.status_code == 403
    assert Mediation.objects.get(pk=mediation.pk).mediator_id is None


def test_choosing_after_acceptance_is_refused(world: World, traveller: Any) -> None:
    mediation = steps.accepted(world)
    client = sign_in(Client())
    assert "调解已受理" in client.get(f"/portal/track/{mediation.code}/mediators/").content.decode()
    response = client.post(f"/portal/track/{mediation.code}/mediators/", {"mediator": world.mediators[1].pk})
    assert response.status_code == 409
    assert Mediation.objects.get(pk=mediation.pk).mediator_id == mediation.mediator_id


def test_actions_need_verification_and_a_party(world: World, traveller: Any) -> None:
    mediation = applied(world)
    response = Client().get(f"/portal/track/{mediation.code}/evidence/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/verify/?next=")
    stranger = sign_in(Client(), "13600001234")
    assert stranger.get(f"/portal/track/{mediation.code}/evidence/").status_code == 404
    assert stranger.post(f"/portal/track/{mediation.code}/withdraw/").status_code == 404
    assert Mediation.objects.get(pk=mediation.pk).status == MState.APPLIED


# --- evidence ----------------------------------------------------------------------------------------------


def test_evidence_is_kept_on_the_case_with_one_event(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = sign_in(Client(), RESPONDENT_PHONE)  # either party may add evidence
    response = client.post(f"/portal/track/{mediation.code}/evidence/", {
        "files": [SimpleUploadedFile("借条.png", PNG), SimpleUploadedFile("录音.pdf", b"%PDF-1.4\n%...")],
        "note": "借条原件照片"})
    assert response.status_code == 302
    kept = Attachment.objects.filter(case=mediation.case).order_by("pk")
    assert [(a.name, a.content_type, a.uploaded_by) for a in kept] == [
        ("借条.png", "image/png", None), ("录音.pdf", "application/pdf", None)]
    event = CaseEvent.objects.get(case=mediation.case, action="m_evidence")
    assert (event.note, event.data["files"], event.data["by"]) == ("借条原件照片", 2, "party")
    page = client.get(f"/portal/track/{mediation.code}/evidence/").content.decode()
    assert "借条.png" in page
    download = client.get(f"/portal/track/{mediation.code}/files/{kept[0].pk}/")
    assert b"".join(download.streaming_content) == PNG  # type: ignore[attr-defined]


def test_a_file_that_is_not_what_its_name_says_is_refused(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = sign_in(Client())
    response = client.post(f"/portal/track/{mediation.code}/evidence/", {
        "files": [SimpleUploadedFile("照片.png", PNG), SimpleUploadedFile("照片2.jpg", b"MZ\x90\x00 not a jpeg")]})
    assert response.status_code == 400
    assert "附件「照片2.jpg」的内容（application/x-msdownload）与扩展名 .jpg 不符。" in response.content.decode()
    assert Attachment.objects.count() == 0  # not even the good one
    assert "m_evidence" not in events(mediation)


def test_a_file_too_large_is_refused(world: World, traveller: Any, settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    mediation = applied(world)
    client = sign_in(Client())
    response = client.post(f"/portal/track/{mediation.code}/evidence/",
                           {"files": [SimpleUploadedFile("大图.png", PNG + b"\x00" * 2000)]})
    assert response.status_code == 400
    assert "超过上限 1.0 KB" in response.content.decode()
    assert Attachment.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not any(p.name.endswith("大图.png") for p in media.rglob("*")) if media.exists() else True


def test_evidence_after_the_end_is_refused(world: World, traveller: Any) -> None:
    mediation = applied(world)
    actions.withdraw(citizen(), mediation.code)
    with pytest.raises(Conflict):
        actions.add_evidence(citizen(), mediation.code, [SimpleUploadedFile("a.png", PNG)])
    assert Attachment.objects.count() == 0


# --- withdrawing ---------------------------------------------------------------------------------------------


def test_the_applicant_withdraws_and_the_case_is_answered(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = sign_in(Client())
    assert "撤回后" in client.get(f"/portal/track/{mediation.code}/withdraw/").content.decode()
    response = client.post(f"/portal/track/{mediation.code}/withdraw/",
                           {"reason": "双方已自行和解", "version": mediation.version})
    assert response.status_code == 302
    mediation.refresh_from_db()
    assert (mediation.status, mediation.outcome_note) == (MState.WITHDRAWN, "双方已自行和解")
    assert events(mediation)[-3:] == ["m_withdraw", "accept", "reply"]
    assert Case.objects.get(pk=mediation.case_id).status == State.REPLIED


def test_withdrawing_cancels_the_pending_session_and_tells_the_mediator(world: World, traveller: Any) -> None:
    mediation, session = steps.scheduled(world, traveller)
    assert session.status == SessionStatus.SCHEDULED
    actions.withdraw(citizen(), mediation.code, reason="双方已自行和解")
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == (SessionStatus.CANCELLED, "申请人撤回调解申请")
    assert not Session.objects.filter(mediation=mediation, status=SessionStatus.SCHEDULED).exists()
    told = Outbox.objects.get(case_id=mediation.case_id, channel="in_app", recipient=world.users["mediator_a"],
                              subject="申请人撤回了调解申请")
    assert "原定 2026-03-03 10:00 在城东街道调解室的调解已取消" in told.body
    assert "双方已自行和解" in told.body
    sms = Outbox.objects.get(case_id=mediation.case_id, channel="sms", subject="调解终止通知")
    assert sms.to_address == RESPONDENT_PHONE  # the other side, told of the session, is told it is off
    assert "对方当事人已撤回调解申请" in sms.body


def test_only_the_applicant_withdraws_and_only_before_an_agreement(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    with pytest.raises(PermissionDenied):
        actions.withdraw(citizen(RESPONDENT_PHONE), mediation.code)
    client = sign_in(Client())
    response = client.post(f"/portal/track/{mediation.code}/withdraw/", {"reason": ""})
    assert response.status_code == 409
    assert "不能「撤回申请」" in response.content.decode()
    assert Mediation.objects.get(pk=mediation.pk).status == MState.AGREED


# --- rating ---------------------------------------------------------------------------------------------------


def test_rating_once_the_mediation_has_an_outcome(world: World, traveller: Any) -> None:
    mediation = applied(world)
    with pytest.raises(Conflict):
        actions.rate(citizen(), mediation.code, stars=5)
    mediation, _agreement = steps.agreed(world, traveller)
    mediator = mediation.mediator
    assert mediator is not None
    client = sign_in(Client())
    response = client.post(f"/portal/track/{mediation.code}/rate/",
                           {"which": "stars", "stars": "5", "comment": "调解员很耐心", "version": mediation.version})
    assert response.status_code == 302
    mediation.refresh_from_db()
    assert (mediation.rating, mediation.rating_comment) == (5, "调解员很耐心")
    mediator.refresh_from_db()
    assert (mediator.rating_sum, mediator.rating_count) == (5, 1)
    assert CaseEvent.objects.filter(case=mediation.case, action="m_rate").count() == 1
    again = client.post(f"/portal/track/{mediation.code}/rate/", {"which": "stars", "stars": "1", "comment": "差"})
    assert again.status_code == 409
    mediator.refresh_from_db()
    assert (mediator.rating_sum, mediator.rating_count) == (5, 1)


def test_a_low_rating_needs_a_reason_and_stars_must_be_one_to_five(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    with pytest.raises(ValidationFailed) as raised:
        actions.rate(citizen(), mediation.code, stars="2")
    assert "comment" in raised.value.fields
    with pytest.raises(ValidationFailed) as raised:
        actions.rate(citizen(), mediation.code, stars="6")
    assert "stars" in raised.value.fields
    with pytest.raises(PermissionDenied):
        actions.rate(citizen(RESPONDENT_PHONE), mediation.code, stars=4)
    assert Mediation.objects.get(pk=mediation.pk).rating is None


def test_the_case_evaluation_from_the_app(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)  # the agreement answered the case
    assert Case.objects.get(pk=mediation.case_id).status == State.REPLIED
    client = sign_in(Client())
    page = client.get(f"/portal/track/{mediation.code}/rate/").content.decode()
    assert "办理结果满意度" in page
    refused = client.post(f"/portal/track/{mediation.code}/rate/", {"which": "case", "rating": "unsatisfied"})
    assert refused.status_code == 400
    assert Case.objects.get(pk=mediation.case_id).status == State.REPLIED
    done = client.post(f"/portal/track/{mediation.code}/rate/", {"which": "case", "rating": "satisfied"})
    assert done.status_code == 302
    case = Case.objects.get(pk=mediation.case_id)
    assert (case.status, case.satisfaction) == (State.CLOSED, "satisfied")


def test_a_tied_mediator_is_marked_in_the_pool(world: World, traveller: Any) -> None:
    mediation = applied(world)
    MediatorTie.objects.create(mediator=world.mediators[0], relation="同事",
                               phone_hash=pii.lookup_hash("phone", RESPONDENT_PHONE))
    html = sign_in(Client()).get(f"/portal/track/{mediation.code}/mediators/").content.decode()
    assert html.count("与当事人有利害关系，须回避") == 1
    assert "同事" not in html  # the relation itself is not shown before anyone tries
