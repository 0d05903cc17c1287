"""The report: Chinese text read back from the PDF (scope, consultation, items, grade, measures, conclusion),
citizens' names and phones never in it, made once and kept with its SHA-256."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from fengqiao.mediation.pdf import render_pdf
from fengqiao.stability import pdf, public
from fengqiao.stability.models import Decision
from fengqiao.stability.states import DState
from tests.factories import City
from tests.stability.builders import advance, created

pytestmark = pytest.mark.django_db


def read(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_says_what_was_assessed_and_concluded(city: City) -> None:
    cache.clear()
    decision = advance(city, created(city), DState.CONSULTING)
    public.submit(decision.code, stance="oppose", text="反对建在小学旁边", name="李秀兰", phone="13900001111")
    decision = advance(city, Decision.objects.get(pk=decision.pk), DState.REPORTED)
    # compared without line breaks and spaces (the extraction keeps some spaces and drops others)
    text = read(render_pdf(pdf.report_document(decision))).replace("\n", "").replace(" ", "")
    expected_lines = (
        "重大决策社会稳定风险评估报告", "城东垃圾焚烧发电厂选址", decision.code, "公共设施选址",
        "决策机关：市住房和城乡建设局", "评估主体：城东街道办事处（委托第三方：江苏某社会稳定风险评估中心）",
        "影响范围：城东街道", "受影响人口约 12000 人", "座谈会：参与 40 人，支持 22、反对 8、中立 10",
        "网上征询：收到群众意见 1 条", "合计意见 41 条", "反对 9（22.0%）", "【可控性】周边居民可能聚集反对",
        "风险值 12，中风险", "综合评定风险等级：中风险", "建立排放在线监测并向社会公开",
        "责任单位：市生态环境局", "评估结论：附条件实施", "落实监测公开和补偿措施后可以实施")
    for expected in expected_lines:
        assert expected.replace(" ", "") in text, expected
    assert "李秀兰" not in text
    assert "13900001111" not in text
    assert "反对建在小学旁边" not in text  # a citizen's own words stay in the system, counted in the report
    cache.clear()


def test_the_pdf_is_made_once_and_kept_with_its_hash(city: City) -> None:
    decision = advance(city, created(city), DState.REPORTED)
    made = pdf.ensure_report_pdf(decision)
    data = made.report_pdf.open("rb").read()
    assert made.report_sha256 == hashlib.sha256(data).hexdigest()
    assert len(data) > 5000
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.report_sha256 == made.report_sha256
    assert stored.report_pdf.name == made.report_pdf.name
    again = pdf.ensure_report_pdf(stored)
    assert again.report_pdf.name == made.report_pdf.name
