"""Hot-issue grouping and heat on small planted sets: messages about one problem in one place are one group,
the same problem in two districts is two groups, unrelated messages stay alone; the heat index follows its
documented formula and orders groups by people, supports, concentration and recency."""

from __future__ import annotations

import datetime as dt
import math

from fengqiao.intelligence import hot_cluster as hc

T0 = dt.datetime(2019, 11, 1, 9, 0, tzinfo=dt.UTC)


def msg(mid: str, subject: str, detail: str = "", *, days: float = 0, author: str = "", likes: int = 0,
        dislikes: int = 0, place: str | None = None) -> hc.Message:
    return hc.Message(id=mid, subject=subject, detail=detail, at=T0 + dt.timedelta(days=days),
                      author=author or f"u{mid}", likes=likes, dislikes=dislikes, place_key=place)


PLANTED = [
    msg("m1", "投诉丽发新城小区附近违建搅拌站噪音扰民", "丽发新城小区旁边建了搅拌站，每天噪音和粉尘严重影响休息"),
    msg("m2", "丽发新城小区旁的搅拌站严重影响生活", "搅拌站就在丽发新城小区旁边，灰尘噪音污染严重", days=1),
    msg("m3", "A2区丽发新城附近修建搅拌厂噪音污染", "丽发新城小区附近修建搅拌厂，噪音灰尘让居民无法休息", days=2),
    msg("m4", "伊景园滨河苑捆绑销售车位", "伊景园滨河苑强制职工购房时捆绑购买车位，不买车位不签合同", days=3),
    msg("m5", "投诉伊景园滨河苑捆绑车位销售", "伊景园滨河苑要求购房必须购买十二万的车位，捆绑销售违法", days=4),
    msg("m6", "A3区润芳园小区临街门面油烟扰民", "A3区润芳园小区临街餐馆油烟直排，长期投诉无果", days=5),
    msg("m7", "A5区魅力之城小区临街门面油烟扰民", "A5区魅力之城小区临街餐馆油烟直排，长期投诉无果", days=6),
    msg("m8", "咨询公积金贷款额度", "我想咨询一下公积金贷款最高可以贷多少", days=7),
    msg("m9", "城际铁路早高峰增加班次", "希望城际铁路早高峰多开几趟车方便上班", days=8),
]


def ids(groups: list[list[int]], messages: list[hc.Message]) -> set[frozenset[str]]:
    return {frozenset(messages[k].id for k in g) for g in groups}


def test_planted_messages_group_by_problem_and_place() -> None:
    groups = hc.group(PLANTED)
    assert ids(groups, PLANTED) == {
        frozenset({"m1", "m2", "m3"}), frozenset({"m4", "m5"}),
        frozenset({"m6"}), frozenset({"m7"}),  # the same complaint in two districts: two problems
        frozenset({"m8"}), frozenset({"m9"}),
    }


def test_without_the_place_evidence_the_two_districts_merge() -> None:
    """The place constraint is what keeps m6 and m7 apart (the baseline without it merges them)."""
    merged = ids(hc.group(PLANTED, use_places=False), PLANTED)
    assert frozenset({"m6", "m7"}) in merged
    assert frozenset({"m6", "m7"}) in ids(hc.baseline_groups(PLANTED), PLANTED)


def test_exact_place_keys_keep_communities_apart() -> None:
    same = [msg("a", "小区旁搅拌站夜间噪音扰民", "搅拌站夜间施工噪音扰民", place="c1"),
            msg("b", "小区旁搅拌站噪音扰民严重", "搅拌站噪音扰民，夜间无法入睡", days=1, place="c1"),
            msg("c", "小区旁搅拌站夜间噪音扰民", "搅拌站夜间施工噪音扰民", days=2, place="c2")]
    assert ids(hc.group(same), same) == {frozenset({"a", "b"}), frozenset({"c"})}


