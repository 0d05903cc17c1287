"""The stability assessments in the Django admin: every list and change page loads for an administrator,
nothing can be added, changed or deleted there (the services write, with their events), a citizen's contact
shows masked only, and other staff are refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.stability import public
from fengqiao.stability.models import Decision, DecisionEvent, Measure, Opinion, RiskItem
from fengqiao.stability.states import DState
from tests.factories import City
from tests.stability.builders import advance, created

MODELS = [Decision, Opinion, RiskItem, Measure, DecisionEvent]


def _client(city: City, name: str) -> Client:
    client = Client()
    client.force_login(city.users[name])
    return client


def _decision(city: City) -> Decision:
    decision = advance(city, created(city), DState.CONSULTING)
    public.submit(decision.code, stance="oppose", text="不同意选址", name="王小明", phone="13912345678")
    return advance(city, Decision.objects.get(pk=decision.pk), DState.TRACKING)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_pages_load_read_only_for_an_administrator(city: City, model: type) -> None:
    _decision(city)
    client = _client(city, "admin")
    meta = model._meta  # type: ignore[attr-defined]
    changelist = client.get(reverse(f"admin:stability_{meta.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.order_by("pk").first()  # type: ignore[attr-defined]
    change = client.get(reverse(f"admin:stability_{meta.model_name}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content  # view only
    assert client.get(reverse(f"admin:stability_{meta.model_name}_add")).status_code == 403
    delete = client.post(reverse(f"admin:stability_{meta.model_name}_delete", args=[obj.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()  # type: ignore[attr-defined]


def test_a_citizens_contact_is_masked(city: City) -> None:
    _decision(city)
    opinion = Opinion.objects.get(public=True)
    client = _client(city, "admin")
    for url in (reverse("admin:stability_opinion_changelist"),
                reverse("admin:stability_opinion_change", args=[opinion.pk])):
        page = client.get(url).content.decode()
        assert "王**、139****5678" in page
        assert "13912345678" not in page
        assert "王小明" not in page


def test_refused_to_other_staff(city: City) -> None:
    _decision(city)
    response = _client(city, "risk_officer").get(reverse("admin:stability_decision_changelist"))
    assert response.status_code in (302, 403)
