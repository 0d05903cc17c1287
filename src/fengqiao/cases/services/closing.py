"""回访评价 and the ways a case ends or climbs: evaluate, reopen, merge, cancel, escalate, link."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, Evaluation, Satisfaction
from fengqiao.cases.services._core import (
    SYSTEM,
    Acting,
    access_case,
    authorize,
    check_version,
    lock_case,
    record,
    require_text,
    save,
    transition,
)
from fengqiao.cases.states import FINAL_STATES, Action, State
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed

MAX_SUPERVISION_LEVEL = 3  # 催办 → 督办 → 挂牌督办
LISTED_LEVEL = 3  # 挂牌督办: by a leader only


@transaction.atomic
def evaluate(
    user: User, case_id: int | str, *, rating: str, comment: str = "", expected_version: int | None = None
) -> Case:
    """The citizen's evaluation (or the operator's callback): satisfied closes, unsatisfied reopens."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    if rating not in Satisfaction.values:
        raise ValidationFailed(_("请选择评价：满意、基本满意或不满意。"), fields={"rating": _("请选择评价")})
    action = Action.REOPEN if rating == Satisfaction.UNSATISFIED else Action.EVALUATE
    acting = authorize(user, case, action)
    return apply_evaluation(case, acting, rating=rating, comment=comment,
                            via="citizen" if acting.role == "citizen" else "callback")


def apply_evaluation(case: Case, acting: Acting, *, rating: str, comment: str, via: str) -> Case:
    """Record an evaluation on a locked, authorised case (also reached through the citizen's evaluation
    code, cases/services/evaluation.py).  Checks everything before it writes anything."""
    if rating not in Satisfaction.values:
        raise ValidationFailed(_("请选择评价：满意、基本满意或不满意。"), fields={"rating": _("请选择评价")})
    action = Action.REOPEN if rating == Satisfaction.UNSATISFIED else Action.EVALUATE
    before, after = transition(case, action)
    comment = comment.strip()
    if action == Action.REOPEN:
        comment = require_text(comment, "comment", _("不满意的原因"), max_length=1000, min_length=2)
    elif len(comment) > 1000:
        raise ValidationFailed(_("评价意见不能超过 1000 字。"), fields={"comment": _("不能超过 1000 字")})
    now = clock.now()
    evaluation_round = case.reopen_count + 1
    previous_lead = case.lead_unit_id
    Evaluation.objects.create(
        case=case, round=evaluation_round, rating=rating, comment=comment, via=via, by=acting.user, at=now,
    )
    case.satisfaction = rating
    fields = ["satisfaction"]
    data: dict[str, object] = {"rating": rating, "round": evaluation_round}
    if action == Action.REOPEN:
        from fengqiao.cases import deadlines

        case.reopen_count += 1
        case.lead_unit = None
        case.overdue = False
        case.overdue_since = None
        case.deadline = deadlines.resolve_deadline(now, deadlines.policy_for(case.category, case.urgency))
        fields += ["reopen_count", "lead_unit", "overdue", "overdue_since", "deadline"]
    else:
        case.closed_at = now
        fields.append("closed_at")
    event = record(case, action, before, after, acting, at=now, note=comment, data=data)
    save(case, event, fields)
    if action == Action.REOPEN and case.reopen_count >= 2:
        from fengqiao.cases.services.evaluation import supervise_repeated

        supervise_repeated(case, previous_lead, now)  # a second unsatisfied evaluation → 督办
    return case


@transaction.atomic
def close_unevaluated(case_id: int) -> bool:
    """A job: close a replied case whose evaluation period ran out.  Idempotent: False if not due."""
    case = lock_case(case_id)
    now = clock.now()
    if case.state != State.REPLIED or case.evaluation_deadline is None or case.evaluation_deadline > now:
        return False
    before, after = transition(case, Action.CLOSE_UNEVALUATED)
    case.closed_at = now
    event = record(case, Action.CLOSE_UNEVALUATED, before, after, SYSTEM, at=now)
    save(case, event, ["closed_at"])
    return True


