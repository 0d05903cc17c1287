"""The duplicates panel through the test client: candidates, one-click merge (403, 409), family, reporters."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.cases import selectors, services
from fengqiao.cases.models import Case, Channel
from fengqiao.intelligence import dedup
from tests.factories import City
from tests.intelligence.dedup_helpers import ELEVATOR, ELEVATOR_AGAIN, NOISE, report
from tests.web.conftest import login

pytestmark = pytest.mark.django_db


def _pair(city: City) -> tuple[Case, Case]:
    first = report(city, ELEVATOR, days=0)
    again = report(city, ELEVATOR_AGAIN, days=1, channel=Channel.GRID_PATROL, by="grid_worker")
    report(city, NOISE, days=1)
    dedup.index_cases(list(Case.objects.values_list("pk", flat=True)))
    return first, again


def _merge(client: Client, case: Case, into: Case, version: int | None = None) -> int:
    url = f"/cases/{case.code}/merge-into/{into.code}/"
    v = case.version if version is None else version
    return client.post(url, {"expected_version": str(v)}).status_code


def test_panel_lists_the_candidate_with_a_merge_button(client: Client, city: City) -> None:
    first, again = _pair(city)
    html = login(client, city, "operator").get(f"/cases/{again.code}/").content.decode()
    assert "可能重复" in html
    assert f'data-candidate="{first.code}"' in html
    assert "文本相似" in html
    assert "合并到此件" in html
    sim = round(dedup.candidates(again)[0].similarity * 100)
    assert f"{sim}%" in html


def test_roles_that_may_not_merge_see_no_button_and_get_403(client: Client, city: City) -> None:
    first, again = _pair(city)
    for role in ("leader", "grid_worker"):
        c = login(Client(), city, role)
        html = c.get(f"/cases/{again.code}/").content.decode()
        assert f'data-candidate="{first.code}"' in html  # they see the possible duplicate …
        assert "合并到此件" not in html  # … but may not merge it
        assert _merge(c, again, first) == 403
    again.refresh_from_db()
    assert again.status == "registered"
    assert again.duplicate_of_id is None


def test_stale_version_is_409_and_changes_nothing(client: Client, city: City) -> None:
    first, again = _pair(city)
    services.escalate(city.users["dispatcher"], again.code, note="反映人多次来电，请加快办理")
    login(client, city, "dispatcher")
    assert _merge(client, again, first, version=0) == 409
    again.refresh_from_db()
    assert again.status == "registered"


def test_missing_version_is_400(client: Client, city: City) -> None:
    first, again = _pair(city)
    login(client, city, "dispatcher")
    assert client.post(f"/cases/{again.code}/merge-into/{first.code}/", {}).status_code == 400


def test_merge_then_family_count_and_channels(client: Client, city: City) -> None:
    first, again = _pair(city)
    third = report(city, ELEVATOR, days=2)
    login(client, city, "dispatcher")
    response = client.post(f"/cases/{again.code}/merge-into/{first.code}/",
                           {"expected_version": str(again.version)})
    assert response.status_code == 302
    assert _merge(client, third, first) == 302
    again.refresh_from_db()
    assert again.status == "merged"
    assert again.duplicate_of_id == first.pk
    html = client.get(f"/cases/{first.code}/").content.decode()
    assert "本件共被反映 3 次" in html
    assert "12345 热线 ×2、网格巡查 ×1" in html
    assert again.code in html
    assert third.code in html
    merged_page = client.get(f"/cases/{again.code}/").content.decode()
    assert "已合并到" in merged_page
    assert first.code in merged_page
    assert "可能重复" not in merged_page  # a merged case is not offered for merging again
    family = selectors.family(city.users["dispatcher"], again)
    assert (family.primary.pk, family.total) == (first.pk, 3)
    assert family.channels == [("12345 热线", 2), ("网格巡查", 1)]


def test_citizen_of_a_merged_case_follows_the_primary(client: Client, city: City) -> None:
    primary = report(city, ELEVATOR, days=0, phone="13900001111")
    own = report(city, ELEVATOR_AGAIN, days=1, by="citizen", channel=Channel.MINI_PROGRAM)
    citizen, other = city.users["citizen"], city.users["other_citizen"]
    assert not selectors.visible_cases(citizen).filter(pk=primary.pk).exists()
    services.merge(city.users["dispatcher"], own.code, into=primary.code)
    services.dispatch(city.users["dispatcher"], primary.code, lead_unit_id=city.departments[0].pk,
                      assisting_unit_ids=[])
    assert selectors.visible_cases(citizen).filter(pk=primary.pk).exists()
    assert not selectors.visible_cases(other).filter(pk=primary.pk).exists()
    login(client, city, "citizen")
    html = client.get(f"/cases/{own.code}/").content.decode()
    assert "已合并到" in html
    assert primary.code in html
    assert 'data-testid="primary-status">待签收</span>' in html
    assert "分拨交办" in html.split('data-testid="primary-timeline"')[1].split("</ol>")[0]
    page = client.get(f"/cases/{primary.code}/")
    assert page.status_code == 200
    assert "李*" not in page.content.decode()
    assert "139****1111" not in page.content.decode()
    assert "合并到此件" not in page.content.decode()
    assert login(Client(), city, "other_citizen").get(f"/cases/{primary.code}/").status_code == 404
    assert "139****1111" in login(Client(), city, "operator").get(f"/cases/{primary.code}/").content.decode()


def test_citizen_follows_every_hop_when_the_primary_is_merged_later(city: City) -> None:
    top = report(city, NOISE, days=0)
    middle = report(city, ELEVATOR, days=0)
    own = report(city, ELEVATOR_AGAIN, days=1, by="citizen", channel=Channel.MINI_PROGRAM)
    dispatcher, citizen = city.users["dispatcher"], city.users["citizen"]
    services.merge(dispatcher, own.code, into=middle.code)
    services.merge(dispatcher, middle.code, into=top.code)
    visible = set(selectors.visible_cases(citizen).values_list("pk", flat=True))
    assert visible == {own.pk, middle.pk, top.pk}
    assert not selectors.visible_cases(city.users["other_citizen"]).filter(pk=top.pk).exists()
