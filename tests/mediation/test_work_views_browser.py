"""The mediator's and the judge's pages in a real browser (desktop): the workbench, accepting, scheduling
(a time in the past refused at its field), the record once the session's time has come, the agreement
and its PDF, the joint application, the judge's queue, review and ruling.  Screenshots in
tests/screenshots/mediation-work-*.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from fengqiao.kit import clock
from fengqiao.mediation.models import Confirmation, ConfirmationStatus, Mediation
from fengqiao.mediation.states import MState
from tests.factories import City
from tests.mediation import steps
from tests.mediation.factories import applied, build_world
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser



def local(moment: dt.datetime) -> str:
    return clock.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_mediation_from_application_to_the_judges_ruling(browser: Any, live_server: Any, live_city: City) -> None:
    world = build_world(live_city)
    mediation = applied(world)
    code = mediation.code
    mediator = Clerk(browser, live_server.url, "mediator_a")
    page = mediator.page
    mediator.goto("/mediation/")
    assert page.locator(f"a:has-text('{code}')").count() == 1
    assert page.get_by_text("张* 诉 李*").count() == 1
    mediator.shot("mediation-work-list")

    page.locator(f"a:has-text('{code}')").first.click()
    page.wait_for_url(f"**/mediation/{code}/")
    assert mediator.status() == "待受理"
    mediator.shot("mediation-work-applied")
    mediator.act("accept")
    assert mediator.status() == "已受理"

    mediator.act("schedule", {"place": "城东街道人民调解委员会调解室",
                              "starts_at": local(clock.now() - dt.timedelta(hours=1)), "minutes": "60"})
    error = page.locator("#id_schedule-starts_at_error")
    assert error.inner_text() == "调解时间须晚于现在"
    mediator.shot("mediation-work-schedule-refused")
    starts = clock.now() + dt.timedelta(minutes=30)
    mediator.act("schedule", {"place": "城东街道人民调解委员会调解室", "starts_at": local(starts), "minutes": "60"})
    assert mediator.status() == "已排期"
    assert page.locator("details[data-action=record]").count() == 0  # its time has not come
    mediator.shot("mediation-work-scheduled")

    with time_machine.travel(starts + dt.timedelta(minutes=75), tick=True):
        mediator.goto(f"/mediation/{code}/")
        mediator.act("record", {"attendees": "张三（申请人）、李四（被申请人）、王秀英（调解员）",
                                "record": steps.RECORD})
        assert mediator.status() == "调解中"
        mediator.act("agree", {"terms": steps.TERMS,
                               "perform_by": (clock.today() + dt.timedelta(days=20)).isoformat()})
        assert mediator.status() == "达成协议"
        page.locator("#sessions details.m-record summary").click()
        mediator.shot("mediation-work-agreed")
        pdf = page.request.get(f"{live_server.url}/mediation/{code}/documents/agreement.pdf")
        assert pdf.status == 200
        assert pdf.body().startswith(b"%PDF")

        mediator.act("apply_confirmation", {"note": "双方当事人当场共同申请"}, select={"court": "海陵区人民法院"},
                     check=["双方当事人均同意共同申请司法确认"])
        assert mediator.status() == "司法确认中"

        judge = Clerk(browser, live_server.url, "judge_a")
        judge.goto("/mediation/confirmations/")
        assert judge.page.locator(f"a:has-text('{code}')").count() >= 1
        judge.shot("mediation-work-confirmations")
        judge.goto(f"/mediation/confirmations/{code}/")
        judge.page.wait_for_timeout(800)  # the PDF in its frame
        judge.shot("mediation-work-review")
        judge.act("confirm", {"note": ""})
        assert judge.status() == "已司法确认"
        judge.shot("mediation-work-ruled")
        ruling = judge.page.request.get(f"{live_server.url}/mediation/{code}/documents/ruling.pdf")
        assert ruling.status == 200

    assert Mediation.objects.get(code=code).status == MState.CONFIRMED
    assert Confirmation.objects.get(mediation__code=code).status == ConfirmationStatus.CONFIRMED
    mediator.goto(f"/mediation/{code}/")
    mediator.shot("mediation-work-confirmed")
    mediator.close()
    judge.close()
