"""The mediation's documents as PDF (docs/adr/0011-mediation-documents.md): the agreement (调解协议书), made
from its kind's template, and the court's ruling on a judicial confirmation (民事裁定书).

A document is text first: a Django template renders plain lines (``## `` starts a heading, a blank line
separates paragraphs); reportlab lays them out on A4.  Chinese glyphs come from WenQuanYi Micro Hei when
the machine has it (embedded, subset), else from reportlab's built-in CID font STSong-Light (not
embedded; every PDF reader ships it), so a server without fonts still makes readable documents.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.cases.models import Party, PartyRole
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict
from fengqiao.mediation.models import Agreement, Confirmation, Mediation

P = ParamSpec("P")
R = TypeVar("R")

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CID_FONT = "STSong-Light"
TTF_NAME = "WenQuanYiMicroHei"

# The default agreement: the parties in full (it is their own document, served only to those allowed).
DEFAULT_AGREEMENT = """\
编号：{{ code }}

{% for p in parties %}{{ p.role }}：{{ p.name }}{% if p.id_number %}，身份证号 {{ p.id_number }}{% endif %}\
{% if p.address %}，住址 {{ p.address }}{% endif %}
{% endfor %}
## 纠纷事实
{{ facts }}

## 协议内容
经{{ unit }}主持调解，双方当事人自愿达成如下协议：
{{ terms }}
{% if perform_by %}
履行期限：{{ perform_by }}前履行完毕。{% endif %}

本协议一式三份，双方当事人和{{ unit }}各执一份，自各方签名（盖章）之日起生效。当事人应当按照约定履行。\
{% if can_confirm %}双方当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。{% endif %}

## 签名
{% for p in parties %}{{ p.role }}（签名）：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿
{% endfor %}调解员（签名）：{{ mediator }}　　日期：{{ signed_on }}

{{ unit }}（盖章）
{{ signed_on }}
"""

RULING = """\
（{{ year }}）{{ court_code }}民特{{ number }}号

{% for p in parties %}申请人：{{ p.name }}{% if p.id_number %}，身份证号 {{ p.id_number }}{% endif %}\
{% if p.address %}，住址 {{ p.address }}{% endif %}
{% endfor %}
本院于{{ applied_on }}受理了申请人{{ names }}关于司法确认调解协议的申请，并依法进行了审查。

申请人于{{ signed_on }}经{{ unit }}主持调解，达成了如下调解协议（{{ document_title }}，解纷码 {{ code }}）：
{{ terms }}

{% if confirmed %}本院经审查认为，申请人达成的调解协议符合司法确认的条件。依照《中华人民共和国民事诉讼法》\
第二百零五条、第二百零六条规定，裁定如下：

申请人{{ names }}于{{ signed_on }}达成的调解协议有效。

当事人应当按照调解协议的约定自觉履行义务。一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。\
{% if note %}

{{ note }}{% endif %}{% else %}本院经审查认为：{{ reason }}

依照《中华人民共和国民事诉讼法》第二百零六条规定，裁定如下：

驳回申请人{{ names }}的司法确认申请。

当事人可以通过调解方式变更原调解协议或者达成新的调解协议，也可以向人民法院提起诉讼。{% endif %}

本裁定书自即日起发生法律效力。

审判员　{{ judge }}
{{ ruled_on }}
"""

ENGINE = Engine(autoescape=False, libraries={}, builtins=["django.template.defaultfilters",
                                                            "django.template.defaulttags"])


@dataclass(frozen=True)
class Document:
    title: str
    body: str  # the rendered template: plain lines
    footer: str


@lru_cache(maxsize=1)
def font_name() -> str:
    """Register the Chinese font once per process: the TTF when present, else the CID font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if WQY.exists():
        try:
            pdfmetrics.registerFont(TTFont(TTF_NAME, str(WQY), subfontIndex=0))
            return TTF_NAME
        except Exception:
            pass
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def chinese_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = clock.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _parties(mediation: Mediation) -> list[dict[str, str]]:
    order: dict[str, int] = {PartyRole.APPLICANT.value: 0, PartyRole.RESPONDENT.value: 1}
    rows = sorted(Party.objects.filter(case_id=mediation.case_id), key=lambda p: (order.get(p.role, 2), p.pk))
    return [{"role": str(p.get_role_display()), "name": p.name, "id_number": p.id_number, "address": p.address}
            for p in rows]


def render_text(template: str, context: dict[str, Any]) -> str:
    """A document template (Django syntax, no HTML escaping) rendered to plain text; a template the
    administrators broke is refused (409), naming the problem, rather than failing with a 500."""
    try:
        return ENGINE.from_string(template).render(Context(context, autoescape=False))
    except TemplateSyntaxError as e:
        raise Conflict(_("文书模板有误，无法生成：%(e)s。请联系管理员修改调解类型的协议书模板。") % {"e": e}) from e


def in_chinese(build: Callable[P, R]) -> Callable[P, R]:
    """Documents are Chinese legal texts whatever language the page that asked for them is in (a party's
    role label would otherwise come out as "Applicant")."""
    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override("zh-hans"):
            return build(*args, **kwargs)
    return wrapper


