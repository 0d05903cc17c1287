"""What the register's pages show of an entry: grade tones, its area, overdue reviews, its stages and
its events as a timeline; whether a user may open an entry and a case's live entry (for the case page)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import User
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError
from fengqiao.risk import selectors, services
from fengqiao.risk.models import RiskEntry
from fengqiao.risk.states import ACTION_LABELS, GRADE_LABELS, LIVE, REVIEWED, STATE_LABELS, RAction, RState

S = RState
GRADE_TONES = {"key": "red", "general": "orange", "watch": "grey"}
STAGES = [(S.SCREENED, gettext_lazy("排查")), (S.IDENTIFIED, gettext_lazy("识别")), (S.LISTED, gettext_lazy("建单")),
          (S.TACKLING, gettext_lazy("攻坚")), (S.WRITTEN_OFF, gettext_lazy("销号")),
          (S.APPLIED, gettext_lazy("结果运用"))]


def overdue(entry: RiskEntry) -> bool:
    return (entry.state in REVIEWED and entry.next_review_at is not None
            and entry.next_review_at < clock.now())


def area_name(entry: RiskEntry) -> str:
    area = entry.grid or entry.community or entry.street
    return area.name if area is not None else ""


def timeline(entry: RiskEntry) -> list[dict[str, Any]]:
    items = []
    for event in entry.events.select_related("actor").order_by("-seq"):
        facts = []
        data = event.data or {}
        if event.action == RAction.REGRADE and data.get("from") and data.get("to"):
            facts.append(f"{GRADE_LABELS.get(data['from'], data['from'])} → {GRADE_LABELS.get(data['to'], data['to'])}")
        elif data.get("grade"):
            facts.append(_("等级：%(g)s") % {"g": GRADE_LABELS.get(data["grade"], data["grade"])})
        if data.get("unit_name"):
            facts.append(_("责任单位：%(u)s") % {"u": data["unit_name"]})
        if event.action == RAction.CONSOLIDATE:
            facts.append(_("风险反弹") if data.get("relapsed") else _("稳定"))
        if data.get("case"):
            facts.append(_("来自案件 %(c)s") % {"c": data["case"]})
        if event.from_state != event.to_state and event.to_state:
            facts.append(str(STATE_LABELS.get(RState(event.to_state), event.to_state)))
        try:
            label = str(ACTION_LABELS[RAction(event.action)])
        except ValueError:
            label = event.action
        items.append({"event": event, "label": label, "facts": facts})
    return items


def may_open(user: User) -> bool:
    try:
        services.authorize(user, None, RAction.OPEN)
    except DomainError:
        return False
    return True


def live_entry(user: User, case: Any) -> RiskEntry | None:
    return selectors.visible(user).filter(case=case, status__in=sorted(LIVE)).first()


