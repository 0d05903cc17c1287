"""The per-case hash chains and the anchors: any edit, deletion or re-ordering behind the services' back
is found by ``verify()`` and by ``fengqiao audit verify``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fengqiao.audit import verify
from fengqiao.audit.models import Anchor
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.states import State
from tests.cases.builders import case_in
from tests.factories import City


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def history(city: City) -> dict[str, Case]:
    """Three cases: closed (5 events), accepted (3 events), registered (1 event)."""
    return {"closed": case_in(city, State.CLOSED), "accepted": case_in(city, State.ACCEPTED),
            "registered": case_in(city, State.REGISTERED)}


def event_id(case: Case, seq: int) -> int:
    return CaseEvent.objects.get(case=case, seq=seq).pk


def test_a_fresh_history_verifies(history: dict[str, Case]) -> None:
    report = verify.verify()
    assert (report.ok, report.cases, report.events, report.anchors, report.problems) == (True, 3, 9, 0, [])


@pytest.mark.parametrize(("column", "value"), [
    ("note", "已修复（改过的答复）"),
    ("data", json.dumps({"unit_name": "另一个单位"}, ensure_ascii=False)),
    ("at", "2020-01-01 00:00:00"),
    ("actor_role", "admin"),
    ("audience", "public"),
])
def test_an_edited_event_is_found(history: dict[str, Case], column: str, value: str) -> None:
    case = history["closed"]
    sql(f"UPDATE cases_caseevent SET {column} = %s WHERE id = %s", [value, event_id(case, 4)])
    report = verify.verify()
    assert report.problems == [f"{case.code}: 第 4 条事件的内容被修改"]


def test_an_edit_with_a_recomputed_hash_is_still_found(history: dict[str, Case]) -> None:
    """Whoever edits the note and recomputes that event's hash breaks the next event's link."""
    from fengqiao.audit.chain import event_digest

    case = history["closed"]
    event = CaseEvent.objects.get(case=case, seq=3)
    event.note = "伪造"
    forged = event_digest(event.prev_hash, event.chain_fields())
    sql("UPDATE cases_caseevent SET note = %s, hash = %s WHERE id = %s", ["伪造", forged, event.pk])
    assert verify.verify().problems == [f"{case.code}: 第 4 条事件的前序哈希不符（事件被删除或替换）"]


def test_a_deleted_middle_event_is_found(history: dict[str, Case]) -> None:
    case = history["closed"]
    sql("DELETE FROM cases_caseevent WHERE id = %s", [event_id(case, 3)])
    assert verify.verify().problems == [f"{case.code}: 第 3 条事件缺失（链断裂）"]


def test_a_deleted_last_event_is_found(history: dict[str, Case]) -> None:
    case = history["closed"]
    sql("DELETE FROM cases_caseevent WHERE id = %s", [event_id(case, 5)])
    assert verify.verify().problems == [f"{case.code}: 事件链末端与案件记录不符（应有 5 条，现有 4 条）"]


def test_all_events_of_a_case_deleted(history: dict[str, Case]) -> None:
    case = history["accepted"]
    sql("DELETE FROM cases_caseevent WHERE case_id = %s", [case.pk])
    assert verify.verify().problems == [f"{case.code}: 全部 3 条事件已被删除"]


def test_reordered_events_are_found(history: dict[str, Case]) -> None:
    case = history["closed"]
    two, three = event_id(case, 2), event_id(case, 3)
    sql("UPDATE cases_caseevent SET seq = 99 WHERE id = %s", [two])
    sql("UPDATE cases_caseevent SET seq = 2 WHERE id = %s", [three])
    sql("UPDATE cases_caseevent SET seq = 3 WHERE id = %s", [two])
    assert verify.verify().problems == [f"{case.code}: 第 2 条事件的前序哈希不符（事件被删除或替换）"]


def test_problems_in_several_cases_are_all_reported(history: dict[str, Case]) -> None:
    sql("UPDATE cases_caseevent SET note = 'x' WHERE id = %s", [event_id(history["accepted"], 1)])
    sql("DELETE FROM cases_caseevent WHERE id = %s", [event_id(history["registered"], 1)])
    assert sorted(verify.verify().problems) == sorted([
        f"{history['accepted'].code}: 第 1 条事件的内容被修改",
        f"{history['registered'].code}: 全部 1 条事件已被删除",
    ])


def _remove_case(case: Case) -> None:
    for table in ("cases_caseevent", "cases_assignment", "cases_party", "cases_evaluation",
                  "cases_extensionrequest", "cases_evaluationinvite", "notifications_outbox"):
        sql(f"DELETE FROM {table} WHERE case_id = %s", [case.pk])
    sql("DELETE FROM cases_case_related WHERE from_case_id = %s OR to_case_id = %s", [case.pk, case.pk])
    sql("DELETE FROM cases_case WHERE id = %s", [case.pk])


def test_an_anchor_finds_a_case_removed_without_a_trace(city: City, history: dict[str, Case]) -> None:
    anchor = verify.anchor()
    assert anchor is not None
    assert anchor.entries == 3
    assert verify.verify().ok
    _remove_case(history["closed"])  # the case row and its events: the chains alone cannot tell
    report = verify.verify()
    assert report.problems == [f"锚点 #{anchor.pk} 封存的 1 个案件事件已不存在或被改动"]


def test_an_edited_anchor_is_found(history: dict[str, Case]) -> None:
    anchor = verify.anchor()
    assert anchor is not None
    Anchor.objects.filter(pk=anchor.pk).update(hash="f" * 64)
    assert verify.verify().problems == [f"锚点 #{anchor.pk} 被修改"]


def test_the_next_anchor_seals_only_the_cases_that_moved(city: City, history: dict[str, Case]) -> None:
    from fengqiao.cases import services

    first = verify.anchor()
    assert verify.anchor() is None  # nothing moved
    services.add_note(city.users["handler"], history["accepted"].code, text="继续跟进")
    second = verify.anchor()
    assert first is not None
    assert second is not None
    assert (second.entries, second.prev_hash) == (1, first.hash)
    report = verify.verify()
    assert (report.ok, report.anchors) == (True, 2)


def test_the_command(history: dict[str, Case]) -> None:
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == ["3 cases, 9 events, 0 anchors checked", "audit chain intact"]

    case = history["closed"]
    sql("UPDATE cases_caseevent SET note = %s WHERE id = %s", ["改", event_id(case, 2)])
    out = StringIO()
    with pytest.raises(CommandError, match=r"audit chain broken: 1 problem\(s\)"):
        call_command("audit", "verify", stdout=out, stderr=StringIO())
    assert f"{case.code}: 第 2 条事件的内容被修改" in out.getvalue()

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"ok": False, "cases": 3, "events": 9, "anchors": 0,
                                          "problems": [f"{case.code}: 第 2 条事件的内容被修改"]}


def test_the_anchor_command(history: dict[str, Case]) -> None:
    out = StringIO()
    call_command("audit", "anchor", stdout=out)
    call_command("audit", "anchor", stdout=out)
    assert out.getvalue().splitlines() == ["anchored 3 case heads", "nothing moved"]


def test_an_imported_case_with_an_earlier_time_is_still_anchored(city: City, history: dict[str, Case]) -> None:
    """Importers register old reports with their original time; the next anchor must seal them too,
    or such a case could later be removed without a trace."""
    import datetime as dt

    from fengqiao.cases import services
    from fengqiao.kit import clock

    first = verify.anchor()
    assert first is not None
    lng, lat = city.point_in(0)
    old = services.register(city.users["operator"], services.RegisterInput(
        channel="hotline_12345", title="历史工单", description="从旧系统导入", lng=lng, lat=lat,
        external_ref="OLD-1", registered_at=clock.now() - dt.timedelta(days=30))).case
    second = verify.anchor()
    assert second is not None
    assert second.entries == 1
    _remove_case(old)
    assert verify.verify().problems == [f"锚点 #{second.pk} 封存的 1 个案件事件已不存在或被改动"]
