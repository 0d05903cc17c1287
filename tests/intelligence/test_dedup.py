"""Duplicate candidates on constructed cases: the band query, the window, the area, the phone, the index."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.intelligence import dedup
from fengqiao.intelligence.models import CaseBand
from tests.factories import City
from tests.intelligence.dedup_helpers import ELEVATOR, ELEVATOR_AGAIN, NOISE, report

pytestmark = pytest.mark.django_db


def _index(*cases: Any) -> None:
    dedup.index_cases([c.pk for c in cases])


def test_near_duplicate_found_unrelated_not(city: City) -> None:
    first = report(city, ELEVATOR, days=0)
    again = report(city, ELEVATOR_AGAIN, days=2, grid=1)  # another grid of the same street
    noise = report(city, NOISE, days=1)
    _index(first, again, noise)
    found = dedup.candidates(again)
    assert [(c.code, c.reason) for c in found] == [(first.code, "text")]
    expected = dedup.jaccard(dedup.shingles(f"{ELEVATOR[0]}\n{ELEVATOR[1]}"),
                             dedup.shingles(f"{ELEVATOR_AGAIN[0]}\n{ELEVATOR_AGAIN[1]}"))
    assert found[0].similarity == round(expected, 3)
    assert expected >= dedup.threshold()
    assert dedup.candidates(noise) == []


def test_outside_the_window_not_found(city: City, settings: Any) -> None:
    first = report(city, ELEVATOR, days=0)
    late = report(city, ELEVATOR_AGAIN, days=8)
    _index(first, late)
    assert dedup.candidates(late) == []
    settings.DEDUP_WINDOW_DAYS = 10  # the window is a setting
    assert [c.code for c in dedup.candidates(late)] == [first.code]


def test_other_street_not_found_but_unknown_area_is(city: City) -> None:
    first = report(city, ELEVATOR, days=0, grid=0)  # street 城东
    elsewhere = report(city, ELEVATOR_AGAIN, days=1, grid=2)  # street 城西
    nowhere = report(city, ELEVATOR_AGAIN, days=1, grid=None)  # no area known
    _index(first, elsewhere, nowhere)
    assert [c.code for c in dedup.candidates(elsewhere)] == [nowhere.code]
    assert {c.code for c in dedup.candidates(nowhere)} == {first.code, elsewhere.code}


def test_same_phone_found_within_the_window(city: City) -> None:
    first = report(city, ELEVATOR, days=0, phone="13900001111")
    repeat = report(city, NOISE, days=3, grid=2, phone="139 0000 1111")  # other text, other street
    stranger = report(city, NOISE, days=3, phone="13900002222")
    far = report(city, NOISE, days=20, phone="13900001111")
    _index(first, repeat, stranger, far)
    found = dedup.candidates(repeat)
    assert [(c.code, c.reason) for c in found] == [(first.code, "phone")]
    assert found[0].similarity < dedup.threshold()
    assert dedup.candidates(stranger) == []
    assert dedup.candidates(far) == []


def test_merged_candidate_stands_for_its_primary(city: City) -> None:
    from fengqiao.cases import services

    primary = report(city, NOISE, days=0)
    dup = report(city, ELEVATOR, days=0)
    services.merge(city.users["dispatcher"], dup.code, into=primary.code)
    new = report(city, ELEVATOR_AGAIN, days=1)
    _index(primary, dup, new)
    assert [(c.code, c.reason) for c in dedup.candidates(new)] == [(primary.code, "text")]


def test_index_cases_is_idempotent(city: City) -> None:
    cases = [report(city, ELEVATOR, days=0), report(city, NOISE, days=1)]
    _index(*cases)
    first = sorted(CaseBand.objects.values_list("case_id", "band", "hash"))
    _index(*cases)
    assert sorted(CaseBand.objects.values_list("case_id", "band", "hash")) == first
    assert len(first) == 2 * dedup.BANDS


def test_registration_indexes_after_commit(city: City, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = report(city, ELEVATOR)
    assert CaseBand.objects.filter(case=case).count() == dedup.BANDS


def test_a_failing_fingerprint_never_loses_the_registration(
    city: City, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(rows: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(dedup, "index_new", broken)
    with django_capture_on_commit_callbacks(execute=True):
        case = report(city, ELEVATOR)
    case.refresh_from_db()
    assert case.status == "registered"
    assert not CaseBand.objects.filter(case=case).exists()


def test_shingles_normalise() -> None:
    assert dedup.shingles("您好，请问３号楼！") == dedup.shingles("3号楼")
    assert dedup.shingles("2019年4月25日停水") == dedup.shingles("2019/4/25日停水")
    assert dedup.shingles("SW-Dirty Alley") == frozenset({"sw", "dirty", "alley", "sw dirty", "dirty alley"})
    assert dedup.band_hashes([]) == []


def test_backfill_command(city: City) -> None:
    from io import StringIO

    from django.core.management import call_command

    old = report(city, ELEVATOR, days=-40)  # 70 days ago
    recent = report(city, NOISE, days=20)  # 10 days ago
    out = StringIO()
    call_command("dedup", "index", "--since", "30", stdout=out)
    assert set(CaseBand.objects.values_list("case_id", flat=True)) == {recent.pk}
    assert "1 件案件" in out.getvalue()
    call_command("dedup", "index", stdout=out)
    assert CaseBand.objects.filter(case=old).count() == dedup.BANDS


def test_batch_signatures_equal_datasketch_one_by_one() -> None:
    """The vectorised MinHash of many texts is datasketch's own MinHash of each, value for value."""
    from datasketch import MinHash

    texts = ["小区门口下水道堵塞，污水外溢，气味难闻。", "", "路", "SW-Dirty Alley behind 1200 block",
             "夜间施工噪声扰民，影响休息" * 20]
    sets = [dedup.shingles(t) for t in texts]
    values, where = dedup._signatures(sets)
    assert where == [0, 2, 3, 4]  # an empty text has no shingle; one character is its own shingle
    for row, n in enumerate(where):
        single = MinHash(num_perm=dedup.NUM_PERM, seed=dedup.SEED)
        single.update_batch([s.encode() for s in sets[n]])
        assert values[row].tolist() == single.hashvalues.tolist()
    hashes = dedup.band_hashes_many(sets)
    assert [len(h) for h in hashes] == [dedup.BANDS, 0, dedup.BANDS, dedup.BANDS, dedup.BANDS]
    assert hashes[0] == dedup.band_hashes(sets[0])
    assert len(set(hashes[0])) == dedup.BANDS


