"""The demo's closed loop in motion (demo/loop.py): on a small demo, fresh cases in each state the loop
needs are made through the services, then ``loop.animate`` puts them where a visitor finds them."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from fengqiao.accounts.models import User
from fengqiao.analytics.models import UnitMonth
from fengqiao.cases import services
from fengqiao.cases.loop_models import Consultation, EvaluationInvite
from fengqiao.cases.models import Case, CaseEvent, Channel
from fengqiao.cases.routing_models import Dispute
from fengqiao.cases.services import evaluation
from fengqiao.cases.states import Action, State
from fengqiao.demo import ew_legal, ew_risk_register, ew_stability, ew_warning, loop
from fengqiao.demo.units import load_org
from fengqiao.intelligence import reply_review
from fengqiao.jurisdictions.models import Area, Level

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _case(state: State) -> Case:
    """A housing-bureau case in ``state``, through the services, as the demo's own users."""
    grid = Area.objects.filter(level=Level.GRID).order_by("code").first()
    assert grid is not None
    data = services.RegisterInput(channel=Channel.HOTLINE_12345, title="小区外墙瓷砖脱落",
                                  description="5 号楼外墙瓷砖大面积脱落，砸坏楼下车辆，物业推诿不管",
                                  lng=grid.centroid_lng, lat=grid.centroid_lat,
                                  parties=[services.PartyInput(name="王芳", phone="13912345678")])
    user = User.objects.get
    with transaction.atomic():
        case = services.register(user(username="operator1"), data).case
        services.dispatch(user(username="dispatcher"), case.code, lead_unit_id=load_org().city["zjj"].pk)
        if state != State.DISPATCHED:
            services.accept(user(username="handler_zjj"), case.code)
        if state == State.REPLIED:
            services.reply(user(username="handler_zjj"), case.code,
                           text="您好，您的来电已收悉。经现场核查，外墙瓷砖脱落属实，已责令物业设置围挡并于三日内修复。")
            EvaluationInvite.objects.filter(case=case).delete()  # as the generated history: no invitation yet
    return Case.objects.get(pk=case.pk)


def test_animate_disputes_holds_convenes_invites_and_ranks(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for part in (ew_warning, ew_legal, ew_risk_register, ew_stability):  # each has its own demo test; the
        monkeypatch.setattr(part, "create", lambda *args, **kwargs: Counter())  # escalations add replied cases
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--scale", "small", "--cases", "100", "--workers", "1", stdout=io.StringIO())
        dispatched = _case(State.DISPATCHED)
        held = [_case(State.ACCEPTED), _case(State.ACCEPTED)]
        convened = _case(State.ACCEPTED)  # the newest accepted one
        replied = _case(State.REPLIED)
        shown = loop.animate(load_org(), lambda _line: None)

        assert Dispute.objects.get(case=dispatched).raised_by.username == "handler_zjj"
        assert Case.objects.get(pk=dispatched.pk).status == State.DISPUTED
        consultation = Consultation.objects.get()
        assert consultation.case_id == convened.pk
        assert consultation.participants.count() == 3  # housing, planning, the street office
        assert consultation.tasks.count() == 2
        leader = User.objects.get(username="leader_zjj")
        queue = sorted(reply_review.pending_reviews(leader).values_list("case_id", flat=True))
        assert queue == sorted(c.pk for c in held)
        assert shown.counts["loop.held_replies"] == 2
        for case in held:
            assert CaseEvent.objects.filter(case=case, action=Action.NOTE, data__kind="reply_held").exists()
            assert Case.objects.get(pk=case.pk).status == State.ACCEPTED  # the citizen sees no reply yet

        (code, link, sms), = shown.invites
        assert code == replied.code
        assert EvaluationInvite.objects.filter(case=replied).count() == 1
        invite = evaluation.invite_by_sms(replied.code, sms)
        assert evaluation.invite_by_link(link).pk == invite.pk
        assert UnitMonth.objects.filter(month=dt.date(2026, 11, 1)).exists()
        assert shown.counts["loop.ranking_months"] == 13
