"""The features read nothing after the moment they are computed for; the label reads nothing before it;
the lexicon's negations; the place key."""

from __future__ import annotations

from fengqiao.cases.models import Channel
from fengqiao.warning import lexicon
from fengqiao.warning.features import DAY, History, Record, place_key

T0 = 1_700_000_000.0


def rec(i: int, day: float, *, channel: str = Channel.HOTLINE_12345, text: str = "", phone: str = "a",
        place: str = "城东路1号", unsatisfied: tuple[float, ...] = ()) -> Record:
    return Record(id=i, at=T0 + day * DAY, channel=channel, category="物业服务质量", top="城乡建设", urgency="normal",
                  text=text, place=place, grid=1, deadline=T0 + (day + 5) * DAY, overdue_since=None, replied=None,
                  closed=T0 + (day + 4) * DAY, party_keys=(f"p:{phone}",), unsatisfied=unsatisfied)


def test_features_ignore_what_happens_later() -> None:
    past = [rec(1, 0), rec(2, 10, channel=Channel.PETITION), rec(3, 20, unsatisfied=(T0 + 25 * DAY,))]
    target = rec(4, 30)
    future = [rec(5, 40, channel=Channel.PETITION), rec(6, 45, channel=Channel.POLICE_110),
              rec(7, 50, unsatisfied=(T0 + 51 * DAY,))]
    as_of = T0 + 35 * DAY
    before = History([*past, target]).features(target, as_of, {}, 0.1)
    after = History([*past, target, *future]).features(target, as_of, {}, 0.1)
    assert before == after
    assert before["party_contacts"] == 3
    assert before["party_petitions"] == 1
    assert before["party_unsatisfied"] == 1
    assert before["place_contacts"] == 3
    assert before["place_escalations"] == 1


def test_the_label_looks_only_after_the_moment() -> None:
    target = rec(2, 30)
    earlier_petition = rec(1, 20, channel=Channel.PETITION)
    assert History([earlier_petition, target]).label(target, T0 + 37 * DAY) == 0
    later = rec(3, 60, channel=Channel.POLICE_110, phone="b", place="")
    assert History([target, later]).label(target, T0 + 37 * DAY) == 0  # another person, another place
    same_place = rec(4, 60, channel=Channel.POLICE_110, phone="b")
    assert History([target, same_place]).label(target, T0 + 37 * DAY) == 1
    too_late = rec(5, 30 + 7 + 91, channel=Channel.PETITION)
    assert History([target, too_late]).label(target, T0 + 37 * DAY) == 0


def test_five_matters_at_one_place_in_a_week_are_a_collective_event() -> None:
    target = rec(1, 0)
    crowd = [rec(10 + i, 20 + i, phone=f"x{i}") for i in range(5)]
    assert History([target, *crowd]).label(target, T0 + 7 * DAY) == 1
    spread = [rec(10 + i, 20 + 3 * i, phone=f"x{i}") for i in range(5)]
    assert History([target, *spread]).label(target, T0 + 7 * DAY) == 0


def test_lexicon_negation_and_modules() -> None:
    assert lexicon.signals("他扬言要报复") == {"threat": ["扬言", "报复"]}
    assert lexicon.signals("随时受停电的威胁") == {}
    assert lexicon.signals("他说不给钱就报复") == {"threat": ["报复"]}
    assert lexicon.signals("双方没有打人，也不会上访") == {}
    assert lexicon.signals("没有再打人，但扬言要跳楼") == {"threat": ["扬言"], "self_harm": ["跳楼"]}
    found = lexicon.modules("房东不退押金，还换锁把租客赶出来", "房屋租赁")
    assert set(found) == {"rental"}
    assert set(found["rental"]) == {"arrears", "eviction"}
    family = lexicon.modules("丈夫长期家暴，现在闹离婚，争夺孩子抚养权", "婚姻家庭纠纷")
    assert set(family["family"]) == {"domestic_violence", "divorce_children", "divorce"}
    assert lexicon.modules("路灯不亮", "市政设施") == {}


def test_place_key() -> None:
    assert place_key("海陵区 城东路 12号 附近") == "海陵区城东路12号"
    assert place_key("城东街道东风社区附近") == ""
