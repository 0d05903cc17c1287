"""The documents: the agreement from the kind's template (or the default one), the ruling, the Chinese font
(WenQuanYi when present, else the built-in CID font), read back with pypdf."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from pypdf import PdfReader

from fengqiao.kit.errors import Conflict
from fengqiao.mediation import pdf
from fengqiao.mediation.models import Agreement, MediationKind
from fengqiao.mediation.services import outcome
from fengqiao.mediation.states import MState
from tests.factories import build_city
from tests.mediation import steps
from tests.mediation.factories import build_world

pytestmark = pytest.mark.django_db



def read(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_default_agreement_names_the_parties_facts_terms_and_signatures(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, agreement = steps.agreed(world, traveller)
    document = pdf.agreement_document(mediation, agreement)
    assert document.title == "人民调解协议书"
    text = read(pdf.render_pdf(document))
    for expected in ("人民调解协议书", "申请人：张三", "被申请人：李四", "纠纷事实", "夜间施工", "协议内容",
                     "赔偿申请人损失 1500 元", "2026年3月31日前履行完毕", "调解员（签名）：王秀英",
                     "城东街道人民调解委员会（盖章）", "2026年3月3日", "申请司法确认", mediation.code):
        assert expected in text, expected
    assert text.count("（签名）") == 3  # both parties and the mediator


def test_a_kind_template_changes_the_document(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, agreement = steps.agreed(world, traveller)
    before = pdf.render_pdf(pdf.agreement_document(mediation, agreement))
    kind = MediationKind.objects.get(code="peoples")
    kind.agreement_template = ("## 双方当事人\n{% for p in parties %}{{ p.name }}（{{ p.role }}）\n{% endfor %}"
                               "## 约定\n{{ terms }}\n本协议由{{ unit }}见证。")
    kind.document_title = "邻里和解书"
    kind.save()
    mediation.kind.refresh_from_db()
    after = pdf.render_pdf(pdf.agreement_document(mediation, agreement))
    assert after != before
    text = read(after)
    assert "邻里和解书" in text
    assert "张三（申请人）" in text
    assert "本协议由城东街道人民调解委员会见证" in text
    assert "纠纷事实" not in text


def test_a_broken_template_is_refused_and_nothing_is_signed(traveller: Any) -> None:
    world = build_world(build_city())
    mediation = steps.held(world, traveller)
    MediationKind.objects.filter(code="peoples").update(agreement_template="{% for p in parties %}{{ p.name }}")
    with pytest.raises(Conflict, match="文书模板有误"):
        outcome.agree(world.users["mediator_a"], mediation.code,
                      outcome.AgreementInput(facts=steps.FACTS, terms=steps.TERMS))
    assert steps.fresh(mediation).status == MState.IN_PROGRESS
    assert not Agreement.objects.exists()


def test_the_same_document_makes_the_same_bytes(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, agreement = steps.agreed(world, traveller)
    document = pdf.agreement_document(mediation, agreement)
    assert pdf.render_pdf(document) == pdf.render_pdf(document)  # invariant: the sha256 identifies the text


def test_without_the_font_file_the_built_in_cid_font_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "WQY", Path("/nonexistent/wqy-microhei.ttc"))
    pdf.font_name.cache_clear()
    try:
        assert pdf.font_name() == pdf.CID_FONT
        data = pdf.render_pdf(pdf.Document(title="人民调解协议书", body="## 协议内容\n双方和解。", footer="测试"),
                              compress=False)
        assert b"/BaseFont /STSong-Light" in data
        assert "协议内容" in read(data)
    finally:
        pdf.font_name.cache_clear()
    monkeypatch.undo()
    assert pdf.font_name() == (pdf.TTF_NAME if pdf.WQY.exists() else pdf.CID_FONT)


def test_documents_stay_chinese_when_the_page_is_in_english(traveller: Any) -> None:
    world = build_world(build_city())
    mediation, agreement = steps.agreed(world, traveller)
    with translation.override("en"):
        document = pdf.agreement_document(mediation, agreement)
    assert "申请人" in document.body
    assert "Applicant" not in document.body
