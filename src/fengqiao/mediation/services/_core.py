"""What every mediation action shares: who the actor is, the scoped loader, the permission check and
the step itself (the mediation's new state and one event on the case's chain, in one transaction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Case, Party
from fengqiao.cases.services._core import Acting
from fengqiao.cases.services.hosted import event_for
from fengqiao.jurisdictions import scope
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied
from fengqiao.mediation.models import Mediation
from fengqiao.mediation.states import ACTION_LABELS, STEP_OF, MAction, MState, event_action, next_state


@dataclass(frozen=True)
class Citizen:
    """A party of a mediation, verified in the citizen app by a code sent to her phone (no account).
    ``phone_hash`` is the keyed hash of that phone (kit.pii.lookup_hash("phone", …))."""

    phone_hash: str


Actor = User | Citizen

# Who sees each action on the case's timeline (and in the citizen app's "process").
AUDIENCE: dict[MAction, Audience] = {a: Audience.PARTIES for a in MAction} | {
    MAction.SET_DIFFICULTY: Audience.INTERNAL,  # the subsidy's grading is the organisation's business
}


def citizen_acting() -> Acting:
    return Acting(user=None, role=Role.CITIZEN, unit=None)


def visible(actor: User) -> QuerySet[Mediation]:
    """The mediations ``actor`` may read: those of the cases in her reach (area roles, the units the case
    went to, the court reviewing it), and, for a mediator, those she was chosen for."""
    reach = scope.reach_of(actor)
    if reach.everything:
        return Mediation.objects.all()
    cases = Case.objects.filter(scope.case_filter(actor)).values("pk")
    q = Q(case__in=cases)
    if Role.MEDIATOR in reach.roles:
        q |= Q(mediator__user=actor) | Q(unit__in=reach.unit_ids)
    if Role.JUDGE in reach.roles:
        q |= Q(confirmation__court__in=reach.unit_ids)
    return Mediation.objects.filter(q)


def for_citizen(citizen: Citizen) -> QuerySet[Mediation]:
    """The mediations of a verified phone: she applied, or she is a party (applicant or respondent)."""
    parties = Party.objects.filter(phone_hash=citizen.phone_hash).values("case_id")
    return Mediation.objects.filter(Q(applicant_phone_hash=citizen.phone_hash) | Q(case__in=parties))


def access_mediation(actor: Actor, code: str, *, for_update: bool = False) -> Mediation:
    """The only permission-checked loader of a mediation, by its dispute code, scoped to the actor."""
    qs = for_citizen(actor) if isinstance(actor, Citizen) else visible(actor)
    if for_update:
        qs = qs.select_for_update(of=("self",)) if connection.features.has_select_for_update_of else (
            qs.select_for_update())
    found = qs.select_related("kind", "mediator", "unit", "case").filter(code=code).first()
    if found is None:
        raise NotFound(_("没有找到解纷码为 %(code)s 的调解，或您无权查看。") % {"code": code})
    return found


def authorize(actor: Actor, mediation: Mediation, action: MAction) -> Acting:
    """The role in which ``actor`` may take ``action``; PermissionDenied otherwise.

    * the citizen (verified phone): choose a mediator before acceptance, evidence, withdraw, rate,
      apply for judicial confirmation;
    * the chosen mediator, or a mediator of the organisation: the mediation's work;
    * a judge of the reviewing court: the ruling;
    * administrators: everything but the ruling.
    """
    if isinstance(actor, Citizen):
        if action in (MAction.CHOOSE, MAction.EVIDENCE, MAction.WITHDRAW, MAction.RATE,
                      MAction.APPLY_CONFIRMATION, MAction.APPLY):
            return citizen_acting()
        raise _denied(action)
    roles = actor.role_set()
    if action in (MAction.CONFIRM, MAction.REFUSE_CONFIRMATION):
        court = getattr(getattr(mediation, "confirmation", None), "court", None)
        membership = actor.memberships.filter(role=Role.JUDGE, unit=court).select_related("unit").first()
        if court is not None and membership is not None:
            return Acting(actor, Role.JUDGE, membership.unit)
        raise _denied(action)
    if mediation.mediator_id is not None and mediation.mediator and mediation.mediator.user_id == actor.pk:
        return Acting(actor, Role.MEDIATOR, mediation.mediator.unit)
    if mediation.unit_id is not None:
        membership = actor.memberships.filter(role=Role.MEDIATOR, unit_id=mediation.unit_id).select_related(
            "unit").first()
        if membership is not None:
            return Acting(actor, Role.MEDIATOR, membership.unit)
    if Role.ADMIN in roles:
        return Acting(actor, Role.ADMIN, None)
    raise _denied(action)


def _denied(action: MAction) -> PermissionDenied:
    return PermissionDenied(_("您无权「%(action)s」。") % {"action": ACTION_LABELS[action]})


def check_step(mediation: Mediation, action: MAction) -> MState:
    """The state after ``action``; refused when the state does not allow it or the kind has no such step."""
    step = STEP_OF.get(action)
    if step is not None and not mediation.kind.has_step(step):
        raise Conflict(_("「%(kind)s」没有「%(action)s」这一环节。")
                       % {"kind": mediation.kind.name, "action": ACTION_LABELS[action]})
    return next_state(mediation.state, action)


def check_version(mediation: Mediation, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != mediation.version:
        raise Conflict(_("这件调解在您打开之后已有新的进展，请刷新后查看。"))


def step(mediation: Mediation, action: MAction, acting: Acting, *, note: str = "",
         data: dict[str, Any] | None = None, fields: tuple[str, ...] = (),
         case_deadline: dt.datetime | None = None) -> Mediation:
    """Move the mediation on by ``action``: its new state and the listed fields saved (if nobody changed
    it meanwhile), and one event on the case's chain.  The caller's transaction makes them one change."""
    before = mediation.state
    after = check_step(mediation, action)
    mediation.status = after.value
    names = {"status", *fields}
    values = {name: getattr(mediation, name) for name in names}
    updated = Mediation.objects.filter(pk=mediation.pk, version=mediation.version).update(
        version=mediation.version + 1, **values)
    if updated != 1:
        raise Conflict(_("这件调解刚被他人处理，您的操作未保存。请刷新后重试。"))
    mediation.version += 1
    event_for(mediation.case_id, acting, event_action(action), audience=AUDIENCE[action], note=note,
              data={"mediation": mediation.code, "from": before.value, "to": after.value, **(data or {})},
              deadline=case_deadline)
    return mediation
