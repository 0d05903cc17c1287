"""挂牌督办: a leader's decision, with a note, on the case page; it notifies the unit and up the tree.
Others climb by hand to 督办 at most."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.cases import services
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.kit.errors import NotFound, PermissionDenied
from fengqiao.notifications.models import Outbox
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.web.conftest import login


@pytest.fixture
def case(city: City) -> Case:
    return dispatch(city, register(city))


def test_a_leader_lists_a_case_with_a_note_and_the_unit_is_told(city: City, case: Case) -> None:
    services.list_supervision(city.users["leader"], case.code, note="群众反映强烈，限期办结")
    case.refresh_from_db()
    assert case.supervision_level == 3
    event = CaseEvent.objects.filter(case=case).latest("seq")
    assert (event.action, event.actor_role, event.note, event.data) == (
        "escalate", "leader", "群众反映强烈，限期办结", {"level": 3, "listed": True})
    told = {(o.recipient.username, o.channel) for o in Outbox.objects.filter(case=case, kind="listed")}
    assert told == {(u, c) for u in ("handler", "street_dispatcher") for c in ("in_app", "sms")}  # not herself
    with pytest.raises(Exception, match="已挂牌督办"):
        services.list_supervision(city.users["leader"], case.code, note="再次挂牌")


@pytest.mark.parametrize("who", ["dispatcher", "street_dispatcher", "admin", "operator"])
def test_only_leaders_list_a_case(city: City, case: Case, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.list_supervision(city.users[who], case.code, note="挂牌督办")
    case.refresh_from_db()
    assert case.supervision_level == 0
    assert not Outbox.objects.exists()


@pytest.mark.parametrize("who", ["handler", "citizen", "other_grid_worker"])
def test_outsiders_do_not_even_find_it(city: City, case: Case, who: str) -> None:
    with pytest.raises((NotFound, PermissionDenied)):
        services.list_supervision(city.users[who], case.code, note="挂牌督办")


def test_a_dispatcher_climbs_to_supervise_but_not_to_listed(city: City, case: Case) -> None:
    services.escalate(city.users["dispatcher"], case.code, note="请加快办理")
    services.escalate(city.users["dispatcher"], case.code, note="仍未办理")
    with pytest.raises(PermissionDenied, match="领导"):
        services.escalate(city.users["dispatcher"], case.code, note="挂牌")
    case.refresh_from_db()
    assert case.supervision_level == 2
    kinds = sorted(Outbox.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["supervise", "urge"]  # the handler, in-app, once per step


def test_the_case_page_offers_listing_to_leaders_only(client: Client, city: City, case: Case) -> None:
    url = reverse("case_detail", args=[case.code])
    login(client, city, "dispatcher")
    assert "list_supervision" not in [o.name for o in client.get(url).context["offered"]]
    response = client.post(reverse("case_act", args=[case.code, "list_supervision"]),
                           {"list_supervision-expected_version": case.version, "list_supervision-text": "挂牌"})
    assert response.status_code == 403
    login(client, city, "leader")
    offered = [o.name for o in client.get(url).context["offered"]]
    assert "list_supervision" in offered
    response = client.post(reverse("case_act", args=[case.code, "list_supervision"]), {
        "list_supervision-expected_version": case.version, "list_supervision-text": "限期三日内办结并报告",
    })
    assert response.status_code == 302
    page = client.get(url)
    assert "挂牌督办" in page.content.decode()
    assert "list_supervision" not in [o.name for o in page.context["offered"]]
    case.refresh_from_db()
    assert case.supervision_level == 3
