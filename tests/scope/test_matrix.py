"""The scoping matrix: every role of the test city × every kind of read and write.

The expectations are data, so a reader sees the policy at a glance.  The test city (tests.factories):
grids 0 and 1 lie in street 城东 (community 东风), grids 2 and 3 in street 城西; departments D1 住建局 (handler),
D2 生态环境局 (handler2), D3 城东街道办 (mediator, judge).  Area roles: operator, dispatcher and leader hold the
city, street_dispatcher 城东, risk_officer the district, grid_worker grid 0, other_grid_worker grid 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import PersonalDataView
from fengqiao.cases import selectors, services
from fengqiao.cases.models import Case, CaseEvent, Channel
from fengqiao.cases.states import State
from fengqiao.kit.errors import DomainError, NotFound, PermissionDenied
from tests.cases.builders import REPLY_TEXT, case_in, register, snapshot
from tests.factories import City

ROLES = ["operator", "dispatcher", "street_dispatcher", "handler", "handler2", "grid_worker",
         "other_grid_worker", "mediator", "judge", "risk_officer", "leader", "unit_leader", "citizen",
         "other_citizen", "admin"]

# --- reads ---------------------------------------------------------------------------------------
# A: the citizen's case in grid 0 (城东), led by D1 with D2 assisting, accepted.
# B: an operator's case in grid 2 (城西), not dispatched.   C: an operator's case in grid 1, led by D3.
VISIBLE: dict[str, set[str]] = {
    "operator": {"A", "B", "C"},
    "dispatcher": {"A", "B", "C"},
    "street_dispatcher": {"A", "C"},
    "handler": {"A"},
    "handler2": {"A"},
    "grid_worker": {"A"},
    "other_grid_worker": {"B"},
    "mediator": {"C"},
    "judge": {"C"},
    "risk_officer": {"A", "B", "C"},
    "leader": {"A", "B", "C"},
    "unit_leader": {"A"},  # D1's leader (局长): what is assigned to D1, like its handlers
    "citizen": {"A"},
    "other_citizen": set(),
    "admin": {"A", "B", "C"},
}

# Case A's timeline: staff see internal events, the citizen only what the parties may see.
TIMELINE_A: dict[str, str | None] = {
    role: (None if "A" not in VISIBLE[role] else "parties only" if role == "citizen" else "everything")
    for role in ROLES
}

# Parties in full (reveal) on cases A and C: "audited" = shown and a PersonalDataView written,
# "own" = the citizen's own case (shown, nothing to audit), "refused" = PermissionDenied,
# "not_found" = the case is outside the role's reach.
REVEAL: dict[str, dict[str, str]] = {
    "operator": {"A": "audited", "C": "audited"},
    "dispatcher": {"A": "refused", "C": "refused"},
    "street_dispatcher": {"A": "refused", "C": "refused"},
    "handler": {"A": "audited", "C": "not_found"},
    "handler2": {"A": "audited", "C": "not_found"},
    "grid_worker": {"A": "refused", "C": "not_found"},
    "other_grid_worker": {"A": "not_found", "C": "not_found"},
    "mediator": {"A": "not_found", "C": "audited"},
    "judge": {"A": "not_found", "C": "audited"},
    "risk_officer": {"A": "refused", "C": "refused"},
    "leader": {"A": "refused", "C": "refused"},
    "unit_leader": {"A": "refused", "C": "not_found"},
    "citizen": {"A": "own", "C": "not_found"},
    "other_citizen": {"A": "not_found", "C": "not_found"},
    "admin": {"A": "audited", "C": "audited"},
}

# --- writes --------------------------------------------------------------------------------------
# On the citizen's case in grid 0, led by D1 with D2 assisting, in the state the action needs.
# "ok" roles succeed, "not_found" roles cannot reach the case; every other role gets PermissionDenied.
OUTSIDERS = {"other_grid_worker", "mediator", "judge", "other_citizen"}  # never reach that case
NOT_YET_ASSIGNED = OUTSIDERS | {"handler", "handler2", "unit_leader"}  # before dispatch the units do not see it
WRITES: dict[str, dict[str, set[str]]] = {
    "register": {"ok": {"operator", "dispatcher", "street_dispatcher", "grid_worker", "citizen",
                        "other_citizen", "admin"}, "not_found": set()},
    "dispatch": {"ok": {"dispatcher", "street_dispatcher", "admin"}, "not_found": NOT_YET_ASSIGNED},
    "redispatch": {"ok": {"dispatcher", "street_dispatcher", "admin"}, "not_found": OUTSIDERS},
    "accept": {"ok": {"handler"}, "not_found": OUTSIDERS},
    "return": {"ok": {"handler"}, "not_found": OUTSIDERS},
    "note": {"ok": {"handler", "handler2", "dispatcher", "street_dispatcher", "grid_worker"}, "not_found": OUTSIDERS},
    "request_extension": {"ok": {"handler"}, "not_found": OUTSIDERS},
    "approve_extension": {"ok": {"dispatcher", "street_dispatcher", "leader"}, "not_found": OUTSIDERS},
    "refuse_extension": {"ok": {"dispatcher", "street_dispatcher", "leader"}, "not_found": OUTSIDERS},
    "reply": {"ok": {"handler"}, "not_found": OUTSIDERS},
    "reply_on_the_spot": {"ok": {"operator", "dispatcher", "street_dispatcher"}, "not_found": NOT_YET_ASSIGNED},
    "evaluate": {"ok": {"operator", "citizen"}, "not_found": OUTSIDERS},
    "reopen": {"ok": {"operator", "citizen"}, "not_found": OUTSIDERS},
    "resend_evaluation": {"ok": {"operator", "dispatcher", "street_dispatcher"}, "not_found": OUTSIDERS},
    "merge": {"ok": {"operator", "dispatcher", "street_dispatcher", "admin"}, "not_found": NOT_YET_ASSIGNED},
    "cancel": {"ok": {"dispatcher", "street_dispatcher", "admin"}, "not_found": NOT_YET_ASSIGNED},
    "escalate": {"ok": {"dispatcher", "street_dispatcher", "leader", "admin"}, "not_found": OUTSIDERS},
    "link": {"ok": {"operator", "dispatcher", "street_dispatcher", "handler", "handler2", "admin"},
             "not_found": OUTSIDERS},
}


@pytest.fixture(autouse=True)
def unit_leader(city: City) -> User:
    """A leader of D1 (a unit, no area): reads the unit's cases, reviews its replies, writes nothing here —
    extensions and escalation are the area's leaders' (and dispatchers') to decide."""
    user = User.objects.create_user(username="unit_leader", password="x", display_name="D1 局长", is_staff=True)
    Membership.objects.create(user=user, role=Role.LEADER, unit=city.departments[0])
    city.users["unit_leader"] = user
    return user


def _setup(city: City, action: str) -> tuple[Case | None, Callable[[User, Case | None], Any]]:
    """The case the action needs (fresh for every role) and how the action is called."""
    s = services
    simple: dict[str, tuple[State, Callable[[User, Case], Any]]] = {
        "dispatch": (State.REGISTERED, lambda u, c: s.dispatch(u, c.code, lead_unit_id=city.departments[0].pk)),
        "redispatch": (State.DISPATCHED, lambda u, c: s.dispatch(u, c.code, lead_unit_id=city.departments[1].pk)),
        "accept": (State.DISPATCHED, lambda u, c: s.accept(u, c.code)),
        "return": (State.DISPATCHED, lambda u, c: s.return_case(u, c.code, reason="不属于本单位职责")),
        "note": (State.ACCEPTED, lambda u, c: s.add_note(u, c.code, text="已到现场")),
        "request_extension": (State.ACCEPTED,
                              lambda u, c: s.request_extension(u, c.code, working_days=3, reason="等待配件到货")),
        "reply": (State.ACCEPTED, lambda u, c: s.reply(u, c.code, text=REPLY_TEXT)),
        "reply_on_the_spot": (State.REGISTERED, lambda u, c: s.reply(u, c.code, text=REPLY_TEXT)),
        "evaluate": (State.REPLIED, lambda u, c: s.evaluate(u, c.code, rating="satisfied")),
        "reopen": (State.REPLIED, lambda u, c: s.evaluate(u, c.code, rating="unsatisfied", comment="没修好")),
        "resend_evaluation": (State.REPLIED, lambda u, c: s.resend_evaluation(u, c.code)),
        "cancel": (State.REGISTERED, lambda u, c: s.cancel(u, c.code, reason="重复来电")),
        "escalate": (State.ACCEPTED, lambda u, c: s.escalate(u, c.code, note="请加快")),
    }
    if action in simple:
        state, call = simple[action]
        return case_in(city, state, by="citizen"), call  # type: ignore[return-value]
    if action == "register":
        lng, lat = city.point_in(0)
        data = s.RegisterInput(channel=Channel.HOTLINE_12345, title="路灯不亮", description="小区门口路灯坏了",
                               lng=lng, lat=lat)
        return None, lambda u, _c: s.register(u, data)
    if action in ("approve_extension", "refuse_extension"):
        case = case_in(city, State.ACCEPTED, by="citizen")
        s.request_extension(city.users["handler"], case.code, working_days=3, reason="等待配件到货")
        approve = action == "approve_extension"
        return case, lambda u, c: s.decide_extension(u, c.code, approve=approve, note="按规定处理")
    if action == "merge":
        primary = case_in(city, State.REGISTERED, by="citizen")
        return case_in(city, State.REGISTERED, by="citizen"), lambda u, c: s.merge(u, c.code, into=primary.code)
    assert action == "link"
    other = case_in(city, State.ACCEPTED, by="citizen")
    return case_in(city, State.ACCEPTED, by="citizen"), lambda u, c: s.link(u, c.code, other=other.code)


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except PermissionDenied:
        return "forbidden"
    except NotFound:
        return "not_found"
    except DomainError as error:
        return f"{type(error).__name__}: {error.message}"
    return "ok"


def test_the_write_table_covers_every_role() -> None:
    for action, row in WRITES.items():
        assert row["ok"] <= set(ROLES), action
        assert row["not_found"] <= set(ROLES), action
        assert not row["ok"] & row["not_found"], action


@pytest.mark.parametrize("action", list(WRITES))
def test_writes(city: City, action: str) -> None:
    expected = {role: "ok" if role in WRITES[action]["ok"] else
                "not_found" if role in WRITES[action]["not_found"] else "forbidden" for role in ROLES}
    actual: dict[str, str] = {}
    unchanged: dict[str, bool] = {}
    for role in ROLES:
        user = city.users[role]
        case, call = _setup(city, action)
        before = snapshot(case) if case else Case.objects.count()
        actual[role] = _outcome(lambda: call(user, case))  # noqa: B023
        if actual[role] == "ok":
            latest = CaseEvent.objects.order_by("-pk").first()
            assert latest is not None
            assert latest.actor_id == user.pk, (action, role)
        else:
            unchanged[role] = (snapshot(case) if case else Case.objects.count()) == before
    assert actual == expected
    assert unchanged == {role: True for role in ROLES if expected[role] != "ok"}


@pytest.fixture
def abc(city: City) -> dict[str, Case]:
    a = case_in(city, State.ACCEPTED, by="citizen")
    services.add_note(city.users["handler"], a.code, text="内部：物业经理电话已核实")
    services.add_note(city.users["handler"], a.code, text="已约谈物业", visible_to_parties=True)
    b = register(city, grid=2)
    c = case_in(city, State.DISPATCHED, grid=1, lead=2, assisting=())
    return {"A": a, "B": b, "C": c}


def test_inbox_and_detail(city: City, abc: dict[str, Case]) -> None:
    by_code = {case.code: name for name, case in abc.items()}
    inbox, visible, detail = {}, {}, {}
    for role in ROLES:
        user = city.users[role]
        inbox[role] = {by_code[c] for c in selectors.inbox(user, "all").values_list("code", flat=True)}
        visible[role] = {by_code[c] for c in selectors.visible_cases(user).values_list("code", flat=True)}
        detail[role] = {name for name, case in abc.items()
                        if _outcome(lambda u=user, c=case: selectors.case_for(u, c.code)) == "ok"}
    assert inbox == VISIBLE
    assert visible == VISIBLE
    assert detail == VISIBLE


def test_timeline_audience(city: City, abc: dict[str, Case]) -> None:
    everything = ["register", "dispatch", "accept", "note", "note"]
    parties_only = ["register", "dispatch", "accept", "note"]
    actual: dict[str, str | None] = {}
    for role in ROLES:
        user = city.users[role]
        try:
            case = selectors.case_for(user, abc["A"].code)
        except NotFound:
            actual[role] = None
            continue
        actions = list(selectors.timeline(user, case).values_list("action", flat=True))
        actual[role] = {tuple(everything): "everything", tuple(parties_only): "parties only"}.get(
            tuple(actions), repr(actions))
    assert actual == TIMELINE_A


def test_parties_reveal(city: City, abc: dict[str, Case]) -> None:
    actual: dict[str, dict[str, str]] = {}
    for role in ROLES:
        user = city.users[role]
        actual[role] = {}
        for name in ("A", "C"):
            views_before = PersonalDataView.objects.count()
            try:
                case = selectors.case_for(user, abc[name].code)
                shown = selectors.parties(user, case, reveal=True, ip_address="10.0.0.8")
            except NotFound:
                actual[role][name] = "not_found"
                continue
            except PermissionDenied:
                assert PersonalDataView.objects.count() == views_before
                actual[role][name] = "refused"
                continue
            assert [(p.name, p.phone, p.masked) for p in shown] == [("张三", "13812345678", False)]
            written = PersonalDataView.objects.count() - views_before
            actual[role][name] = {0: "own", 1: "audited"}[written]
            if written:
                view = PersonalDataView.objects.order_by("-pk").first()
                assert view is not None
                assert (view.user_id, view.subject, view.fields, view.ip_address) == (
                    user.pk, f"case:{case.code}", "name,phone,id_number,address", "10.0.0.8")
    assert actual == REVEAL


def test_a_unit_leader_has_her_units_handling_tab_first(city: City, unit_leader: User) -> None:
    assert [t.key for t in selectors.tabs_for(unit_leader)] == ["handling", "overdue", "all"]
    assert [t.key for t in selectors.tabs_for(city.users["leader"])] == ["overdue", "all"]
