"""申请调解 and 选定调解员: a citizen (or a clerk for her) applies; the matter is registered once as a case
of the citizen app's channel, its mediation opened with a 解纷码, and the case sent to the organisation
that will mediate — the chosen mediator's, else the street's people's mediation committee."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.cases.models import Channel, PartyRole
from fengqiao.cases.services._core import Acting
from fengqiao.cases.services.hosted import dispatch_for, event_for, register_for
from fengqiao.cases.services.register import PartyInput, RegisterInput
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import clock, ids, pii, working_days
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.kit.validators import phone_error
from fengqiao.mediation import conflicts
from fengqiao.mediation.models import ChosenBy, DisputeType, Mediation, MediationKind, Mediator, RequestType
from fengqiao.mediation.services._core import (
    AUDIENCE,
    Actor,
    Citizen,
    access_mediation,
    authorize,
    citizen_acting,
    step,
)
from fengqiao.mediation.states import OPEN, MAction, MState, event_action

CODE_GROUPS = 3  # 解纷码 JF-XXXX-XXXX-XXXX: 12 characters of a 25-letter alphabet, about 6·10^16 codes


def dispute_code() -> str:
    part = ids.random_part(4 * CODE_GROUPS)
    return "JF-" + "-".join(part[i:i + 4] for i in range(0, len(part), 4))


@dataclass
class ApplyInput:
    request_type: str
    kind_code: str
    description: str
    demand: str
    applicant: PartyInput
    respondents: list[PartyInput] = field(default_factory=list)
    dispute_type_id: int | None = None
    street_id: int | None = None
    address: str = ""
    amount: str = ""
    mediator_id: int | None = None
    applied_at: dt.datetime | None = None


def check_kind(kind_code: str, dispute_type_id: int | None,
               errors: dict[str, str]) -> tuple[MediationKind | None, DisputeType | None]:
    """The active kind and dispute type named, or an error under ``kind`` / ``dispute_type``."""
    kind = MediationKind.objects.filter(code=kind_code, active=True).first()
    if kind is None:
        errors["kind"] = _("请选择调解类型")
    dispute_type = None
    if dispute_type_id is not None:
        dispute_type = DisputeType.objects.filter(pk=dispute_type_id, active=True).first()
        if dispute_type is None:
            errors["dispute_type"] = _("纠纷类型不存在")
    return kind, dispute_type


def check_amount(text: str, errors: dict[str, str]) -> Decimal | None:
    """The amount in dispute (yuan, thousands separators allowed), or an error under ``amount``."""
    if not (text or "").strip():
        return None
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        errors["amount"] = _("金额应为数字")
        return None
    if amount < 0 or amount >= Decimal("1e12"):
        errors["amount"] = _("金额超出范围")
        return None
    return amount


def _check(data: ApplyInput) -> tuple[MediationKind, DisputeType | None, Area, Decimal | None]:
    errors: dict[str, str] = {}
    if data.request_type not in RequestType.values:
        errors["request_type"] = _("请选择申请事项")
    kind, dispute_type = check_kind(data.kind_code, data.dispute_type_id, errors)
    street = Area.objects.filter(pk=data.street_id, level=Level.STREET).first() if data.street_id else None
    if street is None:
        errors["street"] = _("请选择纠纷发生的镇街")
    if not data.applicant.name.strip():
        errors["applicant_name"] = _("请填写申请人姓名")
    problem = phone_error(data.applicant.phone)
    if problem:
        errors["applicant_phone"] = problem
    for i, respondent in enumerate(data.respondents, start=1):
        if not respondent.name.strip():
            errors[f"respondent_{i}_name"] = _("请填写被申请人姓名")
        if respondent.phone and phone_error(respondent.phone):
            errors[f"respondent_{i}_phone"] = phone_error(respondent.phone) or ""
    if len((data.description or "").strip()) < 10:
        errors["description"] = _("请把纠纷经过写清楚（至少 10 个字）")
    if not (data.demand or "").strip():
        errors["demand"] = _("请填写您的诉求")
    amount = check_amount(data.amount, errors)
    if errors:
        listed = pgettext("list separator", "；").join(errors.values())
        raise ValidationFailed(_("申请信息有误：%(errors)s。") % {"errors": listed}, fields=errors)
    assert kind is not None
    assert street is not None
    return kind, dispute_type, street, amount


def street_committee(street: Area) -> Unit | None:
    """The people's mediation committee that serves the street: the street's own, else its district's,
    else the city's."""
    for area_id in (street.pk, street.parent_id, street.parent.parent_id if street.parent else None):
        if area_id is None:
            continue
        unit = Unit.objects.filter(kind=UnitKind.MEDIATION_COMMITTEE, area_id=area_id, active=True).order_by(
            "code").first()
        if unit is not None:
            return unit
    return Unit.objects.filter(kind=UnitKind.MEDIATION_COMMITTEE, active=True).order_by("level", "code").first()