TEMPLATE = ("我是东风社区的居民，想反映{topic}方面的问题：{detail}已经持续一段时间，多次向有关方面反映未果，"
            "希望相关部门尽快处理。")
TOPICS = [("噪声", "工地夜间打桩"), ("物业", "楼道垃圾无人清理"), ("停车", "消防通道被私家车占用"),
          ("供水", "三号楼水压过低"), ("绿化", "小区绿地被改成菜园"), ("养犬", "邻居大型犬不拴绳"),
          ("路灯", "东门路灯损坏"), ("电梯", "五号楼电梯频繁困人"), ("油烟", "楼下饭店油烟直排"),
          ("违建", "顶楼加盖阳光房"), ("漏水", "地下车库顶板渗水"), ("垃圾分类", "分类垃圾桶满溢")]


def test_boilerplate_is_left_out_of_the_exact_check(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports from one template look alike until the template's shingles are known to be common; then
    only the report that says the same thing is a candidate."""
    monkeypatch.setattr(dedup, "COMMON_MIN_CASES", 10)
    cases = [report(city, (f"关于{t}的诉求", TEMPLATE.format(topic=t, detail=d)), days=i * 0.2)
             for i, (t, d) in enumerate(TOPICS)]
    again = report(city, ("关于电梯的诉求", TEMPLATE.format(topic="电梯", detail="五号楼的电梯经常困人")), days=3)
    _index(*cases, again)
    before = {c.code for c in dedup.candidates(cases[0], limit=20)}
    assert len(before) >= 5, "the template alone makes unrelated reports look alike"

    common = dedup.refresh_common(share=0.5)
    assert common is not None
    assert common.sample_cases == 13
    assert {"居民", "方面", "一段"} <= set(common.shingles)
    assert "电梯" not in common.shingles
    assert dedup.candidates(cases[0], limit=20) == []
    assert [c.code for c in dedup.candidates(again)] == [cases[7].code]


def test_too_few_cases_say_nothing_about_boilerplate(city: City) -> None:
    report(city, ELEVATOR)
    assert dedup.refresh_common() is None
    assert dedup.common_shingles() == frozenset()
