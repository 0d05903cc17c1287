"""Reads for the citizen app: a mediation by its dispute code, and what its tracking page shows.

Anybody holding the code (an unguessable 12-character code, guessing locked out: portal/lockout.py) sees
the progress without personal data: the steps, the organisation, the mediator's public profile, dates,
the kind's duties, sessions' times and places, the events' labels and times.  A visitor who verified the
phone of a party (``access_mediation(Citizen, code)``) also sees the names, the demand, the records, the
agreement's terms and the documents: her own case.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from fengqiao.audit.models import Audience
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import Attachment, CaseEvent, PartyRole
from fengqiao.cases.states import State, action_label
from fengqiao.kit import clock, ids, pii
from fengqiao.kit.errors import NotFound
from fengqiao.mediation.models import Agreement, Confirmation, Mediation, Mediator, Session, SessionStatus
from fengqiao.mediation.services._core import Citizen, access_mediation
from fengqiao.mediation.states import RATEABLE, TERMINAL, MState
from fengqiao.portal.models import TransparencyDimension

CODE_RE = re.compile(rf"^JF-[{ids.ALPHABET}]{{4}}-[{ids.ALPHABET}]{{4}}-[{ids.ALPHABET}]{{4}}$")


def normalise(code: str) -> str:
    """``jf 7km3 qx4a  9crt`` → ``JF-7KM3-QX4A-9CRT``: spaces, dashes and case do not matter."""
    compact = re.sub(r"[\s\-－—_]", "", (code or "").upper())
    if compact.startswith("JF"):
        compact = compact[2:]
    if len(compact) != 12:
        return (code or "").strip().upper()[:40]
    return "JF-" + "-".join(compact[i:i + 4] for i in range(0, 12, 4))


def well_formed(code: str) -> bool:
    return bool(CODE_RE.match(code))


def by_code(code: str) -> Mediation:
    """The mediation of a dispute code, for the public tracking page; NotFound for a wrong code."""
    found = None
    if well_formed(code):
        found = (Mediation.objects.select_related("kind", "dispute_type", "mediator", "mediator__unit", "unit",
                                                  "unit__area", "area", "case")
                 .filter(code=code).first())
    if found is None:
        raise NotFound("")
    return found


def as_party(citizen: Citizen | None, code: str) -> Mediation | None:
    """The mediation if the verified phone is one of its parties'; None otherwise."""
    if citizen is None:
        return None
    try:
        return access_mediation(citizen, code)
    except NotFound:
        return None


# The main road of a mediation, as the step bar shows it: (key, label).
ROAD: list[tuple[str, str]] = [
    ("applied", "申请"),
    ("accepted", "受理"),
    ("mediating", "调解"),
    ("agreed", "达成协议"),
    ("confirmed", "司法确认"),
    ("performed", "履行完毕"),
]
# The step a mediation under way stands at: the steps before it are done, it is current, those after are ahead.
AT: dict[MState, str] = {
    MState.APPLIED: "applied",
    MState.ACCEPTED: "accepted",
    MState.SCHEDULED: "mediating",
    MState.IN_PROGRESS: "mediating",
    MState.AGREED: "agreed",
    MState.CONFIRMING: "confirmed",
    MState.CONFIRMED: "confirmed",
    MState.REFUSED: "confirmed",
    MState.PERFORMED: "performed",
}
# The states that end the road before its end: their label, shown as the stop after the last step reached.
STOPS = {MState.DECLINED: "不予受理", MState.WITHDRAWN: "已撤回", MState.FAILED: "调解不成",
         MState.REFERRED: "已转出"}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # done · current · todo · stopped


def _shown_steps(mediation: Mediation) -> list[tuple[str, str]]:
    """The road of the mediation's kind: judicial confirmation only for a kind that has it, and not on a
    mediation performed without going to court."""
    confirm = mediation.kind.has_step("confirm")
    if confirm and mediation.state == MState.PERFORMED:
        confirm = Confirmation.objects.filter(mediation_id=mediation.pk).exists()
    return [r for r in ROAD if r[0] != "confirmed" or confirm]


def _last_reached(mediation: Mediation) -> str:
    """The last step an ended mediation passed before it stopped."""
    state = mediation.state
    if state == MState.DECLINED:
        return "applied"
    if state == MState.WITHDRAWN:
        return "accepted" if mediation.accepted_at else "applied"
    if state == MState.REFERRED and Agreement.objects.filter(mediation_id=mediation.pk).exists():
        return "agreed"  # an agreement the court refused to confirm, then referred
    return "mediating"  # failed, or referred after failing


def road(mediation: Mediation) -> list[Step]:
    """The step bar: what is done, the step the mediation stands at, what is ahead; a mediation that ended
    before the end of the road (declined, withdrawn, failed, referred) shows the steps it passed, then its
    stop."""
    steps = _shown_steps(mediation)
    keys = [key for key, _label in steps]
    state = mediation.state
    if state in STOPS:
        last = keys.index(_last_reached(mediation))
        return [*(Step(key, label, "done") for key, label in steps[:last + 1]),
                Step("stop", STOPS[state], "stopped")]
    at = AT[state]
    current = keys.index(at if at in keys else "agreed")  # a confirmation on a kind without the step
    return [Step(key, label, "done" if i < current else "current" if i == current else "todo")
            for i, (key, label) in enumerate(steps)]