def test_place_extraction_reads_the_subject() -> None:
    place = hc.extract_place("A3区梅溪湖看云路润芳园小区油烟扰民", "离劳动东路不远")
    assert place.districts == frozenset({"A3区"})
    assert place.named == frozenset({"梅溪湖看云路", "润芳园小区"})
    assert hc.extract_place("关于伊景园滨河苑捆绑销售车位的投诉").named == frozenset({"伊景园滨河苑"})
    assert hc.extract_place("咨询公积金贷款额度", "家住A7县星沙").districts == frozenset({"A7县"})


def test_heat_follows_the_documented_formula() -> None:
    ms = [msg("1", "x", days=0, author="a", likes=3), msg("2", "x", days=10, author="a", dislikes=2),
          msg("3", "x", days=40, author="b")]
    g = hc.heat(ms, [0, 1, 2], reference=T0 + dt.timedelta(days=70))
    users, messages, likes, dislikes = 2, 3, 3, 2
    base = users + math.log1p(messages - users) + 2 * math.log1p(likes + 0.5 * dislikes)
    concentration = 2 / 3  # days 0 and 10 in one 30-day window, day 40 outside it
    recency = 0.5 ** (30 / 30)  # last message 30 days before the reference
    assert g.heat == round(base * (0.5 + 0.5 * concentration) * (0.5 + 0.5 * recency), 3)
    assert (g.users, g.likes, g.dislikes, g.first, g.last) == (2, 3, 2, T0, T0 + dt.timedelta(days=40))


def test_heat_orders_groups() -> None:
    ms = [
        msg("a1", "x", author="p1"), msg("a2", "x", author="p2"), msg("a3", "x", author="p3"),  # 3 people
        msg("b1", "x", author="q"), msg("b2", "x", author="q"), msg("b3", "x", author="q"),  # 1 person, 3 times
        msg("c1", "x", author="r", likes=500),  # one message with many supports
        msg("d1", "x", author="s1", days=-200), msg("d2", "x", author="s2", days=-200),
        msg("d3", "x", author="s3", days=-200),  # 3 people, long ago
    ]
    ranked = hc.rank(ms, [[0, 1, 2], [3, 4, 5], [6], [7, 8, 9]], reference=T0)
    order = [ms[g.members[0]].id for g in ranked]
    assert order == ["c1", "a1", "b1", "d1"]
    assert ranked[1].heat > ranked[3].heat  # same people, recent beats old
    assert ranked[1].heat > ranked[2].heat  # three people beat one person writing three times


def test_loose_components_are_split() -> None:
    """A long chain — each message shares a word with the next, the ends share nothing — is one connected
    component; it is split, not kept as one 60-message "issue" (the baseline keeps it whole)."""
    words = [chr(0x5B00 + 3 * k) + chr(0x5B01 + 3 * k) for k in range(61)]  # 61 distinct two-character words
    chain = [msg(str(k), "", f"{words[k]} {words[k + 1]}", place="c1") for k in range(60)]
    assert [len(g) for g in hc.baseline_groups(chain)] == [60]
    groups = hc.group(chain)
    assert max(len(g) for g in groups) < 60
    assert sorted(k for g in groups for k in g) == list(range(60))  # every message in exactly one group


def test_place_names_given_are_taken_out_of_the_text() -> None:
    names = ("城东街道", "东风社区", "城东", "东风")
    a = msg("a", "关于城东街道东风社区路灯的诉求", "城东街道东风社区路灯不亮，东风社区东风社区")
    b = msg("b", "关于城东街道东风社区停车的诉求", "城东街道东风社区停车收费，东风社区东风社区")
    fillers = [msg(str(k), f"事项{k}", f"内容{k}") for k in range(3)]

    def cosine(x: list[hc.Message]) -> float:
        f = hc.features(x)
        return float((f.x[0] @ f.x[1].T).toarray()[0, 0])

    with_names = [hc.Message(**{**m.__dict__, "place_names": names}) for m in (a, b)]
    assert cosine([a, b, *fillers]) > 0.3  # the area names alone make them look alike
    assert cosine([*with_names, *fillers]) < 0.1
