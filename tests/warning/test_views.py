"""The pages over HTTP: /warning/ scoped to the reader with grade tabs, filters, reasons and masked parties;
the special modules' pages; the case page's panel (computed on demand) and re-scoring; refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from fengqiao.cases import services as case_services
from fengqiao.cases.models import Case
from fengqiao.warning import data, services
from fengqiao.warning import model as escalation
from fengqiao.warning.features import History
from fengqiao.warning.models import Score, Threshold
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.warning.planted import NOW, plant

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def installed(city: City, data_dir: Path) -> None:
    plant(city, people=200)
    escalation.save(escalation.train_all(History(data.everything()), NOW.timestamp(), "test"))


def case_at(city: City, grid: int, title: str, description: str = "", phone: str = "13700000001") -> Case:
    with time_machine.travel(NOW, tick=False):
        case = register(city, grid=grid, title=title,
                        parties=[case_services.PartyInput(name="李四光", phone=phone)])
        if description:
            Case.objects.filter(pk=case.pk).update(description=description)
            case.refresh_from_db()
        return dispatch(city, case, lead=0, assisting=())


def scored(case: Case) -> Score:
    with time_machine.travel(NOW, tick=False):
        score = services.score_case(case)
    assert score is not None
    return score


def test_the_list_is_scoped_by_grade_with_reasons(city: City, installed: None) -> None:
    Threshold.objects.filter(grade="key").update(min_probability=0.0)
    near = case_at(city, 0, "邻里纠纷，对方扬言要报复")
    far = case_at(city, 2, "噪声扰民，声称要拉横幅", phone="13700000002")
    scored(near), scored(far)
    leader = client_for(city.users["leader"]).get("/warning/")
    assert leader.status_code == 200
    html = leader.content.decode()
    assert near.code in html
    assert far.code in html
    assert "文本含威胁、报复言语（扬言、报复）" in html
    assert f'href="/risk/open/{near.code}/"' in html  # 重点: one click to the register
    mine = client_for(city.users["grid_worker"]).get("/warning/").content.decode()
    assert near.code in mine
    assert far.code not in mine
    street = client_for(city.users["leader"]).get(f"/warning/?grade=key&street={city.other_street.pk}")
    assert far.code in street.content.decode()
    assert near.code not in street.content.decode()
    none_tab = client_for(city.users["leader"]).get("/warning/?grade=watch").content.decode()
    assert near.code not in none_tab


def test_parties_with_several_cases_are_masked(city: City, installed: None) -> None:
    Threshold.objects.filter(grade="watch").update(min_probability=0.0)
    for title in ("邻里纠纷，对方扬言要报复", "再次反映：邻里纠纷"):
        scored(case_at(city, 0, title))
    html = client_for(city.users["leader"]).get("/warning/").content.decode()
    assert "李**" in html
    assert "137****0001" in html
    assert "李四光" not in html
    assert "13700000001" not in html


def test_module_pages_list_addresses_with_figures(city: City, installed: None) -> None:
    rental = case_at(city, 0, "房东不退押金", "房东不退押金，还换锁把租客赶出来")
    family = case_at(city, 0, "家庭纠纷", "丈夫长期家暴，现在闹离婚，争夺孩子抚养权")
    assert scored(rental).rental
    assert scored(family).family
    client = client_for(city.users["leader"])
    page = client.get("/warning/rental/")
    assert page.status_code == 200
    html = page.content.decode()
    assert rental.code in html
    assert family.code not in html
    assert 'id="w-chart-data"' in html
    assert "echarts.min.js" in html
    signals = {s["label"]: s["n"] for s in page.context["chart"]["signals"]}
    assert signals == {"租金拖欠、押金纠纷": 1, "驱赶、强制清退": 1}
    family_page = client.get("/warning/family/")
    assert family.code in family_page.content.decode()
    assert rental.code not in family_page.content.decode()
    assert {s["label"] for s in family_page.context["chart"]["signals"]} == {
        "家庭暴力信号", "离婚涉及子女抚养", "离婚纠纷"}
    assert rental.code not in client_for(city.users["other_grid_worker"]).get("/warning/rental/").content.decode()


def test_the_case_page_panel_scores_on_demand(city: City, installed: None) -> None:
    case = case_at(city, 0, "邻里纠纷，对方扬言要报复")
    assert not Score.objects.filter(case=case).exists()
    with time_machine.travel(NOW, tick=False):
        page = client_for(city.users["grid_worker"]).get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="warning-panel"' in page
    assert 'data-testid="warning-probability"' in page
    assert "文本含威胁、报复言语" in page
    assert Score.objects.filter(case=case).count() == 1
    with time_machine.travel(NOW, tick=False):
        again = client_for(city.users["grid_worker"]).post(f"/warning/case/{case.code}/score/")
    assert again.status_code == 302
    assert again["Location"] == f"/cases/{case.code}/"
    assert client_for(city.users["other_grid_worker"]).post(f"/warning/case/{case.code}/score/").status_code == 404


def test_the_panel_says_when_no_model_is_installed(city: City, data_dir: Path) -> None:
    case = case_at(city, 0, "邻里纠纷")
    page = client_for(city.users["grid_worker"]).get(f"/cases/{case.code}/").content.decode()
    assert "尚未安装激化预警模型" in page


def test_refusals(city: City, data_dir: Path) -> None:
    assert Client().get("/warning/").status_code == 302
    assert client_for(city.users["citizen"]).get("/warning/").status_code == 403
    assert client_for(city.users["leader"]).get("/warning/?grade=bogus&street=abc").status_code == 200
    nav = client_for(city.users["leader"]).get("/warning/").content.decode()
    assert 'href="/warning/"' in nav

