"""Cases in a given state, built through the real services, and a snapshot to prove "nothing changed"."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.models import User
from fengqiao.cases import services
from fengqiao.cases.models import Case, CaseEvent, Channel, ExtensionRequest
from fengqiao.cases.states import State
from tests.factories import City

REPLY_TEXT = "已联系物业公司，电梯已于今日修复并恢复运行。"


def register(
    city: City, *, by: str = "operator", grid: int = 0, category: str | None = "leaf", urgency: str = "normal",
    external_ref: str | None = None, channel: str = Channel.HOTLINE_12345, title: str = "小区电梯故障",
    parties: list[services.PartyInput] | None = None,
) -> Case:
    lng, lat = city.point_in(grid)
    data = services.RegisterInput(
        channel=channel, title=title, description="3 号楼电梯停运一周无人维修",
        category_id=city.categories[category].pk if category else None, urgency=urgency, lng=lng, lat=lat,
        external_ref=external_ref,
        parties=parties if parties is not None else [services.PartyInput(name="张三", phone="13812345678")],
    )
    return services.register(city.users[by], data).case


def dispatch(city: City, case: Case, *, lead: int = 0, assisting: tuple[int, ...] = (1,)) -> Case:
    return services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[lead].pk,
                             assisting_unit_ids=[city.departments[i].pk for i in assisting])


def lead_handler(city: City, case: Case) -> User:
    """The user who handles for the case's lead unit: handler (D1), handler2 (D2) or mediator (D3)."""
    by_unit = {city.departments[0].pk: "handler", city.departments[1].pk: "handler2",
               city.departments[2].pk: "mediator"}
    return city.users[by_unit[case.lead_unit_id]]  # type: ignore[index]


def case_in(city: City, state: State, *, by: str = "operator", grid: int = 0, lead: int = 0,
            assisting: tuple[int, ...] = (1,)) -> Case:
    """A case brought to ``state`` through the services (located in ``grid``, led by departments[lead])."""
    case = register(city, by=by, grid=grid)
    if state == State.REGISTERED:
        return _fresh(case)
    if state in (State.MERGED, State.CANCELLED):
        if state == State.CANCELLED:
            services.cancel(city.users["dispatcher"], case.code, reason="测试来电，无实际诉求")
        else:
            primary = register(city, by=by, grid=grid)
            services.merge(city.users["dispatcher"], case.code, into=primary.code)
        return _fresh(case)
    case = dispatch(city, case, lead=lead, assisting=assisting)
    if state == State.DISPATCHED:
        return _fresh(case)
    handler = lead_handler(city, case)
    if state == State.RETURNED:
        services.return_case(handler, case.code, reason="不属于本单位职责范围")
        return _fresh(case)
    services.accept(handler, case.code)
    if state == State.ACCEPTED:
        return _fresh(case)
    services.reply(handler, case.code, text=REPLY_TEXT)
    if state == State.REPLIED:
        return _fresh(case)
    if state == State.CLOSED:
        services.evaluate(city.users["operator"], case.code, rating="satisfied")
    elif state == State.REOPENED:
        services.evaluate(city.users["operator"], case.code, rating="unsatisfied", comment="电梯仍有异响")
    else:
        raise ValueError(state)
    return _fresh(case)


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def snapshot(case: Case | int) -> dict[str, Any]:
    """Everything an action could touch on one case: the row, its events, assignments, extensions,
    evaluations, parties and links.  Equal snapshots before and after = nothing changed."""
    pk = case if isinstance(case, int) else case.pk
    row = Case.objects.filter(pk=pk).values().get()
    target = Case.objects.get(pk=pk)
    return {
        "case": row,
        "events": list(CaseEvent.objects.filter(case_id=pk).order_by("seq").values_list("seq", "hash")),
        "all_events": CaseEvent.objects.count(),
        "assignments": list(target.assignments.order_by("pk").values()),
        "extensions": list(ExtensionRequest.objects.filter(case_id=pk).order_by("pk").values()),
        "evaluations": list(target.evaluations.order_by("pk").values()),
        "parties": target.parties.count(),
        "related": sorted(target.related.values_list("pk", flat=True)),
        "cases": Case.objects.count(),
    }
