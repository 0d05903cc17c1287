"""A dispute's evidence and risk reasons kept as data (``fengqiao.legal.reasons``), so pages show them in the
reader's language.  Rows flagged before held Chinese sentences: each sentence the detector wrote in Chinese
becomes its item again, and only when the item reads back as exactly the same sentence; anything else (an
English sentence from a scan run in English, a text edited by hand) stays a plain string, shown as it is.
Backwards, the items become their Chinese sentences.  The case's hash chain is not touched."""

import re
from typing import Any

from django.db import migrations

from fengqiao.legal.reasons import Stored, render, texts

BATCH = 1000

# the sentences as the detector wrote them until 2026-11-30 (frozen here: the labels then)
TERMS = {"提及行政复议": "reconsideration", "提及起诉或诉讼": "litigation", "提及律师": "lawyer", "扬言要告": "sue",
         "提及上访": "petition", "扬言曝光": "media", "主张权利受到侵害": "rights"}
CHANNELS = {"经信访渠道反映": "petition", "经 12368 诉讼服务热线反映": "court_12368",
            "经 12309 检察服务热线反映": "procuratorate_12309"}
ACTS = {"行政处罚": "penalty", "行政许可": "licensing", "行政强制": "coercion", "征收补偿": "expropriation",
        "行政确认": "confirmation", "行政不作为": "inaction", "政府信息公开": "disclosure", "行政给付": "benefit",
        "行政收费": "charge"}
COUNTS = [(re.compile(r"重复反映 (\d+) 次"), "repeat_contacts"), (re.compile(r"不满意评价 (\d+) 次"), "unsatisfied"),
          (re.compile(r"重办 (\d+) 次"), "reopened")]
PREFIXES = [("分类：", "category", "category"), ("被反映对象为行政机关：", "respondent", "agency"),
            ("涉及行政机关：", "agency", "agency"), ("人工识别：", "manual", "reason")]
TERM = re.compile(r"(.+?)（“([^”]*)”）", re.S)
SEVERE = re.compile(r"(.+)类争议诉讼率高", re.S)
ACT_TERMS = re.compile(r"(.+?)用语：(.+)", re.S)


def parse(text: str) -> dict[str, Any] | None:
    """The item a Chinese sentence of the detector's says, or None."""
    if text in CHANNELS:
        return {"key": "channel", "channel": CHANNELS[text]}
    for pattern, key in COUNTS:
        if m := pattern.fullmatch(text):
            return {"key": key, "n": int(m.group(1))}
    if (m := TERM.fullmatch(text)) and m.group(1) in TERMS:
        return {"key": "term", "term": TERMS[m.group(1)], "word": m.group(2)}
    if (m := SEVERE.fullmatch(text)) and m.group(1) in ACTS:
        return {"key": "severe_act", "act": ACTS[m.group(1)]}
    if (m := ACT_TERMS.fullmatch(text)) and m.group(1) in ACTS:
        return {"key": "terms", "act": ACTS[m.group(1)], "terms": m.group(2).split("、")}
    for prefix, key, name in PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return {"key": key, name: text[len(prefix):]}
    return None


def as_data(stored: Stored) -> Stored:
    """A plain sentence as its item when it reads back the same; anything else unchanged."""
    if not isinstance(stored, str):
        return stored
    item = parse(stored)
    return item if item is not None and render(item, translate=False) == stored else stored


def _convert(apps: Any, change: Any) -> None:
    Dispute = apps.get_model("legal", "Dispute")
    changed = []
    for d in Dispute.objects.only("pk", "evidence", "risk_reasons").order_by("pk").iterator(chunk_size=BATCH):
        evidence, risk_reasons = change(d.evidence), change(d.risk_reasons)
        if (evidence, risk_reasons) != (d.evidence, d.risk_reasons):
            d.evidence, d.risk_reasons = evidence, risk_reasons
            changed.append(d)
        if len(changed) >= BATCH:
            Dispute.objects.bulk_update(changed, ["evidence", "risk_reasons"])
            changed = []
    Dispute.objects.bulk_update(changed, ["evidence", "risk_reasons"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _convert(apps, lambda items: [as_data(x) for x in items or []] if isinstance(items, list) else items)


def backwards(apps: Any, schema_editor: Any) -> None:
    _convert(apps, lambda items: texts(items, translate=False) if isinstance(items, list) else items)


class Migration(migrations.Migration):

    dependencies = [
        ('legal', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
