"""The workbench, a mediation's page, its forms and documents, and the judges' queue, over HTTP: scoped
to the reader (another unit's mediator and a citizen account get 404), refusals shown at the field with a
4xx, documents served inline and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from fengqiao.audit.models import PersonalDataView
from fengqiao.mediation.models import SessionStatus
from fengqiao.mediation.services import confirmation
from fengqiao.mediation.states import MState
from tests.factories import build_city
from tests.mediation import steps
from tests.mediation.factories import applied, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(steps.MONDAY, tick=False) as moving:
        yield moving


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(response: Any) -> str:
    return response.content.decode()


def test_the_workbench_lists_the_units_mediations_with_masked_parties(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = applied(world)
    response = client_for(world.users["mediator_a"]).get("/mediation/")
    assert response.status_code == 200
    html = page(response)
    assert mediation.code in html
    assert "张* 诉 李*" in html
    assert "张三" not in html
    other = client_for(world.city.users["mediator"]).get("/mediation/")
    assert mediation.code not in page(other)
    active = client_for(world.users["mediator_a"]).get("/mediation/?tab=active")
    assert mediation.code not in page(active)


def test_scope_another_units_mediator_and_a_citizen_account_get_404(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = applied(world)
    url = f"/mediation/{mediation.code}/"
    assert client_for(world.users["mediator_a"]).get(url).status_code == 200
    assert client_for(world.city.users["mediator"]).get(url).status_code == 404
    assert client_for(world.city.users["citizen"]).get(url).status_code == 404
    assert client_for(world.city.users["leader"]).get(url).status_code == 200  # the city's leader
    posted = client_for(world.city.users["mediator"]).post(f"/mediation/{mediation.code}/act/accept/",
                                                             {"accept-expected_version": "0"})
    assert posted.status_code == 404
    assert steps.fresh(mediation).status == MState.APPLIED


def test_accept_and_schedule_through_the_page(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = applied(world)
    client = client_for(world.users["mediator_a"])
    html = page(client.get(f"/mediation/{mediation.code}/"))
    assert 'data-action="accept"' in html
    assert 'data-action="decline"' in html
    assert 'data-action="schedule"' not in html  # not before acceptance
    response = client.post(f"/mediation/{mediation.code}/act/accept/", {"accept-expected_version": "0"})
    assert response.status_code == 302
    assert response["Location"] == f"/mediation/{mediation.code}/"
    html = page(client.get(f"/mediation/{mediation.code}/"))
    assert 'data-action="schedule"' in html
    assert 'data-action="accept"' not in html
    response = client.post(f"/mediation/{mediation.code}/act/schedule/", {
        "schedule-expected_version": "1", "schedule-place": "城东街道调解室",
        "schedule-starts_at": "2026-03-03T09:30", "schedule-minutes": "60"})
    assert response.status_code == 302
    session = mediation.sessions.get()
    assert (session.starts_at, session.minutes) == (dt.datetime(2026, 3, 3, 9, 30, tzinfo=steps.SH), 60)


def test_bad_input_is_shown_at_the_field_with_a_400_and_nothing_changes(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = steps.accepted(world)
    client = client_for(world.users["mediator_a"])
    response = client.post(f"/mediation/{mediation.code}/act/schedule/", {
        "schedule-expected_version": str(steps.fresh(mediation).version), "schedule-place": "调解室",
        "schedule-starts_at": "2026-03-01T09:00", "schedule-minutes": "90"})
    assert response.status_code == 400
    html = page(response)
    assert 'id="id_schedule-starts_at_error"' in html
    assert "调解时间须晚于现在" in html
    assert not mediation.sessions.exists()
    stale = client.post(f"/mediation/{mediation.code}/act/decline/", {
        "decline-expected_version": "0", "decline-reason": "不属于调解范围"})
    assert stale.status_code == 409
    assert "新的进展" in page(stale)
    unknown = client.post(f"/mediation/{mediation.code}/act/explode/", {})
    assert unknown.status_code == 404
    assert steps.fresh(mediation).status == MState.ACCEPTED


def test_record_is_offered_once_the_session_time_has_come(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, session = steps.scheduled(world, traveller)
    client = client_for(world.users["mediator_a"])
    url = f"/mediation/{mediation.code}/"
    assert 'data-action="record"' not in page(client.get(url))
    traveller.move_to(session.starts_at + dt.timedelta(minutes=100))
    client = client_for(world.users["mediator_a"])  # a day later: a fresh login (sessions time out)
    assert 'data-action="record"' in page(client.get(url))
    response = client.post(f"{url}act/record/", {
        "record-expected_version": str(steps.fresh(mediation).version), "record-session": str(session.seq),
        "record-attendees": "张三、李四", "record-record": steps.RECORD})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD


def test_the_agreement_pdf_is_served_inline_and_audited(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = steps.agreed(world, traveller)
    url = f"/mediation/{mediation.code}/documents/agreement.pdf"
    response = client_for(world.users["mediator_b"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the review page frames it
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    seen = PersonalDataView.objects.get()
    assert (seen.user, seen.subject) == (world.users["mediator_b"], f"mediation:{mediation.code}:agreement.pdf")
    assert client_for(world.city.users["mediator"]).get(url).status_code == 404
    assert client_for(world.users["mediator_b"]).get(
        f"/mediation/{mediation.code}/documents/ruling.pdf").status_code == 404
    assert PersonalDataView.objects.count() == 1


def test_the_judge_reviews_and_confirms_from_her_queue(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = steps.agreed(world, traveller)
    confirmation.apply_confirmation(world.users["mediator_a"], mediation.code, court_id=world.court.pk, joint=True)
    judge = client_for(world.users["judge_a"])
    queue = page(judge.get("/mediation/confirmations/"))
    assert mediation.code in queue
    assert client_for(world.users["mediator_a"]).get("/mediation/confirmations/").status_code == 403
    review = page(judge.get(f"/mediation/confirmations/{mediation.code}/"))
    assert f'src="/mediation/{mediation.code}/documents/agreement.pdf"' in review
    assert 'data-action="confirm"' in review
    assert 'data-action="refuse_confirmation"' in review
    assert 'data-action="schedule"' not in review
    version = str(steps.fresh(mediation).version)
    refused = judge.post(f"/mediation/confirmations/{mediation.code}/", {
        "action": "refuse_confirmation", "refuse_confirmation-expected_version": version,
        "refuse_confirmation-reason": ""})
    assert refused.status_code == 400
    assert 'id="id_refuse_confirmation-reason_error"' in page(refused)
    done = judge.post(f"/mediation/confirmations/{mediation.code}/", {
        "action": "confirm", "confirm-expected_version": version, "confirm-note": ""})
    assert done.status_code == 302
    assert steps.fresh(mediation).status == MState.CONFIRMED
    ruling = judge.get(f"/mediation/{mediation.code}/documents/ruling.pdf")
    assert ruling.status_code == 200
    assert mediation.code not in page(judge.get("/mediation/confirmations/"))
    assert mediation.code in page(judge.get("/mediation/confirmations/?tab=ruled"))


def test_the_mediator_cannot_rule_through_the_page(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, _agreement = steps.agreed(world, traveller)
    confirmation.apply_confirmation(world.users["mediator_a"], mediation.code, court_id=world.court.pk, joint=True)
    client = client_for(world.users["mediator_a"])
    assert 'data-action="confirm"' not in page(client.get(f"/mediation/{mediation.code}/"))
    response = client.post(f"/mediation/{mediation.code}/act/confirm/", {
        "confirm-expected_version": str(steps.fresh(mediation).version)})
    assert response.status_code == 403
    assert steps.fresh(mediation).status == MState.CONFIRMING


def test_the_case_page_links_to_its_mediation(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = steps.accepted(world)
    html = page(client_for(world.users["mediator_a"]).get(f"/cases/{mediation.case.code}/"))
    assert f'href="/mediation/{mediation.code}/"' in html
