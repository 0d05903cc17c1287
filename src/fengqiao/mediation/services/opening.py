"""转入调解: a matter that came in by another channel (a walk-in, a petition, 12345, a grid worker, a 12368
filing) and was sent to a mediation organisation becomes a mediation there.  A mediator of the case's lead
unit opens it on the case — the same mediation, with its 解纷码, as one applied for in the citizen app —
and the parties who gave a phone are told the code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, PartyRole
from fengqiao.cases.services._core import Acting, access_case
from fengqiao.cases.services.hosted import event_for
from fengqiao.cases.states import State
from fengqiao.kit import clock, working_days
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import DisputeType, Mediation, MediationKind, RequestType
from fengqiao.mediation.services import notify
from fengqiao.mediation.services._core import AUDIENCE
from fengqiao.mediation.services.apply import check_amount, check_kind, dispute_code
from fengqiao.mediation.states import MAction, MState, event_action

OPENABLE = (State.DISPATCHED, State.ACCEPTED)


@dataclass
class OpenInput:
    kind_code: str
    demand: str
    dispute_type_id: int | None = None
    amount: str = ""


def opener(user: User, case: Case) -> Acting | None:
    """The role in which ``user`` may open a mediation on ``case``: a mediator of its lead unit (or an
    administrator), while the case is with that unit and has no mediation yet; None otherwise."""
    if case.state not in OPENABLE or case.lead_unit_id is None or hasattr(case, "mediation"):
        return None
    membership = user.memberships.filter(role=Role.MEDIATOR, unit_id=case.lead_unit_id).select_related(
        "unit").first()
    if membership is not None:
        return Acting(user, Role.MEDIATOR, membership.unit)
    if Role.ADMIN in user.role_set():
        return Acting(user, Role.ADMIN, case.lead_unit)
    return None


def _check(data: OpenInput) -> tuple[MediationKind, DisputeType | None, Decimal | None]:
    errors: dict[str, str] = {}
    kind, dispute_type = check_kind(data.kind_code, data.dispute_type_id, errors)
    if not (data.demand or "").strip():
        errors["demand"] = _("请填写当事人的诉求")
    amount = check_amount(data.amount, errors)
    if errors:
        listed = pgettext("list separator", "；").join(errors.values())
        raise ValidationFailed(_("信息有误：%(errors)s。") % {"errors": listed}, fields=errors)
    assert kind is not None
    return kind, dispute_type, amount


@transaction.atomic
def open_on_case(user: User, case_code: str, data: OpenInput) -> Mediation:
    """Open the case's mediation (state 待受理: the organisation then accepts it as any other)."""
    case = access_case(user, case_code, for_update=True)
    if hasattr(case, "mediation"):
        raise Conflict(_("该案件已有调解（解纷码 %(code)s）。") % {"code": case.mediation.code})
    acting = opener(user, case)
    if acting is None:
        if case.state not in OPENABLE:
            raise Conflict(_("案件须已交办给调解组织、尚在办理中，才能转入调解。"))
        raise PermissionDenied(_("只有案件主办单位的调解员可以将案件转入调解。"))
    kind, dispute_type, amount = _check(data)
    now = clock.now()
    applicant = case.parties.filter(role__in=[PartyRole.APPLICANT, PartyRole.REPORTER]).exclude(
        phone_hash="").order_by("pk").first()
    mediation = Mediation.objects.create(
        case=case, code=dispute_code(), request_type=RequestType.MEDIATION, kind=kind, dispute_type=dispute_type,
        status=MState.APPLIED.value, demand=data.demand.strip()[:4000], amount=amount, unit=case.lead_unit,
        area=case.street, applicant_phone_hash=applicant.phone_hash if applicant else "", applied_at=now,
        deadline=working_days.add_working_days(now, kind.deadline_days),
        legal_basis=dispute_type.legal_basis if dispute_type else "",
    )
    event_for(case.pk, acting, event_action(MAction.APPLY), audience=AUDIENCE[MAction.APPLY],
              note=mediation.demand, data={"mediation": mediation.code, "kind": kind.name,
                                           "request": RequestType.MEDIATION.value, "opened_on_case": True},
              deadline=mediation.deadline)
    unit = case.lead_unit.name if case.lead_unit else ""
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, "open", _("纠纷转入调解"),
                            _("您反映的纠纷（编号 %(case)s）已转入%(unit)s调解，解纷码 %(code)s。可凭解纷码和本手机号在"
                              "“解纷码”中查询进度、选择调解员、提交证据。") % {"case": case.code, "unit": unit,
                                                                      "code": mediation.code})
    return mediation
