"""A dispute's evidence (识别依据) and risk reasons as data, shown in the reader's language.

The detector stores each one as a small dict: what it is (``key``) and its values — the words found, the
count, the channel, the act type — never a sentence, so a page renders it with gettext when it is read
(an English reader sees English).  Rows flagged before 2026-11-30 may hold plain strings (in the language
of whoever ran the scan): those show as they are.

Evidence: ``{"key": "terms", "act": "coercion", "terms": ["强拆"]}``, ``{"key": "category", "category": …}``,
``{"key": "respondent", "agency": …}``, ``{"key": "agency", "agency": …}``, ``{"key": "manual", "reason": …}``.
Risk reasons: ``{"key": "term", "term": "lawyer", "word": "律师"}``, ``{"key": "repeat_contacts", "n": 2}``,
``{"key": "unsatisfied", "n": 1}``, ``{"key": "reopened", "n": 1}``, ``{"key": "channel", "channel": "petition"}``,
``{"key": "severe_act", "act": "coercion"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.legal.states import ACT_LABELS, ActType

Reason = dict[str, Any]
Stored = Reason | str  # a plain string: a row flagged before reasons were kept as data

# a risk term's name → what it says (the word found follows it)
TERM_REASONS: dict[str, str] = {
    "reconsideration": gettext_noop("提及行政复议"),
    "litigation": gettext_noop("提及起诉或诉讼"),
    "lawyer": gettext_noop("提及律师"),
    "sue": gettext_noop("扬言要告"),
    "petition": gettext_noop("提及上访"),
    "media": gettext_noop("扬言曝光"),
    "rights": gettext_noop("主张权利受到侵害"),
}
# the channels that raise the risk → what they say
CHANNEL_REASONS: dict[str, str] = {
    "petition": gettext_noop("经信访渠道反映"),
    "court_12368": gettext_noop("经 12368 诉讼服务热线反映"),
    "procuratorate_12309": gettext_noop("经 12309 检察服务热线反映"),
}
# key → template (its placeholders are filled by ``_values``)
TEMPLATES: dict[str, str] = {
    "terms": gettext_noop("%(act)s用语：%(terms)s"),
    "category": gettext_noop("分类：%(c)s"),
    "respondent": gettext_noop("被反映对象为行政机关：%(a)s"),
    "agency": gettext_noop("涉及行政机关：%(a)s"),
    "manual": gettext_noop("人工识别：%(r)s"),
    "term": gettext_noop("%(reason)s（“%(word)s”）"),
    "repeat_contacts": gettext_noop("重复反映 %(n)s 次"),
    "unsatisfied": gettext_noop("不满意评价 %(n)s 次"),
    "reopened": gettext_noop("重办 %(n)s 次"),
    "severe_act": gettext_noop("%(act)s类争议诉讼率高"),
}


def _act(value: Any) -> str:
    try:
        return str(ACT_LABELS[ActType(value)])
    except ValueError:
        return str(value)


def _values(item: Reason) -> dict[str, Any]:
    key = item["key"]
    if key == "terms":
        return {"act": _act(item.get("act")), "terms": "、".join(str(t) for t in item.get("terms") or [])}
    if key == "category":
        return {"c": item.get("category", "")}
    if key in ("respondent", "agency"):
        return {"a": item.get("agency", "")}
    if key == "manual":
        return {"r": item.get("reason", "")}
    if key == "term":
        name = item.get("term", "")
        return {"reason": _(TERM_REASONS[name]) if name in TERM_REASONS else name, "word": item.get("word", "")}
    if key == "severe_act":
        return {"act": _act(item.get("act"))}
    return {"n": item.get("n", 0)}


def _render(item: Stored) -> str:
    if isinstance(item, str):
        return item
    key = item.get("key")
    if key == "channel":
        channel = str(item.get("channel", ""))
        return _(CHANNEL_REASONS[channel]) if channel in CHANNEL_REASONS else channel
    if key in TEMPLATES:
        return _(TEMPLATES[str(key)]) % _values(item)
    return str(item.get("text") or "；".join(str(v) for k, v in item.items() if k != "key"))  # not one of ours


def render(item: Stored, *, translate: bool = True) -> str:
    """One stored item as a sentence: in the active language, or (``translate=False``) in the source
    language, Chinese, as the case's hash chain keeps it.  A plain string is shown as it is."""
    if translate:
        return _render(item)
    with translation.override(None):  # no catalog: every message is its Chinese msgid
        return _render(item)


def texts(items: Iterable[Stored] | None, *, translate: bool = True) -> list[str]:
    """Each stored item as a sentence (see ``render``)."""
    if translate:
        return [_render(item) for item in items or []]
    with translation.override(None):
        return [_render(item) for item in items or []]


def same(a: Iterable[Stored] | None, b: Iterable[Stored] | None) -> bool:
    """Do two lists say the same?  Compared by their Chinese sentences, so a row holding the plain strings of
    an earlier scan equals the same reasons kept as data."""
    return texts(a, translate=False) == texts(b, translate=False)
