"""查询进度: anybody with the code sees the progress without personal data; a verified party sees her own
case in full; wrong codes lock the address out (independent of the per-minute limit); the eight
dimensions are rows an administrator renames, reorders and hides."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fengqiao.mediation.models import Mediation, MediationKind
from fengqiao.mediation.services import confirmation
from fengqiao.mediation.states import MState
from fengqiao.portal import selectors
from fengqiao.portal.models import TransparencyDimension
from tests.mediation import steps
from tests.mediation.factories import RESPONDENT_PHONE, World, applied
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db
PRIVATE = ("张三", "李四", "要求对方晚上十点后停止施工", "邻居装修噪音持续三个月", "139****2222")


def test_the_public_page_shows_progress_without_personal_data(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    page = Client().get(f"/portal/track/{mediation.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    for shown in (mediation.code, "城东街道人民调解委员会", "王秀英", "人民调解", "城东街道调解室", "达成协议",
                  "人民调解协议书", "2026-03-31"):
        assert shown in html, shown
    for hidden in (*PRIVATE, steps.TERMS[:10], steps.RECORD[:10], "agreement.pdf"):
        assert hidden not in html, hidden
    assert "我是当事人，验证手机号" in html


def test_a_verified_party_sees_her_own_case(world: World, traveller: Any) -> None:
    mediation, _agreement = steps.agreed(world, traveller)
    client = sign_in(Client(), RESPONDENT_PHONE)  # the respondent is a party too
    html = client.get(f"/portal/track/{mediation.code}/").content.decode()
    for shown in (*PRIVATE, steps.TERMS[:10], steps.RECORD[:10], "张三、李四、王秀英"):
        assert shown in html, shown
    assert f"/portal/track/{mediation.code}/agreement.pdf" in html
    assert "撤回申请" not in html  # the applicant's actions are the applicant's
    pdf = client.get(f"/portal/track/{mediation.code}/agreement.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "private, no-store"


def test_a_verified_phone_of_someone_else_sees_only_the_public_page(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = sign_in(Client(), "13600001234")
    html = client.get(f"/portal/track/{mediation.code}/").content.decode()
    assert "您已验证的手机号不是这件纠纷的当事人" in html
    for hidden in PRIVATE:
        assert hidden not in html, hidden
    assert client.get(f"/portal/track/{mediation.code}/agreement.pdf").status_code == 404


def test_the_code_is_found_however_it_is_typed(world: World, traveller: Any) -> None:
    mediation = applied(world)
    typed = mediation.code.lower().replace("-", " ")
    response = Client().post("/portal/track/", {"code": typed})
    assert response["Location"] == f"/portal/track/{mediation.code}/"


def bar(mediation: Mediation) -> str:
    """The step bar in one line: ✓ done, ● current, ! the stop, a bare label ahead."""
    marks = {"done": "✓", "current": "●", "todo": "", "stopped": ""}
    return " ".join(("!" if s.state == "stopped" else "") + s.label + marks[s.state]
                    for s in selectors.road(mediation))


# peoples' mediation: a kind with judicial confirmation; no agreement or confirmation rows behind the state
WITH_CONFIRMATION = {
    MState.APPLIED: "申请● 受理 调解 达成协议 司法确认 履行完毕",
    MState.ACCEPTED: "申请✓ 受理● 调解 达成协议 司法确认 履行完毕",
    MState.SCHEDULED: "申请✓ 受理✓ 调解● 达成协议 司法确认 履行完毕",
    MState.IN_PROGRESS: "申请✓ 受理✓ 调解● 达成协议 司法确认 履行完毕",
    MState.AGREED: "申请✓ 受理✓ 调解✓ 达成协议● 司法确认 履行完毕",
    MState.CONFIRMING: "申请✓ 受理✓ 调解✓ 达成协议✓ 司法确认● 履行完毕",
    MState.CONFIRMED: "申请✓ 受理✓ 调解✓ 达成协议✓ 司法确认● 履行完毕",
    MState.REFUSED: "申请✓ 受理✓ 调解✓ 达成协议✓ 司法确认● 履行完毕",
    MState.PERFORMED: "申请✓ 受理✓ 调解✓ 达成协议✓ 履行完毕●",  # performed without going to court
    MState.FAILED: "申请✓ 受理✓ 调解✓ !调解不成",
    MState.REFERRED: "申请✓ 受理✓ 调解✓ !已转出",
    MState.DECLINED: "申请✓ !不予受理",
    MState.WITHDRAWN: "申请✓ !已撤回",  # withdrawn before acceptance
}
# administrative mediation: no judicial confirmation (a confirmation state cannot happen; it stays at 达成协议)
WITHOUT_CONFIRMATION = {
    MState.APPLIED: "申请● 受理 调解 达成协议 履行完毕",
    MState.ACCEPTED: "申请✓ 受理● 调解 达成协议 履行完毕",
    MState.SCHEDULED: "申请✓ 受理✓ 调解● 达成协议 履行完毕",
    MState.IN_PROGRESS: "申请✓ 受理✓ 调解● 达成协议 履行完毕",
    MState.AGREED: "申请✓ 受理✓ 调解✓ 达成协议● 履行完毕",
    MState.CONFIRMING: "申请✓ 受理✓ 调解✓ 达成协议● 履行完毕",
    MState.CONFIRMED: "申请✓ 受理✓ 调解✓ 达成协议● 履行完毕",
    MState.REFUSED: "申请✓ 受理✓ 调解✓ 达成协议● 履行完毕",
    MState.PERFORMED: "申请✓ 受理✓ 调解✓ 达成协议✓ 履行完毕●",
    MState.FAILED: "申请✓ 受理✓ 调解✓ !调解不成",
    MState.REFERRED: "申请✓ 受理✓ 调解✓ !已转出",
    MState.DECLINED: "申请✓ !不予受理",
    MState.WITHDRAWN: "申请✓ !已撤回",
}


def test_every_state_has_its_step_bar() -> None:
    assert set(WITH_CONFIRMATION) == set(WITHOUT_CONFIRMATION) == set(MState)


@pytest.mark.parametrize("kind", ["peoples", "administrative"])
@pytest.mark.parametrize("state", list(MState))
def test_the_step_bar_of_each_state(world: World, traveller: Any, kind: str, state: MState) -> None:
    mediation = applied(world)
    mediation.kind = MediationKind.objects.get(code=kind)
    mediation.status = state.value
    expected = WITH_CONFIRMATION if kind == "peoples" else WITHOUT_CONFIRMATION
    assert bar(mediation) == expected[state]
    assert sum(s.state in {"current", "stopped"} for s in selectors.road(mediation)) == 1


def test_the_step_bar_follows_what_the_mediation_went_through(world: World, traveller: Any) -> None:
    mediation = steps.accepted(world)
    mediation.status = MState.WITHDRAWN.value  # withdrawn after acceptance
    assert bar(mediation) == "申请✓ 受理✓ !已撤回"
    mediation, _agreement = steps.agreed(world, traveller)
    confirmation.apply_confirmation(world.users["mediator_a"], mediation.code, court_id=world.court.pk, joint=True)
    mediation.status = MState.PERFORMED.value  # performed after the court confirmed it
    assert bar(mediation) == "申请✓ 受理✓ 调解✓ 达成协议✓ 司法确认✓ 履行完毕●"
    mediation.status = MState.REFERRED.value  # the court refused, the agreement was referred
    assert bar(mediation) == "申请✓ 受理✓ 调解✓ 达成协议✓ !已转出"


def test_a_scheduled_mediation_stands_at_mediation_on_its_page(world: World, traveller: Any) -> None:
    mediation, _session = steps.scheduled(world, traveller)
    html = Client().get(f"/portal/track/{mediation.code}/").content.decode()
    assert '<li class="current" aria-current="step">调解</li>' in html
    assert '<li class="todo">达成协议</li>' in html


def test_ten_wrong_codes_lock_the_address_out_for_an_hour(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = Client()
    for i in range(9):
        wrong = client.get(f"/portal/track/JF-AAAA-AAAA-AA{i}A/", REMOTE_ADDR="10.5.5.5")
        assert wrong.status_code == 404
        assert f"再输错 {9 - i} 次" in wrong.content.decode()
    tenth = client.post("/portal/track/", {"code": "JF-9999-9999-9999"}, REMOTE_ADDR="10.5.5.5")
    assert tenth.status_code == 429
    assert "解纷码输错次数过多" in tenth.content.decode()
    right = client.get(f"/portal/track/{mediation.code}/", REMOTE_ADDR="10.5.5.5")
    assert right.status_code == 429  # a locked address learns nothing, not even from a right code
    assert 3500 <= int(right["Retry-After"]) <= 3600
    assert "城东街道人民调解委员会" not in right.content.decode()
    assert Client().get(f"/portal/track/{mediation.code}/", REMOTE_ADDR="10.5.5.6").status_code == 200
    traveller.shift(dt.timedelta(minutes=5))  # the per-minute limit is long over; the lock is not
    assert client.get(f"/portal/track/{mediation.code}/", REMOTE_ADDR="10.5.5.5").status_code == 429
    traveller.shift(dt.timedelta(minutes=56))
    assert client.get(f"/portal/track/{mediation.code}/", REMOTE_ADDR="10.5.5.5").status_code == 200


def test_wrong_codes_spread_over_more_than_an_hour_do_not_lock(world: World, traveller: Any) -> None:
    client = Client()
    for _i in range(9):
        client.get("/portal/track/JF-AAAA-AAAA-AAAA/", REMOTE_ADDR="10.6.6.6")
    traveller.shift(dt.timedelta(minutes=61))
    assert client.get("/portal/track/JF-AAAA-AAAA-AAAA/", REMOTE_ADDR="10.6.6.6").status_code == 404


def test_looking_up_is_rate_limited_per_minute(world: World, traveller: Any) -> None:
    mediation = applied(world)
    client = Client()
    for _i in range(30):
        assert client.get(f"/portal/track/{mediation.code}/", REMOTE_ADDR="10.7.7.7").status_code == 200
    limited = client.get(f"/portal/track/{mediation.code}/", REMOTE_ADDR="10.7.7.7")
    assert limited.status_code == 429
    assert "操作过于频繁" in limited.content.decode()
    cache.clear()


def test_dimensions_are_rows_the_administrator_renames_reorders_and_hides(world: World, traveller: Any) -> None:
    mediation = applied(world)
    assert list(TransparencyDimension.objects.values_list("label", flat=True)) == [
        "组织", "人员", "职责", "诉求", "依据", "征询", "过程", "结果"]
    TransparencyDimension.objects.filter(key="legal_basis").update(visible=False)
    TransparencyDimension.objects.filter(key="result").update(order=0, label="办理结果")
    html = Client().get(f"/portal/track/{mediation.code}/").content.decode()
    assert 'data-testid="dim-legal_basis"' not in html
    assert html.index('data-testid="dim-result"') < html.index('data-testid="dim-organisation"')
    assert "办理结果" in html


def test_the_defaults_do_not_overwrite_the_administrators_rows(world: World) -> None:
    from fengqiao.portal import defaults

    TransparencyDimension.objects.filter(key="duties").update(label="职责范围", visible=False)
    defaults.install()
    row = TransparencyDimension.objects.get(key="duties")
    assert (row.label, row.visible) == ("职责范围", False)
    assert TransparencyDimension.objects.count() == 8


def test_nothing_is_changed_by_looking(world: World, traveller: Any) -> None:
    mediation = applied(world)
    before = Mediation.objects.values().get(pk=mediation.pk)
    Client().get(f"/portal/track/{mediation.code}/")
    Client().get("/portal/track/JF-AAAA-AAAA-AAAA/")
    assert Mediation.objects.values().get(pk=mediation.pk) == before