@transaction.atomic
def merge(
    user: User, case_id: int | str, *, into: int | str, expected_version: int | None = None
) -> Case:
    """Merge a case into the case it duplicates; its reporters then follow that case."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.MERGE)
    before, after = transition(case, Action.MERGE)
    target = access_case(user, into, for_update=True)
    if target.pk == case.pk:
        raise ValidationFailed(_("不能把案件合并到它自己。"), fields={"into": _("请选择另一个案件")})
    named = target.code
    while target.duplicate_of_id is not None:  # a duplicate's reports follow its primary
        target = Case.objects.get(pk=target.duplicate_of_id)
    if target.pk == case.pk:
        raise ValidationFailed(_("案件 %(code)s 是本案件的重复件，不能作为主件。") % {"code": named},
                               fields={"into": _("请选择另一个案件")})
    if target.state in FINAL_STATES and target.state != State.CLOSED:
        raise Conflict(_("目标案件 %(code)s %(state)s，不能作为主件。")
                       % {"code": target.code, "state": target.get_status_display()})
    case.duplicate_of = target
    case.closed_at = clock.now()
    event = record(case, Action.MERGE, before, after, acting,
                   data={"into": target.pk, "into_code": target.code})
    save(case, event, ["duplicate_of", "closed_at"])
    return case


@transaction.atomic
def cancel(user: User, case_id: int | str, *, reason: str, expected_version: int | None = None) -> Case:
    """作废: an invalid report (test call, nonsense, not a matter for us), with the reason."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.CANCEL)
    before, after = transition(case, Action.CANCEL)
    text = require_text(reason, "reason", _("作废理由"), max_length=1000, min_length=2)
    case.closed_at = clock.now()
    event = record(case, Action.CANCEL, before, after, acting, note=text)
    save(case, event, ["closed_at"])
    return case


@transaction.atomic
def escalate(user: User, case_id: int | str, *, note: str, expected_version: int | None = None) -> Case:
    """Climb the supervision ladder one step by hand: 催办 → 督办 → 挂牌督办 (the last by a leader only).
    The steps before and after the deadline are taken by the supervision sweep (cases/supervision_sweep)."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.ESCALATE)
    before, after = transition(case, Action.ESCALATE)
    text = require_text(note, "note", _("督办意见"), max_length=1000, min_length=2)
    if case.supervision_level >= MAX_SUPERVISION_LEVEL:
        raise Conflict(_("该案件已是最高督办级别（挂牌督办）。"))
    if case.supervision_level + 1 >= LISTED_LEVEL and acting.role != Role.LEADER:
        raise PermissionDenied(_("挂牌督办须由领导决定。"))
    case.supervision_level += 1
    event = record(case, Action.ESCALATE, before, after, acting, note=text,
                   data={"level": case.supervision_level})
    save(case, event, ["supervision_level"])
    _notify(case, event.seq, text, user.pk)
    return case


@transaction.atomic
def list_supervision(
    user: User, case_id: int | str, *, note: str, expected_version: int | None = None
) -> Case:
    """挂牌督办: a leader lists an open case for supervision (the top of the ladder), with a note; the
    lead unit, its leaders, the dispatchers and the district's leaders are told."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.ESCALATE)
    if acting.role != Role.LEADER:
        raise PermissionDenied(_("挂牌督办须由领导决定。"))
    before, after = transition(case, Action.ESCALATE)
    text = require_text(note, "note", _("挂牌督办意见"), max_length=1000, min_length=2)
    if case.supervision_level >= LISTED_LEVEL:
        raise Conflict(_("该案件已挂牌督办。"))
    case.supervision_level = LISTED_LEVEL
    event = record(case, Action.ESCALATE, before, after, acting, note=text,
                   data={"level": LISTED_LEVEL, "listed": True})
    save(case, event, ["supervision_level"])
    _notify(case, event.seq, text, user.pk)
    return case


def _notify(case: Case, seq: int, note: str, actor_id: int) -> None:
    from fengqiao.cases import supervision_notify as sn
    from fengqiao.notifications import services as notifications

    facts = sn.facts(case)
    notifications.queue(sn.action_drafts(facts, level=case.supervision_level, seq=seq, note=note,
                                         directory=sn.Directory.for_case(facts), actor_id=actor_id))


@transaction.atomic
def link(user: User, case_id: int | str, *, other: int | str, expected_version: int | None = None) -> Case:
    """Mark two cases as related (same place, same people, same problem)."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.LINK)
    before, after = transition(case, Action.LINK)
    target = access_case(user, other)
    if target.pk == case.pk:
        raise ValidationFailed(_("不能关联案件自身。"), fields={"other": _("请选择另一个案件")})
    case.related.add(target)
    event = record(case, Action.LINK, before, after, acting, data={"other": target.pk, "other_code": target.code})
    save(case, event)
    return case