@dataclass(frozen=True)
class Event:
    label: str
    at: dt.datetime
    unit: str
    note: str  # for parties only


def events(mediation: Mediation, *, party: bool) -> list[Event]:
    """The case's events the parties may see, labels and times (notes for the parties themselves)."""
    rows = (CaseEvent.objects.filter(case_id=mediation.case_id, audience__in=[Audience.PARTIES, Audience.PUBLIC])
            .select_related("unit").order_by("seq"))
    return [Event(label=action_label(e.action), at=e.at, unit=e.unit.name if e.unit else "",
                  note=e.note if party and e.action.startswith("m_") and e.action != "m_apply" else "")
            for e in rows]


@dataclass(frozen=True)
class PartyLine:
    role: str
    name: str
    phone: str


@dataclass
class Track:
    """Everything the tracking page shows of one mediation; ``party``: the visitor is one of its parties."""

    mediation: Mediation
    party: bool
    applicant: bool
    steps: list[Step]
    dimensions: list[TransparencyDimension]
    events: list[Event]
    sessions: list[Session]
    mediator_rating: float | None
    parties: list[PartyLine] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tone(self) -> str:
        """The status badge's colour: a stop (warn), an agreement reached (ok), under way (run)."""
        if self.mediation.state in STOPS or self.mediation.state == MState.REFUSED:
            return "warn"
        if self.mediation.state in {MState.AGREED, MState.CONFIRMED, MState.PERFORMED}:
            return "ok"
        return "run"

    @property
    def open(self) -> bool:
        return self.mediation.state not in TERMINAL

    @property
    def may_choose(self) -> bool:
        return self.applicant and self.mediation.state == MState.APPLIED

    @property
    def may_rate(self) -> bool:
        return self.applicant and self.mediation.state in RATEABLE and self.mediation.rating is None

    @property
    def may_withdraw(self) -> bool:
        return self.applicant and self.mediation.state in {MState.APPLIED, MState.ACCEPTED, MState.SCHEDULED,
                                                           MState.IN_PROGRESS}

    @property
    def may_confirm(self) -> bool:
        return (self.applicant and self.mediation.state == MState.AGREED
                and self.mediation.kind.has_step("confirm"))


def dimensions() -> list[TransparencyDimension]:
    return list(TransparencyDimension.objects.filter(visible=True).order_by("order", "key"))


def track(code: str, citizen: Citizen | None) -> Track:
    """The tracking page of a code (NotFound for a wrong one)."""
    mediation = by_code(code)
    own = as_party(citizen, code) is not None
    applicant = own and citizen is not None and mediation.applicant_phone_hash == citizen.phone_hash
    sessions = list(mediation.sessions.exclude(status=SessionStatus.CANCELLED).order_by("seq"))
    result = Track(mediation=mediation, party=own, applicant=applicant, steps=road(mediation),
                   dimensions=dimensions(), events=events(mediation, party=own), sessions=sessions,
                   mediator_rating=mediation.mediator.rating if mediation.mediator else None)
    result.extra = _results(mediation, party=own)
    if own:
        result.parties = [PartyLine(role=p.get_role_display(), name=p.name, phone=pii.mask_phone(p.phone))
                          for p in mediation.case.parties.order_by("role", "pk")]
        result.attachments = list(Attachment.objects.filter(
            case_id=mediation.case_id, audience__in=[Audience.PARTIES, Audience.PUBLIC]).order_by("uploaded_at"))
        result.extra["case_evaluation"] = open_case_evaluation(mediation) if applicant else None
    return result


def _results(mediation: Mediation, *, party: bool) -> dict[str, Any]:
    """The result dimension's rows (those that exist): agreement, confirmation, referral, follow-ups."""
    found: dict[str, Any] = {"agreement": None, "confirmation": None, "referral": None, "follow_ups": []}
    for name in ("agreement", "confirmation", "referral"):
        try:
            found[name] = getattr(mediation, name)
        except ObjectDoesNotExist:
            found[name] = None
    found["follow_ups"] = list(mediation.follow_ups.order_by("at"))
    found["party"] = party
    return found


def open_case_evaluation(mediation: Mediation) -> EvaluationInvite | None:
    """The case's evaluation invitation of this round when the case waits for the citizen's evaluation
    (the closed loop: satisfied / basically / unsatisfied)."""
    case = mediation.case
    if case.state != State.REPLIED:
        return None
    return (EvaluationInvite.objects.filter(case=case, round=case.reopen_count + 1, used_at__isnull=True,
                                            replaced_at__isnull=True, expires_at__gt=clock.now())
            .order_by("-pk").first())


def applicant_name(mediation: Mediation) -> str:
    party = mediation.case.parties.filter(role=PartyRole.APPLICANT).order_by("pk").first()
    return party.name if party else ""


def mediator_profile(mediator: Mediator) -> dict[str, Any]:
    return {"mediator": mediator, "specialties": [s.name for s in mediator.specialties.all()],
            "rating": mediator.rating}
