"""The demo's mediation (demo/mediation*.py) on a small city: the pool, a year of mediations on their cases'
chains, the live ones made through the services today, the logins, ``--reset``."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count

from fengqiao.accounts.models import Membership
from fengqiao.audit import verify
from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.cases.states import State
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import pii
from fengqiao.kit.errors import Conflict
from fengqiao.mediation.models import (
    Agreement,
    Confirmation,
    ConfirmationStatus,
    DisputeType,
    FollowUp,
    Mediation,
    Mediator,
    MediatorKind,
    MediatorTie,
    Referral,
    Session,
    SessionStatus,
)
from fengqiao.mediation.services.apply import check_mediator
from fengqiao.mediation.states import CONCLUDED, OPEN, SUCCEEDED, MAction, MState, event_action, next_state
from fengqiao.mediation.subsidy_rates import price

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
CASES = 300
MEDIATIONS = 400
ACTIONS = {event_action(a): a for a in MAction}


def build(*extra: str, mediations: int = MEDIATIONS) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--scale", "small", "--cases", str(CASES), "--mediations", str(mediations),
                     "--workers", "1", *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db: None) -> str:
    return build()


def test_the_pool_has_every_kind_in_its_organisations_with_accounts_phones_and_ties(demo: str) -> None:
    kinds = Counter(Mediator.objects.values_list("kind", flat=True))
    assert set(kinds) == set(MediatorKind.values)
    assert kinds[MediatorKind.PEOPLES] == max(kinds.values())
    streets = Area.objects.filter(level=Level.STREET)
    committees = Unit.objects.filter(kind=UnitKind.MEDIATION_COMMITTEE, area__in=streets, code__endswith="-TJ")
    assert committees.count() == streets.count()
    assert not committees.annotate(n=Count("mediators")).filter(n=0).exists()
    for unit_id in set(Mediator.objects.values_list("unit_id", flat=True)):  # someone may act for every unit
        assert Mediator.objects.filter(unit_id=unit_id, user__isnull=False).exists(), unit_id
    for mediator in Mediator.objects.filter(user__isnull=False).select_related("user"):
        assert Membership.objects.filter(user=mediator.user, role="mediator", unit=mediator.unit_id).exists()
        assert mediator.user.email.endswith("@demo.fengqiao.invalid")
    for mediator in Mediator.objects.all():
        assert mediator.phone_hash == pii.lookup_hash("phone", mediator.phone)
        assert mediator.id_hash == pii.lookup_hash("id", mediator.id_number)
        assert mediator.specialties.exists()
        assert mediator.languages.startswith("普通话")
    assert Mediator.objects.filter(languages__contains="英语").exists()
    assert Mediator.objects.filter(available=False).exists()
    assert Mediator.objects.filter(unavailable_until__gt=NOW.date()).exists()
    assert MediatorTie.objects.count() >= 3
    assert Mediator.objects.get(user__username="mediator_hailing_tj").kind == MediatorKind.GOLD_MEDAL
    rated = Mediation.objects.filter(rating__isnull=False, mediator__isnull=False)
    for mediator in Mediator.objects.filter(rating_count__gt=0)[:50]:
        mine = rated.filter(mediator=mediator)
        assert (mediator.rating_sum, mediator.rating_count) == (sum(m.rating for m in mine), mine.count())


def _replay(mediation: Mediation) -> None:
    """The mediation's events on its case's chain follow its state table to its state."""
    state = MState.APPLIED
    events = CaseEvent.objects.filter(case_id=mediation.case_id, action__startswith="m_").order_by("seq")
    assert events[0].action == "m_apply"
    for event in events[1:]:
        assert event.data["mediation"] == mediation.code
        assert event.data["from"] == state.value, (mediation.code, event.action)
        state = next_state(state, ACTIONS[event.action])
        assert event.data["to"] == state.value
    assert mediation.status == state.value, mediation.code


def test_history_is_consistent_and_the_chains_verify(demo: str) -> None:
    report = verify.verify()
    assert report.ok, report.problems[:5]
    mediations = list(Mediation.objects.select_related("case", "kind"))
    # the year's (a few registered in the last hours are not yet sent to mediation) and thirty live ones
    assert MEDIATIONS - 10 <= len(mediations) - 30 <= MEDIATIONS
    assert Case.objects.filter(mediation__isnull=False).count() == len(mediations)
    assert not CaseEvent.objects.filter(at__gt=NOW).exists()
    for m in mediations:
        _replay(m)
        state = MState(m.status)
        assert (m.concluded_at is not None) == (state in CONCLUDED), m.code
        assert Agreement.objects.filter(mediation=m).exists() == (state in SUCCEEDED or (
            state == MState.REFERRED and Confirmation.objects.filter(mediation=m).exists())), m.code
        if state in CONCLUDED and m.mediator_id is not None:
            agreed = Agreement.objects.filter(mediation=m).exists()
            assert m.subsidy == price(m.kind_id, m.difficulty, agreed=agreed), m.code
        if state in (MState.CONFIRMED, MState.REFUSED):
            confirmation = Confirmation.objects.get(mediation=m)
            assert confirmation.judge is not None
            assert confirmation.ruled_at is not None
            assert confirmation.status == state.value
            assert (confirmation.reason != "") == (state == MState.REFUSED)
        if state == MState.CONFIRMING:
            assert Confirmation.objects.get(mediation=m).status == ConfirmationStatus.PENDING
        assert Referral.objects.filter(mediation=m).exists() == (state == MState.REFERRED), m.code
        if state not in (MState.APPLIED, MState.DECLINED, MState.WITHDRAWN):
            assert m.mediator_id is not None, m.code
            assert m.accepted_at is not None
        if state in OPEN:
            assert m.case.status in (State.DISPATCHED, State.ACCEPTED), m.code
        elif state in CONCLUDED | {MState.DECLINED, MState.WITHDRAWN}:
            assert m.case.status in (State.REPLIED, State.CLOSED), m.code
        if state in (MState.IN_PROGRESS, MState.AGREED):
            assert m.sessions.filter(status=SessionStatus.HELD).exclude(record="").exists()
    for mediator in Mediator.objects.all():  # no one holds more open mediations than she may
        assert Mediation.objects.filter(mediator=mediator, status__in=[s.value for s in OPEN]).count() <= \
            mediator.max_load, mediator.name
    for party in Party.objects.filter(case__mediation__isnull=False)[:200]:
        assert party.phone_hash == pii.lookup_hash("phone", party.phone)


def test_outcomes_vary_by_kind_and_street_and_the_texts_are_the_demos(db: None) -> None:
    build(mediations=3000)
    concluded = Mediation.objects.filter(status__in=[s.value for s in CONCLUDED],
                                         applied_at__lt=NOW - dt.timedelta(days=2))
    rates = {}
    for kind in ("peoples", "pre_litigation", "petition"):
        mine = concluded.filter(kind__code=kind)
        rates[kind] = mine.filter(status__in=[s.value for s in SUCCEEDED]).count() / mine.count()
    total = concluded.filter(status__in=[s.value for s in SUCCEEDED]).count() / concluded.count()
    assert 0.84 <= total <= 0.93, total
    assert rates["peoples"] > rates["pre_litigation"] > rates["petition"], rates
    by_street = [concluded.filter(area=a).filter(status__in=[s.value for s in SUCCEEDED]).count()
                 / max(1, concluded.filter(area=a).count()) for a in Area.objects.filter(level=Level.STREET)]
    assert max(by_street) - min(by_street) > 0.02, by_street
    types = Counter(Mediation.objects.values_list("dispute_type__code", flat=True))
    assert set(types) == set(DisputeType.objects.values_list("code", flat=True))
    assert types["neighbour"] > types["medical"]
    records = " ".join(Session.objects.exclude(record="").values_list("record", flat=True)[:400])
    assert "枫桥镇" not in records
    assert "调解笔录" in records
    assert Mediation.objects.filter(rating=5).count() > Mediation.objects.filter(rating__lte=2).count() * 4
    confirmed = Confirmation.objects.filter(status=ConfirmationStatus.CONFIRMED).count()
    assert confirmed > 4 * Confirmation.objects.filter(status=ConfirmationStatus.REFUSED).count() > 0
    assert FollowUp.objects.exists()
    assert not Agreement.objects.filter(mediation__applied_at__lt=NOW - dt.timedelta(days=60)).exclude(pdf="").exists()
    assert Mediation.objects.filter(subsidy__gt=Decimal(0)).count() > 2000


def test_live_mediations_are_in_every_state_made_through_the_services_and_printed(demo: str) -> None:
    states = set(Mediation.objects.values_list("status", flat=True))
    assert states == {s.value for s in MState}
    made_today = CaseEvent.objects.filter(at=NOW, action__startswith="m_")
    assert {"m_apply", "m_choose", "m_accept", "m_schedule", "m_record", "m_agree", "m_apply_confirm", "m_confirm",
            "m_refuse_confirm", "m_follow_up", "m_fulfil", "m_fail", "m_refer", "m_decline",
            "m_withdraw"} <= set(made_today.values_list("action", flat=True))
    assert Agreement.objects.filter(signed_at=NOW).exclude(pdf="").exists()  # the services make PDFs
    assert Confirmation.objects.filter(ruled_at=NOW).exclude(pdf="").count() == 2
    logins = (Path(settings.DATA_DIR) / "demo-logins.txt").read_text(encoding="utf-8")
    section = logins[logins.index("调解（解纷码）演示"):]
    assert "judge_hailing_fy" in section
    assert "mediator_hailing_tj" in section
    printed = [line.split("/portal/track/")[1].split("/")[0] for line in section.splitlines()
               if "/portal/track/" in line]
    assert len(printed) == 3
    wanted = [MState.APPLIED, MState.SCHEDULED, MState.AGREED]
    for code, state, phone in zip(printed, wanted, ("13952300001", "13952300002", "13952300003"), strict=True):
        mediation = Mediation.objects.get(code=code)
        assert mediation.status == state
        assert mediation.applicant_phone_hash == pii.lookup_hash("phone", phone)
        assert phone in section
    pending = Confirmation.objects.filter(status=ConfirmationStatus.PENDING, court__code="321202-FY").count()
    assert f"待审查的司法确认申请 {pending} 件" in section
    tied = MediatorTie.objects.get(relation="申请人的表兄")
    applied = Mediation.objects.get(code=printed[0])
    with time_machine.travel(NOW, tick=False), pytest.raises(Conflict, match="回避"):
        check_mediator(applied, tied.mediator_id)
    table = logins[:logins.index("调解（解纷码）演示")]  # the pool's accounts are not listed one by one
    assert "mediator_321202001_1 " not in table
    assert "mediator_hailing_tj " in table


def test_reset_wipes_the_mediations_and_builds_them_again(demo: str) -> None:
    before = (Mediation.objects.count(), Mediator.objects.count(), Session.objects.count(), Unit.objects.count())
    out = build("--reset")
    assert "mediation" in out.lower() or "调解" in out
    after = (Mediation.objects.count(), Mediator.objects.count(), Session.objects.count(), Unit.objects.count())
    assert after == before
    assert verify.verify().ok
    assert DisputeType.objects.count() == 13  # the city's configuration stays
    from fengqiao.portal.models import TransparencyDimension

    assert TransparencyDimension.objects.count() == 8  # the citizen app's dimensions are configuration too
    from fengqiao.demo import build as demo_build

    demo_build.wipe(lambda _line: None)
    for model in (Mediation, Mediator, MediatorTie, Session, Agreement, Confirmation, Referral, FollowUp, Case):
        assert not model.objects.exists(), model
    assert DisputeType.objects.count() == 13
