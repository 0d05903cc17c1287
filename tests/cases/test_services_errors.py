"""Bad input to every action: the right DomainError, a message naming the field, and NOTHING changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel, Party
from fengqiao.cases.services.handling import MAX_EXTENSION_DAYS, REPLY_MAX_LENGTH
from fengqiao.cases.states import IllegalTransition, State
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tests.cases.builders import case_in, register, snapshot
from tests.factories import City

Act = Callable[[City, Case], Any]


@dataclass(frozen=True)
class Bad:
    state: State
    act: Act
    error: type[DomainError]
    message: str
    fields: dict[str, str]


def _reply(text: str) -> Act:
    return lambda c, case: services.reply(c.users["handler"], case.code, text=text)


def _extend(days: int, reason: str = "需要厂家更换主板") -> Act:
    return lambda c, case: services.request_extension(c.users["handler"], case.code, working_days=days,
                                                      reason=reason)


def _dispatch(lead: int | None = None, assisting: list[int] | None = None, version: int | None = None) -> Act:
    return lambda c, case: services.dispatch(
        c.users["dispatcher"], case.code, lead_unit_id=lead or c.departments[0].pk,
        assisting_unit_ids=assisting or [], expected_version=version)


def _dispatch_inactive(c: City, case: Case) -> None:
    Unit.objects.filter(pk=c.departments[1].pk).update(active=False)
    _dispatch(lead=c.departments[1].pk)(c, case)


R, A = State.REGISTERED, State.ACCEPTED
CHANGED_BY_OTHERS = "这个案件在您打开之后已有新的操作（{}），当前状态为「{}」，请刷新后查看最新状态。"
BAD: dict[str, Bad] = {
    "reply empty": Bad(A, _reply("   "), ValidationFailed, "请填写答复内容。", {"text": "请填写答复内容"}),
    "reply too short": Bad(A, _reply("已处理"), ValidationFailed, "请填写答复内容。", {"text": "请填写答复内容"}),
    "reply too long": Bad(A, _reply("办" * (REPLY_MAX_LENGTH + 1)), ValidationFailed,
                          "答复内容不能超过 5000 字（现有 5001 字）。", {"text": "不能超过 5000 字"}),
    "return without reason": Bad(
        State.DISPATCHED, lambda c, case: services.return_case(c.users["handler"], case.code, reason=" "),
        ValidationFailed, "请填写退回理由。", {"reason": "请填写退回理由"}),
    "extension of 0 days": Bad(A, _extend(0), ValidationFailed, "延期天数应为 1 到 30 个工作日。",
                               {"working_days": "天数超出范围"}),
    "extension of 31 days": Bad(A, _extend(MAX_EXTENSION_DAYS + 1), ValidationFailed,
                                "延期天数应为 1 到 30 个工作日。", {"working_days": "天数超出范围"}),
    "extension without reason": Bad(A, _extend(3, "等"), ValidationFailed, "请填写延期理由。",
                                    {"reason": "请填写延期理由"}),
    "decision without a request": Bad(
        A, lambda c, case: services.decide_extension(c.users["dispatcher"], case.code, approve=True),
        Conflict, "没有待审批的延期申请。", {}),
    "merge into itself": Bad(R, lambda c, case: services.merge(c.users["dispatcher"], case.code, into=case.code),
                             ValidationFailed, "不能把案件合并到它自己。", {"into": "请选择另一个案件"}),
    "merge into an unknown case": Bad(
        R, lambda c, case: services.merge(c.users["dispatcher"], case.code, into="FQ000000-XXXXXX"),
        NotFound, "没有找到案件 FQ000000-XXXXXX，或您无权查看。", {}),
    "evaluation before reply": Bad(
        A, lambda c, case: services.evaluate(c.users["operator"], case.code, rating="satisfied"),
        IllegalTransition, "当前状态为「办理中」，不能执行「评价：满意」。可执行的操作：重新分拨、办理进展、申请延期、"
        "批准延期、不予延期、答复、督办升级、已超期、到期提醒、关联、上传附件、发起会商研判、会商任务交办、"
        "会商任务完成、会商结论。", {}),
    "unsatisfied without reason": Bad(
        State.REPLIED, lambda c, case: services.evaluate(c.users["operator"], case.code, rating="unsatisfied"),
        ValidationFailed, "请填写不满意的原因。", {"comment": "请填写不满意的原因"}),
    "unknown rating": Bad(
        State.REPLIED, lambda c, case: services.evaluate(c.users["operator"], case.code, rating="great"),
        ValidationFailed, "请选择评价：满意、基本满意或不满意。", {"rating": "请选择评价"}),
    "stale version": Bad(R, _dispatch(version=5), Conflict, CHANGED_BY_OTHERS.format("登记", "待分拨"), {}),
    "stale version after dispatch": Bad(
        State.DISPATCHED, lambda c, case: services.accept(c.users["handler"], case.code, expected_version=0),
        Conflict, CHANGED_BY_OTHERS.format("分拨交办", "待签收"), {}),
    "dispatch to no unit": Bad(R, _dispatch(lead=999_999), ValidationFailed, "请选择有效的主办单位。",
                               {"lead_unit": "主办单位不存在或已停用"}),
    "dispatch to an inactive unit": Bad(R, _dispatch_inactive, ValidationFailed, "请选择有效的主办单位。",
                                        {"lead_unit": "主办单位不存在或已停用"}),
    "assisting unit unknown": Bad(R, _dispatch(assisting=[999_999]), ValidationFailed,
                                  "协办单位中有不存在或已停用的单位。", {"assisting_units": "协办单位无效"}),
    "note empty": Bad(A, lambda c, case: services.add_note(c.users["handler"], case.code, text=""),
                      ValidationFailed, "请填写办理进展。", {"text": "请填写办理进展"}),
    "cancel without reason": Bad(R, lambda c, case: services.cancel(c.users["dispatcher"], case.code, reason=""),
                                 ValidationFailed, "请填写作废理由。", {"reason": "请填写作废理由"}),
    "cancel an accepted case": Bad(
        A, lambda c, case: services.cancel(c.users["dispatcher"], case.code, reason="重复来电"),
        IllegalTransition, "", {}),
    "link to itself": Bad(A, lambda c, case: services.link(c.users["dispatcher"], case.code, other=case.code),
                          ValidationFailed, "不能关联案件自身。", {"other": "请选择另一个案件"}),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_changes_nothing(city: City, name: str) -> None:
    bad = BAD[name]
    case = case_in(city, bad.state)
    before = snapshot(case)
    cases_before = Case.objects.count()
    with pytest.raises(DomainError) as caught:
        bad.act(city, case)
    error = caught.value
    assert type(error) is bad.error
    if bad.message:
        assert error.message == bad.message
    assert error.fields == bad.fields
    assert snapshot(case) == before
    assert Case.objects.count() == cases_before


def test_merge_into_cancelled_names_the_target(city: City) -> None:
    case, target = case_in(city, State.REGISTERED), case_in(city, State.CANCELLED)
    before = snapshot(case)
    with pytest.raises(Conflict) as caught:
        services.merge(city.users["dispatcher"], case.code, into=target.code)
    assert caught.value.message == f"目标案件 {target.code} 已作废，不能作为主件。"
    assert snapshot(case) == before


def test_merge_into_its_own_duplicate_is_refused(city: City) -> None:
    case, duplicate = register(city), register(city)
    services.merge(city.users["dispatcher"], duplicate.code, into=case.code)
    before = snapshot(case)
    with pytest.raises(ValidationFailed) as caught:
        services.merge(city.users["dispatcher"], case.code, into=duplicate.code)
    assert caught.value.message == f"案件 {duplicate.code} 是本案件的重复件，不能作为主件。"
    assert caught.value.fields == {"into": "请选择另一个案件"}
    assert snapshot(case) == before


def test_second_pending_extension_is_a_conflict(city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    services.request_extension(city.users["handler"], case.code, working_days=2, reason="需要厂家更换主板")
    before = snapshot(case)
    with pytest.raises(Conflict) as caught:
        services.request_extension(city.users["handler"], case.code, working_days=3, reason="还需要再等等配件")
    assert caught.value.message == "已有一份延期申请在等待审批，请等待审批结果。"
    assert snapshot(case) == before
    assert len(before["extensions"]) == 1


def test_escalation_past_the_top_is_a_conflict(city: City) -> None:
    case = case_in(city, State.REGISTERED)
    for _ in range(3):
        services.escalate(city.users["leader"], case.code, note="督办")
    before = snapshot(case)
    with pytest.raises(Conflict) as caught:
        services.escalate(city.users["leader"], case.code, note="督办")
    assert caught.value.message == "该案件已是最高督办级别（挂牌督办）。"
    assert snapshot(case) == before
    assert before["case"]["supervision_level"] == 3


def test_reply_of_exactly_the_limit_is_accepted(city: City) -> None:
    case = case_in(city, State.ACCEPTED)
    services.reply(city.users["handler"], case.code, text="办" * REPLY_MAX_LENGTH)
    case.refresh_from_db()
    assert (case.status, len(case.reply)) == ("replied", REPLY_MAX_LENGTH)


def test_unknown_case_is_not_found(city: City) -> None:
    with pytest.raises(NotFound) as caught:
        services.accept(city.users["handler"], "FQ000000-AAAAAA")
    assert caught.value.message == "没有找到案件 FQ000000-AAAAAA，或您无权查看。"


# --- registration ---------------------------------------------------------------------------------

def _input(city: City, **overrides: Any) -> services.RegisterInput:
    lng, lat = city.point_in(0)
    values: dict[str, Any] = {"channel": Channel.HOTLINE_12345, "title": "噪声扰民", "description": "夜间施工",
                              "lng": lng, "lat": lat}
    return services.RegisterInput(**(values | overrides))


@pytest.mark.parametrize(("overrides", "fields"), [
    ({"channel": "fax"}, {"channel": "未知的受理渠道"}),
    ({"title": " "}, {"title": "请填写标题"}),
    ({"title": "长" * 201}, {"title": "标题不能超过 200 字"}),
    ({"description": ""}, {"description": "请填写诉求内容"}),
    ({"urgency": "asap"}, {"urgency": "紧急程度应为 一般 / 紧急 / 特急"}),
    ({"lat": None}, {"lng": "经度和纬度需同时填写"}),
    ({"lng": 200.0, "lat": 32.0}, {"lng": "经度应在 -180 到 180 之间"}),
    ({"parties": [services.PartyInput(name="", phone="12345")]},
     {"parties.0.name": "请填写当事人姓名", "parties.0.phone": "电话号码格式不正确（手机 11 位，或带区号的固话）"}),
    ({"parties": [services.PartyInput(name="李四", id_number="321202199001011235")]},
     {"parties.0.id_number": "身份证号校验位不正确"}),
    ({"external_ref": "x" * 65}, {"external_ref": "外部编号不能超过 64 字"}),
])
def test_register_rejects_bad_input(city: City, overrides: dict[str, Any], fields: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.register(city.users["operator"], _input(city, **overrides))
    assert caught.value.fields == fields
    assert caught.value.message.startswith("登记信息有误：")
    assert (Case.objects.count(), Party.objects.count()) == (0, 0)


def test_register_unknown_grid_or_category(city: City) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.register(city.users["operator"], _input(city, grid_id=city.street.pk, lng=None, lat=None))
    assert caught.value.fields == {"grid": "所选网格不存在"}
    with pytest.raises(ValidationFailed) as caught:
        services.register(city.users["operator"], _input(city, category_id=999_999))
    assert caught.value.fields == {"category": "分类不存在或已停用"}
    assert Case.objects.count() == 0


def test_register_is_idempotent_on_channel_and_external_ref(city: City) -> None:
    first = services.register(city.users["operator"], _input(city, external_ref="12345-2026-0001"))
    again = services.register(city.users["operator"], _input(city, external_ref="12345-2026-0001",
                                                              title="另一个标题"))
    assert (first.created, again.created) == (True, False)
    assert again.case.pk == first.case.pk
    other_channel = services.register(city.users["operator"], _input(city, external_ref="12345-2026-0001",
                                                                      channel=Channel.POLICE_110))
    assert other_channel.created is True
    assert Case.objects.count() == 2
    assert first.case.events.count() == 1
    assert Case.objects.get(pk=first.case.pk).title == "噪声扰民"


def test_grid_worker_registers_only_in_her_grid(city: City) -> None:
    mine = services.register(city.users["grid_worker"], _input(city, channel=Channel.GRID_PATROL))
    assert mine.case.grid_id == city.grids[0].pk
    lng, lat = city.point_in(2)
    for data in (_input(city, channel=Channel.GRID_PATROL, lng=lng, lat=lat),
                 _input(city, channel=Channel.GRID_PATROL, lng=None, lat=None)):
        with pytest.raises(PermissionDenied) as caught:
            services.register(city.users["grid_worker"], data)
        assert caught.value.message == "该位置不在您负责的网格内，请核对位置。"
    assert Case.objects.count() == 1


def test_citizen_registration_belongs_to_her(city: City) -> None:
    case = services.register(city.users["citizen"], _input(city, channel=Channel.MINI_PROGRAM)).case
    assert case.citizen_id == city.users["citizen"].pk
    assert case.events.get().actor_role == "citizen"