@in_chinese
def agreement_document(mediation: Mediation, agreement: Agreement) -> Document:
    kind = mediation.kind
    unit = mediation.unit.name if mediation.unit else ""
    parties = _parties(mediation)
    context = {
        "code": mediation.code, "parties": parties, "facts": agreement.facts, "terms": agreement.terms,
        "perform_by": chinese_date(agreement.perform_by), "unit": unit, "kind": kind.name,
        "mediator": mediation.mediator.name if mediation.mediator else "", "mediation": mediation,
        "signed_on": chinese_date(agreement.signed_at), "can_confirm": kind.has_step("confirm"),
        "dispute_type": mediation.dispute_type.name if mediation.dispute_type else "",
    }
    body = render_text(kind.agreement_template or DEFAULT_AGREEMENT, context)
    return Document(title=kind.document_title, body=body, footer=f"{unit} · {mediation.code}")


@in_chinese
def ruling_document(mediation: Mediation, agreement: Agreement, confirmation: Confirmation) -> Document:
    parties = _parties(mediation)
    confirmed = confirmation.status == "confirmed"
    judge = confirmation.judge
    context = {
        "year": clock.localtime(confirmation.ruled_at or clock.now()).year, "court_code": confirmation.court.code,
        "number": f"{confirmation.pk:04d}", "parties": parties, "names": "、".join(p["name"] for p in parties),
        "applied_on": chinese_date(confirmation.applied_at), "signed_on": chinese_date(agreement.signed_at),
        "unit": mediation.unit.name if mediation.unit else "", "document_title": mediation.kind.document_title,
        "code": mediation.code, "terms": agreement.terms, "confirmed": confirmed, "reason": confirmation.reason,
        "note": "" if not confirmed else confirmation.reason, "ruled_on": chinese_date(confirmation.ruled_at),
        "judge": (getattr(judge, "display_name", "") or judge.get_full_name() or judge.get_username())
        if judge else "",
    }
    return Document(title=f"{confirmation.court.name}\n民事裁定书", body=render_text(RULING, context),
                    footer=f"{confirmation.court.name} · {mediation.code}")


def render_pdf(document: Document, *, compress: bool = True) -> bytes:
    """The document laid out on A4 with the Chinese font; headings from ``## `` lines."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = font_name()
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=6 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=20, spaceBefore=4 * mm,
                             spaceAfter=2 * mm)
    text = ParagraphStyle("text", fontName=font, fontSize=11.5, leading=20, wordWrap="CJK", firstLineIndent=0)
    story: list[Any] = [Paragraph(escape(line), title) for line in document.title.splitlines()]
    for line in document.body.splitlines():
        stripped = line.strip()
        if not stripped:
            story.append(Spacer(1, 2 * mm))
        elif stripped.startswith("## "):
            story.append(Paragraph(escape(stripped[3:]), heading))
        else:
            story.append(Paragraph(escape(stripped), text))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{document.footer} · {_('第 %(n)s 页') % {'n': doc.page}}")
        canvas.restoreState()

    out = BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                            bottomMargin=22 * mm, title=document.title.replace("\n", " "), author=document.footer,
                            pageCompression=1 if compress else 0, invariant=1)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def store(target: Agreement | Confirmation, filename: str, data: bytes) -> None:
    """Put the PDF on the row's file field with its SHA-256 (the row is saved by the caller)."""
    target.sha256 = hashlib.sha256(data).hexdigest()
    target.pdf.save(f"{target.sha256[:12]}-{filename}", ContentFile(data), save=False)


def ensure_agreement_pdf(agreement: Agreement) -> Agreement:
    """The agreement with its PDF: made and stored now when it has none (the demo's history and agreements
    kept before the documents were).  The row is locked, so two first openings write it once."""
    if agreement.pdf:
        return agreement
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if not locked.pdf:
            mediation = Mediation.objects.select_related("kind", "unit", "mediator", "dispute_type").get(
                pk=locked.mediation_id)
            store(locked, "agreement.pdf", render_pdf(agreement_document(mediation, locked)))
            locked.save(update_fields=["pdf", "sha256"])
    return locked


def ensure_ruling_pdf(confirmation: Confirmation) -> Confirmation | None:
    """The confirmation with its ruling's PDF, made and stored now when it has none; None while the court
    has not ruled (there is no ruling yet).  The row is locked, as for the agreement."""
    if confirmation.pdf:
        return confirmation
    if confirmation.status == "pending" or confirmation.ruled_at is None:
        return None
    with transaction.atomic():
        locked = Confirmation.objects.select_for_update().get(pk=confirmation.pk)
        if not locked.pdf:
            mediation = Mediation.objects.select_related("kind", "unit").get(pk=locked.mediation_id)
            agreement = Agreement.objects.get(mediation=mediation)
            store(locked, "ruling.pdf", render_pdf(ruling_document(mediation, agreement, locked)))
            locked.save(update_fields=["pdf", "sha256"])
    return locked
