"""What the assessment pages show of a decision: tones, the stage bar, the timeline, the consultation's
figures (for the table and the ECharts chart), the likelihood × impact heat table, and the register's risks
in the affected area (结果运用: read-only context for risk identification)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import User
from fengqiao.risk.models import RiskEntry
from fengqiao.risk.selectors import visible as visible_risks
from fengqiao.risk.states import RState
from fengqiao.stability import grading
from fengqiao.stability.models import Channel, Decision
from fengqiao.stability.states import (
    ACTION_LABELS,
    CONCLUSION_LABELS,
    GRADE_LABELS,
    STATE_LABELS,
    Conclusion,
    DAction,
    DState,
    Grade,
)

S = DState
GRADE_TONES = {"high": "red", "medium": "orange", "low": "green"}
CONCLUSION_TONES = {"go": "green", "conditional": "teal", "postpone": "orange", "stop": "red"}
STAGES = [((S.DRAFT,), gettext_lazy("立项")), ((S.PLANNED,), gettext_lazy("方案")),
          ((S.CONSULTING,), gettext_lazy("征询")), ((S.IDENTIFYING,), gettext_lazy("识别")),
          ((S.GRADED,), gettext_lazy("评级")), ((S.MEASURES,), gettext_lazy("措施")),
          ((S.CONCLUDED,), gettext_lazy("结论")), ((S.REPORTED,), gettext_lazy("报告")),
          ((S.TRACKING, S.CLOSED), gettext_lazy("跟踪"))]
_ORDER = [s for states, _label in STAGES for s in states]


def stages(decision: Decision) -> list[dict[str, Any]]:
    at = _ORDER.index(decision.state) if decision.state in _ORDER else -1
    out = []
    for states, label in STAGES:
        first = _ORDER.index(states[0])
        out.append({"label": label, "done": first <= at, "current": decision.state in states})
    return out


def timeline(decision: Decision) -> list[dict[str, Any]]:
    items = []
    for event in decision.events.select_related("actor").order_by("-seq"):
        data, facts = event.data or {}, []
        if data.get("grade"):
            facts.append(_("等级：%(g)s") % {"g": GRADE_LABELS[Grade(data["grade"])]})
        if data.get("override"):
            facts.append(_("建议：%(g)s") % {"g": GRADE_LABELS[Grade(data["suggested"])]})
        if data.get("level"):
            facts.append(_("风险点：%(g)s") % {"g": GRADE_LABELS[Grade(data["level"])]})
        if data.get("conclusion"):
            facts.append(str(CONCLUSION_LABELS[Conclusion(data["conclusion"])]))
        if data.get("unit_name"):
            facts.append(_("责任单位：%(u)s") % {"u": data["unit_name"]})
        if data.get("channel") and data["channel"] in Channel.values:
            facts.append(str(Channel(data["channel"]).label))
        if data.get("stance"):
            facts.append({"support": _("支持"), "oppose": _("反对"), "neutral": _("中立")}.get(data["stance"], ""))
        if event.from_state != event.to_state and event.to_state:
            facts.append(str(STATE_LABELS[DState(event.to_state)]))
        try:
            label = str(ACTION_LABELS[DAction(event.action)])
        except ValueError:
            label = event.action
        # a citizen's opinion is shown by its stance only (its text is on the opinions' list, masked)
        note = "" if event.action == DAction.PUBLIC_OPINION else event.note
        items.append({"event": event, "label": label, "facts": facts, "note": note})
    return items


def consultation(decision: Decision) -> dict[str, Any]:
    """Counts by channel and in total, and the chart's data (stacked bars by channel)."""
    rows = {c: {"support": 0, "oppose": 0, "neutral": 0, "n": 0} for c in Channel.values}
    for r in decision.opinions.values("channel").annotate(s=Sum("support"), o=Sum("oppose"), m=Sum("neutral")):
        rows[r["channel"]] = {"support": r["s"], "oppose": r["o"], "neutral": r["m"], "n": r["s"] + r["o"] + r["m"]}
    used = [(c, rows[c]) for c in Channel.values if rows[c]["n"]]
    total = {k: sum(r[k] for _c, r in used) for k in ("support", "oppose", "neutral", "n")}
    share = {k: (total[k] * 100 / total["n"] if total["n"] else 0.0) for k in ("support", "oppose", "neutral")}
    chart = {"channels": [str(Channel(c).label) for c, _r in used],
             "support": [r["support"] for _c, r in used], "oppose": [r["oppose"] for _c, r in used],
             "neutral": [r["neutral"] for _c, r in used],
             "labels": {"support": _("支持"), "oppose": _("反对"), "neutral": _("中立")}}
    return {"rows": [{"channel": Channel(c).label, **r} for c, r in used], "total": total, "share": share,
            "chart": chart, "strong": total["n"] > 0 and share["oppose"] >= grading.STRONG_OPPOSITION * 100}


def matrix(decision: Decision) -> dict[str, Any]:
    """The 5 × 5 heat table: rows impact 5 → 1, columns likelihood 1 → 5, each cell its level and items."""
    numbered = list(enumerate(decision.items.order_by("pk"), 1))
    rows = []
    for impact in reversed(grading.SCALE):
        cells = []
        for chance in grading.SCALE:
            here = [n for n, item in numbered if item.likelihood == chance and item.impact == impact]
            cells.append({"level": grading.item_level(chance, impact).value, "items": here, "score": chance * impact})
        rows.append({"impact": impact, "label": grading.IMPACT_LABELS[impact], "cells": cells})
    columns = [{"value": v, "label": grading.LIKELIHOOD_LABELS[v]} for v in grading.SCALE]
    return {"rows": rows, "columns": columns, "items": numbered}


GRADE_RANK = Case(When(grade="key", then=Value(0)), When(grade="general", then=Value(1)), default=Value(2),
                  output_field=IntegerField())


def register_risks(user: User, decision: Decision) -> tuple[QuerySet[RiskEntry], int]:
    """The register's entries (read-only, as the reader may see them) located in the decision's area."""
    q = Q(pk__in=[])
    for path in decision.areas.values_list("path", flat=True):
        q |= (Q(street__path=path) | Q(street__path__startswith=f"{path}/") | Q(community__path=path)
              | Q(grid__path__startswith=f"{path}/"))
    qs = visible_risks(user).filter(q).exclude(status=RState.DISMISSED)
    return (qs.select_related("street", "community", "grid").annotate(rank=GRADE_RANK)
            .order_by("rank", "-opened_at")[:10], qs.count())


def grade_label(value: str) -> str:
    return str(GRADE_LABELS[Grade(value)]) if value else ""


def opinion_rows(decision: Decision, limit: int = 30) -> list[dict[str, Any]]:
    """The latest opinions; a citizen's name and phone masked (they are never shown in full)."""
    from fengqiao.kit.pii import mask_name, mask_phone

    rows = []
    for o in decision.opinions.select_related("recorded_by").order_by("-held_on", "-pk")[:limit]:
        who = "、".join(x for x in (mask_name(o.contact_name), mask_phone(o.contact_phone) if o.contact_phone else "")
                       if x) if o.public else (str(o.recorded_by) if o.recorded_by else "")
        stance = ("support" if o.support else "oppose" if o.oppose else "neutral") if o.public else ""
        rows.append({"o": o, "who": who, "stance": stance})
    return rows
