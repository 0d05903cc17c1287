"""Syllables for place names, people's names and phone numbers: plausible, generated, deterministic."""

from __future__ import annotations

import random

# Two-character place names: a first and a second syllable (镇 / 街道 / 社区 / 村 are added by callers).
PLACE_FIRST = list(
    "东西南北中上下前后大小新老金银玉铜石沙泥柳桃梅杨松竹桂兰荷菱芦蒲茅清永安福兴华长平河湖港桥溪塘"
    "庄红白青黄龙凤鹤鹿马牛丰裕富康宁和顺盛昌泰通明光宏广胜利万千百三双"
)
PLACE_SECOND = list("阳桥港庄河圩沟湖垛堡甸溪泽林园塘口湾山亭集店墩舍荡洲坝营寨坊岗场渡浦头")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
# Weights fall off along the list, as surnames do (王 and 李 are far commoner than 覃).
SURNAME_WEIGHTS = [1.0 / (i + 8) for i in range(len(SURNAMES))]
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩凯鑫宁欣怡婷雪琳晨阳"
    "海波涛峰俊荣春梅颖慧佳晶倩琴云飞林燕亮成彬龙婷娇翠凤金珍瑶振兴德福永胜忠诚宏昌雨晴子轩梓涵思"
)

MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "199",
]


class PlaceNames:
    """Unique two-syllable place names, drawn without repetition."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(self, suffix: str) -> str:
        for _ in range(10_000):
            name = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
            if name[0] != name[1] and name not in self.used:
                self.used.add(name)
                return name + suffix
        raise RuntimeError("ran out of place names")


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """A pool of (name, mobile) pairs; cases draw from it so that some people call again (repeat callers)."""
    return [(person_name(rng), mobile(rng)) for _ in range(count)]
