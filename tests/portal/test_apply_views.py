"""申请 in the citizen app: verification first; the happy path to the dispute code and its QR code; every
bad field named at the field, the form kept, nothing registered."""

from __future__ import annotations

from typing import Any

import pytest
import segno
from django.test import Client

from fengqiao.cases.models import Attachment, Case, CaseEvent, PartyRole
from fengqiao.kit import pii
from fengqiao.mediation.models import DisputeType, Mediation
from fengqiao.mediation.states import MState
from fengqiao.portal import qr
from tests.mediation.factories import APPLICANT_PHONE, RESPONDENT_PHONE, World
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "peoples", "dispute_type": str(DisputeType.objects.get(code="neighbour").pk),
        "street": str(world.city.street.pk), "address": "东风社区 3 幢",
        "description": "邻居装修噪音持续三个月，晚上十点后仍在施工，多次沟通无果。",
        "demand": "要求对方晚上十点后停止施工，并赔偿损失 2000 元。", "amount": "2000",
        "applicant_name": "张三", "applicant_id_number": "",
        "respondent_name": ["李四"], "respondent_phone": [RESPONDENT_PHONE],
    }
    data.update(changes)
    return data


def test_applying_needs_a_verified_phone(world: World) -> None:
    response = Client().get("/portal/apply/mediation/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/verify/?next=%2Fportal%2Fapply%2Fmediation%2F"


def test_an_unknown_request_type_is_a_404(world: World) -> None:
    assert Client().get("/portal/apply/divorce/").status_code == 404


def test_the_form_lists_streets_under_their_districts(world: World, traveller: Any) -> None:
    page = sign_in(Client()).get("/portal/apply/mediation/").content.decode()
    assert '<optgroup label="海陵区">' in page
    assert "城东街道" in page
    assert "城西街道" in page


def test_applying_gives_the_dispute_code_and_its_qr_code(world: World, traveller: Any) -> None:
    client = sign_in(Client())
    response = client.post("/portal/apply/mediation/", form(world, evidence=[_file("现场.png", PNG)]))
    assert response.status_code == 302
    mediation = Mediation.objects.get()
    assert response["Location"] == f"/portal/track/{mediation.code}/saved/"
    assert (mediation.status, mediation.request_type, mediation.unit) == (MState.APPLIED, "mediation",
                                                                          world.committee)
    assert mediation.applicant_phone_hash == pii.lookup_hash("phone", APPLICANT_PHONE)
    parties = {p.role: (p.name, p.phone) for p in mediation.case.parties.all()}
    assert parties == {PartyRole.APPLICANT: ("张三", APPLICANT_PHONE), PartyRole.RESPONDENT: ("李四", RESPONDENT_PHONE)}
    assert Attachment.objects.get(case=mediation.case).name == "现场.png"
    assert list(CaseEvent.objects.filter(case=mediation.case).order_by("seq").values_list("action", flat=True)) == [
        "register", "m_apply", "dispatch", "m_evidence"]
    saved = client.get(response["Location"]).content.decode()
    assert mediation.code in saved
    url = f"http://testserver/portal/track/{mediation.code}/"
    assert qr.svg(url) in saved  # the QR code of the public tracking URL
    assert segno.make(url, error="m").designator == "4-M"


def test_the_qr_code_uses_the_public_base_url(world: World, traveller: Any, settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://jfm.example.gov.cn"
    client = sign_in(Client())
    client.post("/portal/apply/mediation/", form(world))
    code = Mediation.objects.get().code
    svg = client.get(f"/portal/track/{code}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content == qr.svg_document(f"https://jfm.example.gov.cn/portal/track/{code}/")


def test_choosing_now_goes_on_to_the_mediators(world: World, traveller: Any) -> None:
    client = sign_in(Client())
    response = client.post("/portal/apply/mediation/", form(world, choose_now="1"))
    assert response["Location"].endswith("/saved/?choose=1")
    assert "选择调解员" in client.get(response["Location"]).content.decode()


def test_every_bad_field_is_named_and_the_form_is_kept(world: World, traveller: Any) -> None:
    client = sign_in(Client())
    response = client.post("/portal/apply/mediation/", form(
        world, applicant_name="", description="太短", amount="两千", street="",
        applicant_id_number="32120219900101001X", respondent_name=["", "王五"],
        respondent_phone=["13900002222", "12345"]))
    assert response.status_code == 400
    page = response.content.decode()
    for message in ("请填写申请人姓名", "请把纠纷经过写清楚（至少 10 个字）", "金额应为数字", "请选择纠纷发生的镇街",
                    "身份证号校验位不正确", "请填写被申请人姓名", "电话号码格式不正确"):
        assert message in page, message
    assert "要求对方晚上十点后停止施工" in page  # what was typed stays
    assert 'value="王五"' in page
    assert Mediation.objects.count() == 0
    assert Case.objects.count() == 0


def test_a_mediation_needs_a_respondent_a_consultation_does_not(world: World, traveller: Any) -> None:
    client = sign_in(Client())
    refused = client.post("/portal/apply/mediation/", form(world, respondent_name=[""], respondent_phone=[""]))
    assert refused.status_code == 400
    assert "请填写被申请人（对方当事人）" in refused.content.decode()
    assert Mediation.objects.count() == 0
    asked = client.post("/portal/apply/consultation/", form(world, kind="lawyer", respondent_name=[""],
                                                            respondent_phone=[""]))
    assert asked.status_code == 302
    assert Mediation.objects.get().request_type == "consultation"


def test_a_file_that_is_not_what_its_name_says_registers_nothing(world: World, traveller: Any) -> None:
    client = sign_in(Client())
    response = client.post("/portal/apply/mediation/", form(world, evidence=[_file("合同.pdf", b"just text")]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "与扩展名 .pdf 不符" in page
    assert "请重新选择证据文件" in page
    assert (Mediation.objects.count(), Case.objects.count(), Attachment.objects.count()) == (0, 0, 0)


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