@transaction.atomic
def apply(actor: Actor, data: ApplyInput) -> Mediation:
    """Register the matter and open its mediation.  A citizen applies for the phone she verified."""
    kind, dispute_type, street, amount = _check(data)
    phone = "".join(data.applicant.phone.split())
    phone_hash = pii.lookup_hash("phone", phone)
    if isinstance(actor, Citizen):
        if actor.phone_hash != phone_hash:
            raise ValidationFailed(_("申请人手机号须为刚才验证的号码。"),
                                   fields={"applicant_phone": _("与验证的号码不一致")})
        acting = citizen_acting()
    else:
        from fengqiao.cases.services._core import authorize as authorize_case
        from fengqiao.cases.states import Action

        acting = authorize_case(actor, None, Action.REGISTER)
    unit = street_committee(street)
    if unit is None:
        raise Conflict(_("本市尚未设立调解组织，暂不能受理线上申请。"))
    now = clock.now()
    at = data.applied_at or now
    label = dispute_type.name if dispute_type else kind.name
    parties = [PartyInput(name=data.applicant.name, phone=phone, id_number=data.applicant.id_number,
                          address=data.applicant.address, role=PartyRole.APPLICANT)]
    parties += [PartyInput(name=r.name, phone=r.phone, id_number=r.id_number, address=r.address,
                           role=PartyRole.RESPONDENT) for r in data.respondents]
    registered = register_for(acting, RegisterInput(
        channel=Channel.MINI_PROGRAM, title=f"{label}（{RequestType(data.request_type).label}）"[:200],
        description=data.description.strip(), address=data.address.strip() or street.name, parties=parties,
        registered_at=at,
    ))
    case = registered.case
    mediation = Mediation.objects.create(
        case=case, code=dispute_code(), request_type=data.request_type, kind=kind, dispute_type=dispute_type,
        status=MState.APPLIED.value, demand=data.demand.strip()[:4000], amount=amount, unit=unit, area=street,
        applicant_phone_hash=phone_hash, applied_at=at,
        deadline=working_days.add_working_days(at, kind.deadline_days),
        legal_basis=dispute_type.legal_basis if dispute_type else "",
    )
    event_for(case.pk, acting, event_action(MAction.APPLY), audience=AUDIENCE[MAction.APPLY],
              note=mediation.demand, data={"mediation": mediation.code, "kind": kind.name,
                                           "request": data.request_type}, deadline=mediation.deadline)
    dispatch_for(case.pk, Acting(user=acting.user, role=acting.role, unit=acting.unit), unit,
                 note=_("线上申请调解，交%(unit)s") % {"unit": unit.name})
    if data.mediator_id is not None:
        do_choose(mediation, acting, data.mediator_id,
                  ChosenBy.CITIZEN if isinstance(actor, Citizen) else ChosenBy.ASSIGNED)
    return mediation


