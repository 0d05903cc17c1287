"""The actions a decision's page offers: each a form and one service call.  Which ones a user sees is what she
may do now — the state table allows it and her role may take it — so the page never shows a button that
can only be refused."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.kit.action_spec import ActionSpec, permitted
from fengqiao.stability import after, assess, prepare, services
from fengqiao.stability import forms as f
from fengqiao.stability.models import Decision
from fengqiao.stability.states import DAction, allowed_actions

Spec = ActionSpec[DAction, f.DecisionForm]


SPECS: dict[str, Spec] = {
    "plan": Spec(DAction.PLAN, f.PlanForm, _("制定评估方案"), _("保存方案"),
                 lambda u, c, v, ev: prepare.plan(u, c, plan=v["plan"], expected_version=ev)),
    "open_consultation": Spec(
        DAction.OPEN_CONSULTATION, f.OpenConsultationForm, _("开始意见征询"), _("开始征询"),
        lambda u, c, v, ev: prepare.open_consultation(u, c, closes_on=v["closes_on"], public=v["public"],
                                                      expected_version=ev)),
    "record_opinion": Spec(
        DAction.RECORD_OPINION, f.OpinionForm, _("登记征询意见"), _("登记"),
        lambda u, c, v, ev: prepare.record_opinion(
            u, c, channel=v["channel"], held_on=v["held_on"], participants=v["participants"], support=v["support"],
            oppose=v["oppose"], neutral=v["neutral"], concerns=v["concerns"], expected_version=ev)),
    "close_consultation": Spec(
        DAction.CLOSE_CONSULTATION, f.CloseConsultationForm, _("结束意见征询"), _("结束征询，进入风险识别"),
        lambda u, c, v, ev: prepare.close_consultation(u, c, summary=v["summary"], expected_version=ev), "ghost"),
    "add_item": Spec(
        DAction.ADD_ITEM, f.ItemForm, _("登记风险点"), _("登记"),
        lambda u, c, v, ev: assess.add_item(u, c, category=v["category"], description=v["description"],
                                            likelihood=v["likelihood"], impact=v["impact"], expected_version=ev)),
    "grade": Spec(DAction.GRADE, f.GradeForm, _("风险评级"), _("确定等级"),
                  lambda u, c, v, ev: assess.grade(u, c, grade=v["grade"], reason=v["reason"], expected_version=ev)),
    "add_measure": Spec(
        DAction.ADD_MEASURE, f.MeasureForm, _("制定防范化解措施"), _("添加措施"),
        lambda u, c, v, ev: assess.add_measure(u, c, description=v["description"],
                                               responsible_unit_id=v["responsible_unit_id"], deadline=v["deadline"],
                                               item_id=v.get("item_id"), expected_version=ev)),
    "conclude": Spec(DAction.CONCLUDE, f.ConcludeForm, _("作出评估结论"), _("作出结论"),
                     lambda u, c, v, ev: assess.conclude(u, c, conclusion=v["conclusion"], reason=v["reason"],
                                                         expected_version=ev)),
    "issue_report": Spec(DAction.ISSUE_REPORT, f.NoteForm, _("出具评估报告"), _("出具报告"),
                         lambda u, c, v, ev: after.issue_report(u, c, note=v["note"], expected_version=ev)),
    "file": Spec(DAction.FILE, f.FileForm, _("备案"), _("登记备案"),
                 lambda u, c, v, ev: after.file(u, c, note=v["note"], expected_version=ev)),
    "track": Spec(DAction.TRACK, f.TrackForm, _("跟踪措施落实"), _("记录"),
                  lambda u, c, v, ev: after.track(u, c, measure_id=v["measure_id"], progress=v["progress"],
                                                  done=v["done"], expected_version=ev)),
    "close": Spec(DAction.CLOSE, f.CloseForm, _("结束跟踪"), _("结束跟踪"),
                  lambda u, c, v, ev: after.close(u, c, note=v["note"], expected_version=ev), "ghost"),
    "remove_item": Spec(DAction.REMOVE_ITEM, f.RemoveItemForm, _("删除风险点"), _("删除"),
                        lambda u, c, v, ev: assess.remove_item(u, c, item_id=v["item_id"], reason=v["reason"],
                                                               expected_version=ev), "danger"),
    "withdraw": Spec(DAction.WITHDRAW, f.WithdrawForm, _("撤回评估"), _("撤回"),
                     lambda u, c, v, ev: prepare.withdraw(u, c, reason=v["reason"], expected_version=ev), "danger"),
}


def _fits(name: str, decision: Decision) -> bool:
    """What the state table cannot say: a risk item to remove, a measure still to track."""
    if name == "remove_item":
        return decision.items.exists()
    if name == "track":
        return decision.measures.filter(done_at__isnull=True).exists()
    return True


def offered(user: User, decision: Decision) -> list[str]:
    """The actions ``user`` may take on ``decision`` now, in the page's order."""
    names = permitted(SPECS, set(allowed_actions(decision.state)),
                      lambda action: services.authorize(user, decision, action), lambda name: _fits(name, decision))
    if decision.grade and "grade" in names:  # a regrade is the exception once graded: after the next steps
        names.remove("grade")
        names.insert(len([n for n in names if SPECS[n].tone != "danger"]), "grade")
    return names


def initial(name: str, decision: Decision, suggested: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {"expected_version": decision.version}
    if name == "plan":
        values["plan"] = decision.plan
    if name == "grade":
        values["grade"] = decision.grade or suggested
    return values


def build(name: str, decision: Decision, data: Any = None, suggested: str = "") -> f.DecisionForm:
    return SPECS[name].form(data, initial=initial(name, decision, suggested), prefix=name, decision=decision)
