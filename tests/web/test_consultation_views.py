"""The case page's 会商研判 section over HTTP: convene with tasks, see them with deadlines, overdue,
mark done, conclude; a refused form renders the page with the reason (4xx) and nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from fengqiao.cases.loop_models import Consultation, ConsultationTask
from fengqiao.cases.states import State
from tests.cases.builders import case_in, snapshot
from tests.factories import City
from tests.web.conftest import login

SH = ZoneInfo("Asia/Shanghai")


def test_convene_tasks_done_conclude_on_the_case_page(city: City, client: Client) -> None:
    d1, _d2, d3 = city.departments
    with time_machine.travel(dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH), tick=False) as traveller:
        case = case_in(city, State.ACCEPTED, assisting=())
        login(client, city, "dispatcher")
        page = client.get(f"/cases/{case.code}/")
        assert 'data-testid="consultation"' in page.content.decode()
        assert "发起会商" in page.content.decode()
        response = client.post(f"/cases/{case.code}/consultation/convene/", {
            "topic": "电梯维修资金使用争议", "unit_ids": [d1.pk, d3.pk],
            "task_unit": [d3.pk, "", ""], "task_text": ["组织业主与物业调解", "", ""], "task_days": ["3", "3", "3"],
        })
        assert response.status_code == 302
        c = Consultation.objects.get(case=case)
        task = ConsultationTask.objects.get(consultation=c)
        assert task.deadline == dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=SH)
        traveller.move_to(dt.datetime(2026, 10, 9, 9, 0, tzinfo=SH))
        login(client, city, "dispatcher")  # a new working day, a new session
        body = client.get(f"/cases/{case.code}/").content.decode()
        assert "组织业主与物业调解" in body
        assert "2026-10-08" in body
        assert 'data-testid="task-overdue"' in body
        mediator = Client()
        login(mediator, city, "mediator")
        assert mediator.get(f"/cases/{case.code}/").status_code == 200  # D3 takes part
        assert mediator.post(f"/cases/{case.code}/consultation/done/",
                             {"task": task.pk, "note": "已组织调解"}).status_code == 302
        response = client.post(f"/cases/{case.code}/consultation/conclude/",
                               {"consultation": c.pk, "conclusion": "街道牵头调解", "lead_unit_id": d3.pk})
        assert response.status_code == 302
        c.refresh_from_db()
        assert (c.status, c.decided_lead_unit_id) == ("concluded", d3.pk)
        body = client.get(f"/cases/{case.code}/").content.decode()
        assert "确定主办单位：城东街道办事处" in body
        assert mediator.get(f"/cases/{case.code}/").status_code == 404  # no longer taking part


def test_a_refused_form_shows_the_reason_and_changes_nothing(city: City, client: Client) -> None:
    d1 = city.departments[0]
    case = case_in(city, State.ACCEPTED, assisting=())
    login(client, city, "dispatcher")
    before = snapshot(case)
    response = client.post(f"/cases/{case.code}/consultation/convene/", {"topic": "议题", "unit_ids": [d1.pk]})
    assert response.status_code == 400
    assert "会商研判至少需要两个参与单位。" in response.content.decode()
    bad_days = client.post(f"/cases/{case.code}/consultation/convene/", {
        "topic": "议题", "unit_ids": [d1.pk, city.departments[2].pk], "task_unit": [d1.pk], "task_text": ["核查"],
        "task_days": ["三天"]})
    assert bad_days.status_code == 400
    assert "请填写第 1 项任务的期限。" in bad_days.content.decode()
    assert snapshot(case) == before


def test_a_handler_sees_no_convene_form_and_may_not_convene(city: City, client: Client) -> None:
    case = case_in(city, State.ACCEPTED, assisting=())
    login(client, city, "handler")
    assert "发起会商" not in client.get(f"/cases/{case.code}/").content.decode()
    response: Any = client.post(f"/cases/{case.code}/consultation/convene/",
                                {"topic": "议题", "unit_ids": [d.pk for d in city.departments]})
    assert response.status_code == 403
    assert not Consultation.objects.exists()


def test_the_dispatch_form_proposes_the_previous_unit_for_a_reopened_case(city: City, client: Client) -> None:
    case = case_in(city, State.REOPENED, lead=1)  # replied by D2, then unsatisfied
    login(client, city, "dispatcher")
    body = client.get(f"/cases/{case.code}/").content.decode()
    assert "重办：默认交原主办单位 市生态环境局；如需改派，请另选单位。" in body
    assert f'<option value="{city.departments[1].pk}" selected>' in body


def test_the_dispatch_form_proposes_the_lead_unit_a_consultation_decided(city: City, client: Client) -> None:
    from fengqiao.cases.services import consultation as consult

    d1, _d2, d3 = city.departments
    case = case_in(city, State.ACCEPTED, assisting=())
    c = consult.convene(city.users["dispatcher"], case.code, topic="职责争议", unit_ids=[d1.pk, d3.pk])
    consult.conclude(city.users["dispatcher"], case.code, consultation_id=c.pk, conclusion="改由街道主办",
                     lead_unit_id=d3.pk)
    login(client, city, "dispatcher")
    body = client.get(f"/cases/{case.code}/").content.decode()
    assert "会商研判确定主办单位：城东街道办事处" in body
    assert f'<option value="{d3.pk}" selected>' in body
