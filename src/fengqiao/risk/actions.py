"""The actions an entry's page offers: each a form and one service call.  Which ones a user sees is what
she may do now — the state table allows it and her role may take it — so the page never shows a button
that can only be refused."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from fengqiao.accounts.models import User
from fengqiao.kit.action_spec import ActionSpec, permitted
from fengqiao.risk import forms as f
from fengqiao.risk import services
from fengqiao.risk.models import RiskEntry
from fengqiao.risk.states import RAction, allowed_actions

Spec = ActionSpec[RAction, f.EntryForm]


SPECS: dict[str, Spec] = {
    "identify": Spec(RAction.IDENTIFY, f.IdentifyForm,
                     pgettext_lazy("risk form", "识别定级"), pgettext_lazy("risk form", "确认为风险"),
                     lambda u, c, v, ev: services.identify(u, c, grade=v["grade"], grade_reason=v["grade_reason"],
                                                           expected_version=ev)),
    "list": Spec(RAction.LIST, f.ListForm,
                 pgettext_lazy("risk form", "建单，落实责任"), pgettext_lazy("risk form", "列入清单"),
                 lambda u, c, v, ev: services.list_entry(u, c, responsible_unit_id=v["responsible_unit_id"],
                                                         responsible_leader_id=v.get("responsible_leader_id"),
                                                         expected_version=ev)),
    "tackle": Spec(RAction.TACKLE, f.TackleForm,
                   pgettext_lazy("risk form", "落实稳控措施"), pgettext_lazy("risk form", "添加措施"),
                   lambda u, c, v, ev: services.tackle(u, c, measure=v["measure"], expected_version=ev)),
    "review": Spec(RAction.REVIEW, f.ReviewForm,
                   pgettext_lazy("risk form", "复核"), pgettext_lazy("risk form", "记录复核"),
                   lambda u, c, v, ev: services.review(u, c, note=v["note"], expected_version=ev)),
    "write_off": Spec(RAction.WRITE_OFF, f.WriteOffForm,
                      pgettext_lazy("risk form", "销号"), pgettext_lazy("risk form", "确认销号"),
                      lambda u, c, v, ev: services.write_off(u, c, evidence=v["evidence"], expected_version=ev)),
    "apply_result": Spec(RAction.APPLY_RESULT, f.ApplyResultForm,
                         pgettext_lazy("risk form", "结果运用"), pgettext_lazy("risk form", "记录结果运用"),
                         lambda u, c, v, ev: services.apply_result(u, c, note=v["note"], expected_version=ev)),
    "consolidate": Spec(RAction.CONSOLIDATE, f.ConsolidateForm,
                        pgettext_lazy("risk form", "回访巩固"), pgettext_lazy("risk form", "记录回访"),
                        lambda u, c, v, ev: services.consolidate(u, c, note=v["note"], relapsed=v["relapsed"],
                                                                 expected_version=ev)),
    "regrade": Spec(RAction.REGRADE, f.RegradeForm,
                    pgettext_lazy("risk form", "调整等级"), pgettext_lazy("risk form", "调整"),
                    lambda u, c, v, ev: services.regrade(u, c, grade=v["grade"], reason=v["reason"],
                                                         expected_version=ev), "ghost"),
    "dismiss": Spec(RAction.DISMISS, f.DismissForm,
                    pgettext_lazy("risk form", "排除（非风险）"), pgettext_lazy("risk form", "排除"),
                    lambda u, c, v, ev: services.dismiss(u, c, reason=v["reason"], expected_version=ev), "danger"),
}


def offered(user: User, entry: RiskEntry) -> list[str]:
    """The actions ``user`` may take on ``entry`` now, in the page's order."""
    return permitted(SPECS, set(allowed_actions(entry.state)), lambda action: services.authorize(user, entry, action))


def initial(name: str, entry: RiskEntry) -> dict[str, Any]:
    values: dict[str, Any] = {"expected_version": entry.version}
    if name == "identify":
        values.update(grade=entry.grade, grade_reason=entry.grade_reason)
    if name == "list":
        values.update(responsible_unit_id=entry.responsible_unit_id,
                      responsible_leader_id=entry.responsible_leader_id)
    return values


def build(name: str, entry: RiskEntry, data: Any = None) -> f.EntryForm:
    return SPECS[name].form(data, initial=initial(name, entry), prefix=name)