def check_mediator(mediation: Mediation, mediator_id: int, *, on: dt.date | None = None) -> Mediator:
    """The mediator, if she may take this mediation: active, available, under her load, of a kind the
    mediation's kind admits, and not tied to a party.  Otherwise a message saying which."""
    mediator = Mediator.objects.select_related("unit").filter(pk=mediator_id, active=True).first()
    if mediator is None:
        raise ValidationFailed(_("所选调解员不存在或已不在专家库中。"), fields={"mediator": _("调解员无效")})
    today = on or clock.localtime(clock.now()).date()
    if not mediator.available or (mediator.unavailable_until and mediator.unavailable_until >= today):
        until = (_("（%(d)s 前）") % {"d": mediator.unavailable_until}) if mediator.unavailable_until else ""
        raise Conflict(_("调解员%(name)s暂不接受新的调解%(until)s，请另选一位。")
                       % {"name": mediator.name, "until": until}, fields={"mediator": _("暂不可选")})
    load = Mediation.objects.filter(mediator=mediator, status__in=[s.value for s in OPEN]).exclude(
        pk=mediation.pk).count()
    if load >= mediator.max_load:
        raise Conflict(_("调解员%(name)s手上已有 %(n)s 件调解，已满额，请另选一位。")
                       % {"name": mediator.name, "n": load}, fields={"mediator": _("已满额")})
    kinds = mediation.kind.mediator_kinds or []
    if kinds and mediator.kind not in kinds:
        raise Conflict(_("「%(kind)s」不能由%(mk)s承办。") % {"kind": mediation.kind.name,
                                                        "mk": mediator.get_kind_display()},
                       fields={"mediator": _("类别不符")})
    parties = list(mediation.case.parties.values_list("phone_hash", "id_hash"))
    tie = conflicts.ties([mediator.pk], [p for p, _i in parties], [i for _p, i in parties]).get(mediator.pk)
    if tie is not None:
        raise Conflict(_("调解员%(name)s与当事人存在利害关系（%(relation)s），依法应当回避，请另选一位。")
                       % {"name": mediator.name, "relation": tie.relation}, fields={"mediator": _("须回避")})
    return mediator


def do_choose(mediation: Mediation, acting: Acting, mediator_id: int, chosen_by: str) -> Mediation:
    mediator = check_mediator(mediation, mediator_id)
    moved = mediator.unit_id != mediation.unit_id
    mediation.mediator, mediation.chosen_by, mediation.unit = mediator, chosen_by, mediator.unit
    step(mediation, MAction.CHOOSE, acting, note=mediator.name,
         data={"mediator": mediator.pk, "mediator_name": mediator.name, "chosen_by": chosen_by,
               "unit_name": mediator.unit.name}, fields=("mediator", "chosen_by", "unit"))
    if moved:  # the case goes to the chosen mediator's organisation
        dispatch_for(mediation.case_id, acting, mediator.unit,
                     note=_("当事人选定调解员%(name)s（%(unit)s）")
                     % {"name": mediator.name, "unit": mediator.unit.name})
    return mediation


@transaction.atomic
def choose(actor: Actor, code: str, mediator_id: int, *, expected_version: int | None = None) -> Mediation:
    """选定调解员: the citizen online, or the organisation (assigned).  Before the first session only."""
    mediation = access_mediation(actor, code, for_update=True)
    if expected_version is not None and expected_version != mediation.version:
        raise Conflict(_("这件调解在您打开之后已有新的进展，请刷新后查看。"))
    acting = authorize(actor, mediation, MAction.CHOOSE)
    if isinstance(actor, Citizen) and actor.phone_hash != mediation.applicant_phone_hash:
        raise PermissionDenied(_("调解员由申请人选择；如对调解员有异议，请联系调解组织。"))
    if isinstance(actor, Citizen) and mediation.state != MState.APPLIED:
        raise Conflict(_("调解已受理，调解员由调解组织安排；如需更换，请联系调解组织。"))
    return do_choose(mediation, acting, mediator_id,
                     ChosenBy.CITIZEN if isinstance(actor, Citizen) else ChosenBy.ASSIGNED)
