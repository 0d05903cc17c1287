"""Screening campaigns (排查): a campaign over a district's grids, a grid recorded once (无风险 or risks found,
each a screened entry), the checklist confirmed, the campaign's period, who may start one and who may see
it, the progress by street and community with the grids left, and an event for every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.risk import screening
from fengqiao.risk.models import Campaign, CampaignEvent, ChecklistItem, RiskEntry, RiskEvent, Screening
from fengqiao.risk.screening import Finding
from fengqiao.risk.states import RState
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
ITEMS = ["dispute", "rental", "wages"]


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def campaign(city: City, *, area: Any = None, by: str = "risk_officer", items: list[str] | None = None) -> Campaign:
    return screening.create_campaign(city.users[by], title="三月矛盾纠纷大排查", area_id=(area or city.district).pk,
                                     starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31),
                                     item_codes=items or ITEMS, note="逐户走访")


def state(c: Campaign) -> tuple[int, int, int]:
    return (Screening.objects.filter(campaign=c).count(), CampaignEvent.objects.filter(campaign=c).count(),
            RiskEntry.objects.count())


def test_the_default_checklist_is_installed(db: None) -> None:
    assert list(ChecklistItem.objects.values_list("name", flat=True)[:6]) == [
        "矛盾纠纷", "租赁房屋", "家庭婚姻", "劳资欠薪", "涉众金融", "征地拆迁"]


def test_a_campaign_covers_every_grid_of_its_area(city: City, frozen: Any) -> None:
    c = campaign(city)
    assert c.code.startswith("PC260302-")
    assert c.grid_count == 4
    assert [i["name"] for i in c.items] == ["矛盾纠纷", "租赁房屋", "劳资欠薪"]
    event = CampaignEvent.objects.get(campaign=c)
    assert (event.seq, event.action, event.actor, event.data["grids"]) == (1, "create", city.users["risk_officer"], 4)
    street = campaign(city, area=city.street)
    assert street.grid_count == 2
    assert list(screening.campaign_grids(street).order_by("code")) == city.grids[:2]


def test_who_may_start_a_campaign_and_where(city: City, frozen: Any) -> None:
    with pytest.raises(PermissionDenied, match="风险专员、领导和管理员"):
        campaign(city, by="grid_worker")
    with pytest.raises(PermissionDenied):
        campaign(city, by="handler")
    with pytest.raises(ValidationFailed) as refused:  # a grid is not a campaign's area
        campaign(city, area=city.grids[0])
    assert "area_id" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        screening.create_campaign(city.users["leader"], title="排查", area_id=city.district.pk,
                                  starts_on=dt.date(2026, 3, 10), ends_on=dt.date(2026, 3, 1), item_codes=["nope"])
    assert set(refused.value.fields) == {"ends_on", "item_codes"}
    assert "nope" in refused.value.fields["item_codes"]
    assert Campaign.objects.count() == 0
    assert campaign(city, by="admin").grid_count == 4


def test_who_sees_a_campaign(city: City, frozen: Any) -> None:
    c = campaign(city, area=city.street)
    assert screening.access_campaign(city.users["grid_worker"], c.code) == c  # her grid is in it
    assert screening.access_campaign(city.users["street_dispatcher"], c.code) == c
    with pytest.raises(NotFound):
        screening.access_campaign(city.users["other_grid_worker"], c.code)  # the other street's grid
    with pytest.raises(NotFound):
        screening.access_campaign(city.users["handler"], c.code)
    assert list(screening.my_grids(city.users["grid_worker"], c)) == [city.grids[0]]
    assert list(screening.my_grids(city.users["risk_officer"], c).order_by("code")) == city.grids[:2]


def test_a_clear_grid_and_progress(city: City, frozen: Any) -> None:
    c = campaign(city)
    s = screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result="clear", items_checked=ITEMS,
                         note="走访 36 户，未发现风险")
    assert (s.result, s.found, s.screened_by, s.street, s.community) == (
        "clear", 0, city.users["grid_worker"], city.street, city.communities[0])
    event = CampaignEvent.objects.get(campaign=c, action="screen")
    assert (event.seq, event.grid, event.data) == (2, city.grids[0], {"result": "clear", "entries": []})
    p = screening.progress(c)
    assert (p.screened, p.total, p.found, p.clear, p.percent) == (1, 4, 0, 1, 25.0)
    assert [(t.name, t.screened, t.total) for t in p.streets] == [("城东街道", 1, 2), ("城西街道", 0, 2)]
    assert [(t.name, t.screened, t.total) for t in p.communities] == [("东风社区", 1, 2), ("西园社区", 0, 2)]
    assert [u["grid"] for u in p.unscreened] == ["东风社区第2网格", "西园社区第3网格", "西园社区第4网格"]
    assert p.unscreened[1]["workers"] == [str(city.users["other_grid_worker"].display_name or "other_grid_worker")]


def test_risks_found_become_screened_entries(city: City, frozen: Any) -> None:
    c = campaign(city)
    s = screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result="found", items_checked=ITEMS,
                         findings=[Finding("3 号楼群租，租客与房东因押金争执", "rental", "general", "涉及 12 名租客"),
                                   Finding("装修公司拖欠 5 名工人工资", "wages")])
    assert s.found == 2
    entries = list(RiskEntry.objects.filter(campaign=c).order_by("pk"))
    assert [(e.title, e.checklist_item, e.grade, e.state, e.grid, e.street) for e in entries] == [
        ("3 号楼群租，租客与房东因押金争执", "rental", "general", RState.SCREENED, city.grids[0], city.street),
        ("装修公司拖欠 5 名工人工资", "wages", "watch", RState.SCREENED, city.grids[0], city.street),
    ]
    assert RiskEvent.objects.filter(entry__in=entries, action="screen").count() == 2
    assert CampaignEvent.objects.get(campaign=c, action="screen").data["entries"] == [e.code for e in entries]
    assert screening.progress(c).found == 2


@pytest.mark.parametrize(("result", "items", "findings", "field"), [
    ("clear", ["dispute", "rental"], [], "items_checked"),
    ("found", ITEMS, [], "findings"),
    ("clear", ITEMS, [Finding("欠薪", "wages")], "result"),
    ("maybe", ITEMS, [], "result"),
    ("found", ITEMS, [Finding("欠薪", "tax")], "finding_0_item"),
    ("found", ITEMS, [Finding("欠薪", "wages"), Finding("  ", "wages")], "finding_1_title"),
])
def test_bad_screenings_name_the_field_and_write_nothing(city: City, frozen: Any, result: str, items: list[str],
                                                         findings: list[Finding], field: str) -> None:
    c = campaign(city)
    before = state(c)
    with pytest.raises(ValidationFailed) as refused:
        screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result=result, items_checked=items,
                         findings=findings)
    assert field in refused.value.fields
    assert state(c) == before


def test_a_grid_is_screened_once_in_its_period_by_its_people(city: City, frozen: Any) -> None:
    c = campaign(city)
    with pytest.raises(NotFound):  # another worker's grid
        screening.record(city.users["grid_worker"], c.code, city.grids[2].pk, result="clear", items_checked=ITEMS)
    screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result="clear", items_checked=ITEMS)
    with pytest.raises(Conflict, match="已于 2026-03-02 10:00 由"):
        screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result="clear", items_checked=ITEMS)
    with pytest.raises(NotFound):  # a unit role does not see campaigns
        screening.record(city.users["handler"], c.code, city.grids[1].pk, result="clear", items_checked=ITEMS)
    frozen.move_to(dt.datetime(2026, 4, 1, 9, 0, tzinfo=SH))
    with pytest.raises(Conflict, match="已于 2026-03-31 结束"):
        screening.record(city.users["risk_officer"], c.code, city.grids[1].pk, result="clear", items_checked=ITEMS)
    assert Screening.objects.filter(campaign=c).count() == 1
