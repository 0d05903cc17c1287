"""共同申请司法确认 from the citizen app: the law wants both parties to apply, so the applicant's request
carries each respondent's consent — a code sent to the respondent's own phone, which the respondent gives
to the applicant (or types in on the applicant's phone).  Then the court is applied to
(mediation.services.confirmation.apply_confirmation) in the same transaction that uses the codes up."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.cases.models import Party, PartyRole
from fengqiao.kit import pii
from fengqiao.kit.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import Mediation
from fengqiao.mediation.services._core import Citizen, access_mediation, check_step
from fengqiao.mediation.services.citizen import is_applicant
from fengqiao.mediation.states import MAction
from fengqiao.portal import verification
from fengqiao.portal.models import PhoneCode, Purpose


class ConsentRefused(ValidationFailed):
    """The joint application's problems; ``wrong_codes``: how many consent codes were wrong (guessing)."""

    def __init__(self, message: str, *, fields: dict[str, str], wrong_codes: int) -> None:
        super().__init__(message, fields=fields)
        self.wrong_codes = wrong_codes


@dataclass(frozen=True)
class Respondent:
    pk: int
    name: str  # masked
    phone: str  # masked
    has_phone: bool


def _mediation(citizen: Citizen, code: str) -> Mediation:
    mediation = access_mediation(citizen, code)
    if not is_applicant(citizen, mediation):
        raise PermissionDenied(_("只有申请人本人可以申请司法确认。"))
    check_step(mediation, MAction.APPLY_CONFIRMATION)
    return mediation


def respondent_parties(mediation: Mediation) -> list[Party]:
    return list(Party.objects.filter(case_id=mediation.case_id, role=PartyRole.RESPONDENT).order_by("pk"))


def _reachable(mediation: Mediation) -> list[Party]:
    """The respondents, each with a mobile number to ask for consent; Conflict otherwise."""
    parties = respondent_parties(mediation)
    if not parties:
        raise Conflict(_("这件调解没有被申请人，不能共同申请。"))
    missing = [p for p in parties if not p.phone]
    if missing:
        raise Conflict(_("被申请人%(names)s没有留下手机号，无法在线共同申请。"
                         "请双方携带调解协议到法院或调解组织现场申请。")
                       % {"names": pgettext("list separator", "、").join(pii.mask_name(p.name) for p in missing)})
    return parties


def respondents(mediation: Mediation) -> list[Respondent]:
    return [Respondent(pk=p.pk, name=pii.mask_name(p.name), phone=pii.mask_phone(p.phone), has_phone=bool(p.phone))
            for p in respondent_parties(mediation)]


def send_consents(citizen: Citizen, code: str) -> int:
    """A consent code to each respondent's phone; Conflict when a respondent left no mobile number."""
    mediation = _mediation(citizen, code)
    parties = _reachable(mediation)
    for party in parties:
        verification.send_code(party.phone, purpose=Purpose.JOINT, subject=mediation.code, text=(
            f"【解纷码】对方当事人申请与您共同就调解协议（解纷码 {mediation.code}）申请司法确认。如您同意，请将"))
    return len(parties)


def apply_jointly(citizen: Citizen, code: str, *, court_id: int | None, agree: bool, consents: dict[int, str],
                  note: str = "") -> Mediation:
    """Check every respondent's consent code (a wrong one counts as a try on that code), then apply."""
    from fengqiao.mediation.services.confirmation import apply_confirmation

    mediation = _mediation(citizen, code)
    errors: dict[str, str] = {}
    if not agree:
        errors["joint"] = _("请确认双方当事人同意共同申请")
    if not court_id:
        errors["court"] = _("请选择受理司法确认的人民法院")
    rows: list[PhoneCode] = []
    wrong = 0
    for party in _reachable(mediation):
        try:
            rows.append(verification.check_code(party.phone, consents.get(party.pk, ""), purpose=Purpose.JOINT,
                                                subject=mediation.code))
        except verification.WrongCode as e:
            wrong += 1
            errors[f"consent_{party.pk}"] = e.message
        except DomainError as e:
            errors[f"consent_{party.pk}"] = e.message
    if errors:
        raise ConsentRefused(_("共同申请有误：%(e)s") % {"e": pgettext("list separator", "；").join(errors.values())},
                             fields=errors, wrong_codes=wrong)
    with transaction.atomic():
        for row in rows:
            verification.use_code(row)
        return apply_confirmation(citizen, mediation.code, court_id=int(court_id or 0), joint=True, note=note,
                                  expected_version=mediation.version)
