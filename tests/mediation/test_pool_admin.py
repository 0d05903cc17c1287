"""The administrators' screens for mediation: kinds validated, mediators' phone and ID typed in plain and
kept encrypted with hashes (shown masked), declared ties hashed, the schedule edited in the list,
mediations read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from fengqiao.kit import pii
from fengqiao.mediation import conflicts
from fengqiao.mediation.models import MediationKind, Mediator, MediatorTie, SubsidyRate
from tests.factories import build_city
from tests.mediation.factories import World, applied, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world(build_city())


def admin_client(world: World) -> Client:
    client = Client()
    client.force_login(world.city.users["admin"])
    return client


@pytest.mark.parametrize("model", ["disputetype", "mediationkind", "mediator", "subsidyrate", "mediation"])
def test_changelists_load(world: World, model: str) -> None:
    applied(world)
    assert admin_client(world).get(reverse(f"admin:mediation_{model}_changelist")).status_code == 200


def kind_form(kind: MediationKind, **changes: Any) -> dict[str, Any]:
    data = {"code": kind.code, "name": kind.name, "duties": kind.duties, "participants": "\n".join(kind.participants),
            "steps": list(kind.steps), "mediator_kinds": list(kind.mediator_kinds),
            "document_title": kind.document_title, "agreement_template": kind.agreement_template,
            "deadline_days": kind.deadline_days, "order": kind.order, "active": "on"}
    data.update(changes)
    return data


def test_a_kinds_steps_and_participants_are_validated(world: World) -> None:
    kind = MediationKind.objects.get(code="administrative")
    url = reverse("admin:mediation_mediationkind_change", args=[kind.pk])
    client = admin_client(world)
    assert client.get(url).status_code == 200
    response = client.post(url, kind_form(kind, steps=["schedule", "teleport"]))
    assert response.status_code == 200  # the form again, with the error
    text = response.content.decode()
    assert "未知的环节代码「teleport」" in text
    assert "confirm（司法确认）" in text
    response = client.post(url, kind_form(kind, participants="  \n "))
    assert "至少填写一个参与人员角色" in response.content.decode()
    response = client.post(url, kind_form(kind, agreement_template="{% if %}"))
    assert "协议书模板有语法错误" in response.content.decode()
    kind.refresh_from_db()
    assert kind.steps == ["schedule", "follow_up", "refer"]
    response = client.post(url, kind_form(kind, steps=["refer", "schedule"], participants="调解员、书记员\n调解员",
                                          mediator_kinds=["official"]))
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.steps, kind.participants, kind.mediator_kinds) == (["schedule", "refer"], ["调解员", "书记员"],
                                                                    ["official"])


def mediator_form(world: World, **changes: Any) -> dict[str, Any]:
    data = {"name": "孙调解", "kind": "peoples", "title": "", "unit": world.committee.pk, "area": world.city.street.pk,
            "user": "", "active": "on", "specialties": [], "languages": "普通话", "years": "5", "bio": "",
            "max_load": "8", "available": "on", "unavailable_until": "", "phone_new": "", "id_new": "",
            "ties-TOTAL_FORMS": "0", "ties-INITIAL_FORMS": "0", "ties-MIN_NUM_FORMS": "0",
            "ties-MAX_NUM_FORMS": "1000"}
    data.update(changes)
    return data


def test_a_mediators_phone_and_id_are_stored_encrypted_with_hashes_and_shown_masked(world: World) -> None:
    client = admin_client(world)
    response = client.post(reverse("admin:mediation_mediator_add"), mediator_form(
        world, phone_new="138 0000 5555", id_new="321202198001010020",
        **{"ties-TOTAL_FORMS": "1", "ties-0-relation": "配偶", "ties-0-name_new": "周芳",
           "ties-0-phone_new": "13900007777", "ties-0-id_new": ""}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    found = Mediator.objects.get(name="孙调解")
    assert (found.phone, found.id_number) == ("13800005555", "321202198001010020")
    assert found.phone_hash == pii.lookup_hash("phone", "13800005555")
    assert found.id_hash == pii.lookup_hash("id", "321202198001010020")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM mediation_mediator WHERE id = %s", [found.pk])
        raw_phone, raw_id = cursor.fetchone()
    assert "13800005555" not in raw_phone
    assert "321202198001010020" not in raw_id
    tie = MediatorTie.objects.get(mediator=found)
    assert (tie.relation, tie.name, tie.phone_hash) == ("配偶", "周芳", pii.lookup_hash("phone", "13900007777"))
    assert conflicts.ties([found.pk], [pii.lookup_hash("phone", "13900007777")], [])[found.pk].relation == "配偶"
    page = client.get(reverse("admin:mediation_mediator_change", args=[found.pk])).content.decode()
    assert "138****5555" in page
    assert "13800005555" not in page
    assert "3212**********0020" in page
    assert "321202198001010020" not in page
    assert "周*" in page
    assert "周芳" not in page


def test_a_mediator_keeps_her_numbers_unless_new_ones_are_typed_or_cleared(world: World) -> None:
    client = admin_client(world)
    client.post(reverse("admin:mediation_mediator_add"), mediator_form(world, phone_new="13800005555"))
    found = Mediator.objects.get(name="孙调解")
    url = reverse("admin:mediation_mediator_change", args=[found.pk])
    assert client.post(url, mediator_form(world, years="6")).status_code == 302
    found.refresh_from_db()
    assert (found.years, found.phone, found.phone_hash) == (6, "13800005555",
                                                            pii.lookup_hash("phone", "13800005555"))
    assert client.post(url, mediator_form(world, clear="on")).status_code == 302
    found.refresh_from_db()
    assert (found.phone, found.phone_hash, found.id_hash) == ("", "", "")


def test_bad_numbers_are_refused_at_the_field(world: World) -> None:
    response = admin_client(world).post(reverse("admin:mediation_mediator_add"),
                                        mediator_form(world, phone_new="12345", id_new="320102"))
    assert response.status_code == 200
    assert Mediator.objects.filter(name="孙调解").count() == 0
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"phone_new", "id_new"}


def test_a_tie_needs_a_number_to_compare(world: World) -> None:
    response = admin_client(world).post(reverse("admin:mediation_mediator_add"), mediator_form(
        world, **{"ties-TOTAL_FORMS": "1", "ties-0-relation": "同事", "ties-0-name_new": "某某",
                  "ties-0-phone_new": "", "ties-0-id_new": ""}))
    assert response.status_code == 200
    assert "回避核查按号码比对" in response.content.decode()
    assert Mediator.objects.filter(name="孙调解").count() == 0


def test_the_schedule_is_edited_in_the_list(world: World) -> None:
    rates = list(SubsidyRate.objects.select_related("kind").order_by("pk"))
    client = admin_client(world)
    page = client.get(reverse("admin:mediation_subsidyrate_changelist"))
    listed = [r.pk for r in page.context["cl"].result_list]
    first = SubsidyRate.objects.get(pk=listed[0])
    assert (first.kind.code, first.difficulty) == ("peoples", "simple")  # kinds in order, simple first
    data: dict[str, Any] = {"form-TOTAL_FORMS": str(len(listed)), "form-INITIAL_FORMS": str(len(listed)),
                            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000", "_save": "保存"}
    by_pk = {r.pk: r for r in rates}
    for i, pk in enumerate(listed):
        rate = by_pk[pk]
        data.update({f"form-{i}-id": str(pk), f"form-{i}-amount": str(rate.amount),
                     f"form-{i}-failed_share": str(rate.failed_share)})
    data["form-0-amount"] = "120.00"
    response = client.post(reverse("admin:mediation_subsidyrate_changelist"), data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert str(first.amount) == "120.00"


def test_mediations_are_read_only(world: World) -> None:
    mediation = applied(world)
    client = admin_client(world)
    assert client.get(reverse("admin:mediation_mediation_add")).status_code == 403
    url = reverse("admin:mediation_mediation_change", args=[mediation.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "performed"}).status_code == 403
    mediation.refresh_from_db()
    assert mediation.status == "applied"
