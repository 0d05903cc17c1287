"""Documents kept without their PDF (the demo's history: agreements and rulings written straight to the
tables) are made on their first opening, by the staff's document view and the citizen app's alike: the
row gets its file and SHA-256 once, and the mediation's page then shows the hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from fengqiao.audit.models import PersonalDataView
from fengqiao.mediation import pdf
from fengqiao.mediation.models import Agreement, Confirmation
from fengqiao.mediation.services import confirmation
from tests.factories import build_city
from tests.mediation import steps
from tests.mediation.factories import APPLICANT_PHONE, World, build_world
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    cache.clear()  # the citizen app's rate limits
    yield
    cache.clear()


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(steps.MONDAY, tick=False) as moving:
        yield moving


@pytest.fixture
def world(db: None) -> World:
    return build_world(build_city())


def staff(world: World, username: str = "mediator_a") -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def without_pdf(model: type[Agreement] | type[Confirmation], pk: int) -> None:
    """The row as the demo writes it: no file, no hash."""
    model.objects.filter(pk=pk).update(pdf="", sha256="")


def served(response: Any) -> bytes:
    assert response.status_code == 200, response.content[:300] if hasattr(response, "content") else ""
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    return body


def holds(row: Agreement | Confirmation, body: bytes) -> None:
    """The row now holds the PDF that was served, with its hash."""
    row.refresh_from_db()
    assert row.pdf.read() == body
    assert row.sha256 == hashlib.sha256(body).hexdigest()
    row.pdf.close()


def test_the_staff_view_makes_a_missing_agreement_pdf_and_the_page_then_shows_its_hash(
        world: World, traveller: Any) -> None:
    mediation, agreement = steps.agreed(world, traveller)
    without_pdf(Agreement, agreement.pk)
    client = staff(world)
    assert "SHA-256" not in client.get(f"/mediation/{mediation.code}/").content.decode()
    body = served(client.get(f"/mediation/{mediation.code}/documents/agreement.pdf"))
    holds(agreement, body)
    assert f"SHA-256 {agreement.sha256[:16]}" in client.get(f"/mediation/{mediation.code}/").content.decode()
    assert PersonalDataView.objects.filter(subject=f"mediation:{mediation.code}:agreement.pdf").count() == 1
    name = agreement.pdf.name
    served(client.get(f"/mediation/{mediation.code}/documents/agreement.pdf"))  # made once, then served
    agreement.refresh_from_db()
    assert agreement.pdf.name == name


def test_the_portal_view_makes_a_missing_agreement_pdf(world: World, traveller: Any) -> None:
    mediation, agreement = steps.agreed(world, traveller)
    without_pdf(Agreement, agreement.pk)
    client = sign_in(Client(), APPLICANT_PHONE)
    assert f"/portal/track/{mediation.code}/agreement.pdf" in client.get(
        f"/portal/track/{mediation.code}/").content.decode()
    body = served(client.get(f"/portal/track/{mediation.code}/agreement.pdf"))
    holds(agreement, body)


def test_a_missing_ruling_pdf_is_made_for_the_staff_and_the_parties(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    confirmation.apply_confirmation(world.users["mediator_a"], mediation.code, court_id=world.court.pk, joint=True)
    # not ruled yet: there is no ruling to make
    assert staff(world, "judge_a").get(f"/mediation/{mediation.code}/documents/ruling.pdf").status_code == 404
    ruled = confirmation.confirm(world.users["judge_a"], mediation.code)
    without_pdf(Confirmation, ruled.pk)
    body = served(staff(world, "judge_a").get(f"/mediation/{mediation.code}/documents/ruling.pdf"))
    holds(ruled, body)

    without_pdf(Confirmation, ruled.pk)
    client = sign_in(Client(), APPLICANT_PHONE)
    assert f"/portal/track/{mediation.code}/ruling.pdf" in client.get(
        f"/portal/track/{mediation.code}/").content.decode()
    body = served(client.get(f"/portal/track/{mediation.code}/ruling.pdf"))
    holds(ruled, body)


def test_ensure_leaves_a_stored_pdf_alone_and_makes_no_ruling_before_the_court_rules(
        world: World, traveller: Any) -> None:
    mediation, agreement = steps.agreed(world, traveller)
    before = (agreement.pdf.name, agreement.sha256)
    again = pdf.ensure_agreement_pdf(Agreement.objects.get(pk=agreement.pk))
    assert (again.pdf.name, again.sha256) == before
    confirmation.apply_confirmation(world.users["mediator_a"], mediation.code, court_id=world.court.pk, joint=True)
    pending = Confirmation.objects.get(mediation=mediation)
    assert pdf.ensure_ruling_pdf(pending) is None
    pending.refresh_from_db()
    assert (bool(pending.pdf), pending.sha256) == (False, "")
