"""Messages of the mediation's steps: an SMS to every party with a phone (they have no account: the phone
travels encrypted in the outbox row and is cleared once sent), in-app messages to the mediator and to the
court's judges.  Queued inside the action's transaction, sent after commit; a dedup key per step and
recipient, so a step never messages anyone twice."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Party, PartyRole
from fengqiao.jurisdictions.models import Unit
from fengqiao.mediation.models import Mediation
from fengqiao.notifications import services as notifications
from fengqiao.notifications.models import Channel

KIND = "mediation"


def chinese() -> translation.override:
    """Messages are written in Chinese whatever language the page that caused them is in: build them
    inside ``with notify.chinese():`` (a staff member working in English sends no English SMS)."""
    return translation.override("zh-hans")


def sender(mediation: Mediation) -> str:
    """The SMS signature: the organisation's short name."""
    unit = mediation.unit
    return f"【{(unit.short_name or unit.name) if unit else _('矛盾纠纷调解')}】"


def tell_parties(mediation: Mediation, key: str, subject: str, body: str, *, respondent_body: str = "",
                 roles: tuple[str, ...] = ()) -> int:
    """An SMS to each party of the case who gave a phone (of ``roles`` only, when given); ``key`` names
    the step (unique per mediation).  ``respondent_body``, when given, is what the other side reads
    instead (she did not apply)."""
    parties = Party.objects.filter(case_id=mediation.case_id).exclude(phone_hash="").order_by("pk")
    if roles:
        parties = parties.filter(role__in=roles)
    drafts = [
        notifications.Draft(dedup_key=f"med:{mediation.pk}:{key}:p{party.pk}", channel=Channel.SMS,
                            subject=subject,
                            body=sender(mediation) + (respondent_body if respondent_body and
                                                      party.role == PartyRole.RESPONDENT else body),
                            kind=KIND, case_id=mediation.case_id, to=party.phone)
        for party in parties
        if party.phone
    ]
    return notifications.queue(drafts)


def tell_mediator(mediation: Mediation, key: str, subject: str, body: str) -> int:
    """An in-app message to the mediation's mediator, when she has an account."""
    mediator = mediation.mediator
    if mediator is None or mediator.user_id is None:
        return 0
    return notifications.queue([notifications.Draft(
        dedup_key=f"med:{mediation.pk}:{key}:u{mediator.user_id}", channel=Channel.IN_APP, subject=subject,
        body=body, kind=KIND, recipient_id=mediator.user_id, unit_id=mediator.unit_id, case_id=mediation.case_id,
    )])


def tell_judges(mediation: Mediation, court: Unit, key: str, subject: str, body: str) -> int:
    """An in-app message to every judge of ``court``."""
    judges = Membership.objects.filter(role=Role.JUDGE, unit=court).values_list("user_id", flat=True).distinct()
    return notifications.queue([
        notifications.Draft(dedup_key=f"med:{mediation.pk}:{key}:u{user_id}", channel=Channel.IN_APP,
                            subject=subject, body=body, kind=KIND, recipient_id=user_id, unit_id=court.pk,
                            case_id=mediation.case_id)
        for user_id in sorted(judges)
    ])
