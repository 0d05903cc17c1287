"""The words of the demo's mediations: real cases from ProMediConv (``../shared/data/promediconv``, read in
place, never copied into the repository) with their parties, places and years rewritten to the demo's, and a
few built-in cases when the data set is absent.  From a case come the facts, the records of the sessions
(笔录, from the dialogue's turns) and, where the dialogue ends in one, the terms of the agreement."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

SOURCE = "promediconv/pmc_test.jsonl"
MAX_FACTS = 700
MAX_RECORD = 1200

# Real towns, cities and counties in the source texts; they become the demo's street and district.
TOWNS = ("枫桥镇", "五泄镇", "向阳峪镇", "清溪镇", "磨头镇", "街亭镇", "师灵镇", "竹行镇", "厚坝镇", "蘑菇气镇",
         "里山街道", "秦灶街道", "苗尾乡", "新发乡", "二郎乡", "杨庄乡", "东江乡")
CITIES = ("呼和浩特市", "二连浩特市", "鄂尔多斯市", "克什克腾旗", "阿拉善右旗", "阿尔山市", "深圳市", "西平县",
          "乌海市", "海门市", "绍兴市", "启东市", "诸暨市", "北京市", "含山县", "吴窑市", "阿荣旗", "南通市",
          "重庆市", "察右后旗", "二连市", "包头市", "常德市", "武陵区", "海勃湾区", "开县", "克旗", "天津")
_TOWN = re.compile("|".join(TOWNS))
_CITY = re.compile("|".join(sorted(CITIES, key=len, reverse=True)))
_YEAR = re.compile(r"((?:19|20)\d\d)年")
# the mediator's closing words after the terms: "…大家同意吗？", "请双方确认一下协议内容。", "希望大家遵守…"
_CLOSING = re.compile(r"\s*(请|如果|如无|大家|你们|没有异议|我们就|希望|这样|各位|双方对此)")
_ASKED = re.compile(r"[。；;，,]?\s*[^。；;，,]*(?:吗|么|嘛|吧|是否同意|是否有异议)[？?]\s*$")
_PERSON = re.compile(r"^(?:[\u4e00-\u9fa5]某{1,2}[甲乙丙]?|[\u4e00-\u9fa5](?:老汉|大爷|大妈|女士|先生|甲|乙)|"
                     r"[\u4e00-\u9fa5]{2,3})$")
_NOT_A_NAME = ("村民", "干部", "代表", "片警", "律师", "公司", "学校", "医院", "居民", "家属", "亲属", "校方",
               "党员", "主任", "镇", "乡", "厂", "店", "所", "局", "会", "队", "处")
TITLES = ("老汉", "大爷", "大妈", "女士", "先生")
HONORIFICS = ("先生", "女士", "老板", "师傅", "大爷", "大妈", "老汉", "阿姨", "总", "经理", "老师")


@dataclass(frozen=True)
class Story:
    """One real mediation: its dispute type, what happened, the people in it and the dialogue."""

    type_name: str
    description: str
    people: tuple[str, ...]  # the person-like party labels, in the order the source lists them
    turns: tuple[tuple[str, str, str], ...]  # (speaker — "sys" is the mediator —, text, strategy)


BUILT_IN: list[Story] = [
    Story("社区邻里纠纷", "王某与邻居李某相邻而居。李某在自家屋后搭建彩钢棚，雨水顺棚顶流入王某家院内，"
          "王某多次上门交涉未果，双方发生争吵，王某向调解委员会申请调解。", ("王某", "李某"), (
              ("sys", "“两位好，我是调解员。请王某先说说情况。”", "了解基本情况"),
              ("王某", "“他家的棚子一下雨就往我家院子里淌水，墙根都泡坏了。”", ""),
              ("李某", "“棚子是在我自家地上搭的，我也没想到会这样。”", ""),
              ("sys", "“依照民法典相邻关系的规定，搭建物不得妨碍相邻方排水。远亲不如近邻，大家各退一步。”",
               "法治与德治相结合"),
              ("李某", "“我愿意加装落水管，把水引到我家这边。”", ""),
              ("sys", "“双方达成以下协议：1. 李某于十日内为彩钢棚加装落水管；2. 王某院墙修补费用由李某承担。”",
               "达成调解协议"))),
    Story("家庭婚姻纠纷", "张某与丈夫刘某婚后育有一女，近年刘某常因琐事与张某争吵，并拒绝承担女儿的学费，"
          "张某向社区人民调解委员会求助。", ("张某", "刘某"), (
              ("sys", "“张某、刘某，你们好。今天请两位来，是想把家里的事摊开说清楚。”", "了解基本情况"),
              ("张某", "“孩子的学费他一分不出，家里什么都是我一个人扛。”", ""),
              ("刘某", "“我生意不好，手头紧，不是不想出。”", ""),
              ("sys", "“抚养子女是父母双方的法定义务。刘某，你能承担多少，我们一起算一算。”",
               "解决思想问题与解决实际问题相结合"),
              ("刘某", "“每学期我出一半学费。”", ""),
              ("sys", "“双方达成以下协议：1. 女儿学费由双方各承担一半；2. 双方今后遇事协商，不再争吵。”",
               "达成调解协议"))),
    Story("经济债务纠纷", "2021年，陈某向同村的周某借款3万元用于经营，约定一年内归还。到期后周某多次催要，"
          "陈某以生意亏损为由迟迟未还，周某向调解委员会申请调解。", ("周某", "陈某"), (
              ("sys", "“周某、陈某，借款的事我们今天当面说清楚。”", "了解基本情况"),
              ("周某", "“借条在这里，三万元，到期一年多了。”", ""),
              ("陈某", "“钱我认，就是现在一次拿不出来。”", ""),
              ("sys", "“欠债还钱是本分，能不能分期？周某也体谅一下对方的难处。”", "换位思考"),
              ("陈某", "“我每月还五千，半年还清。”", ""),
              ("sys", "“双方达成以下协议：1. 陈某分六期归还借款3万元，每月还款5000元；2. 周某放弃利息。”",
               "达成调解协议"))),
]


def _story(item: dict[str, Any]) -> Story:
    labels = [p.strip() for p in re.split(r"[,，]", str(item.get("disputing_parties", ""))) if p.strip()]
    people = tuple(p for p in labels if _PERSON.match(p) and not any(w in p for w in _NOT_A_NAME))
    turns = tuple((str(t.get("speaker", "")), str(t.get("text", "")), str(t.get("strategy") or ""))
                  for t in item.get("dialog", []) if isinstance(t, dict))
    return Story(str(item["event_type"]), str(item["event_description"]), people, turns)


def load_stories() -> tuple[dict[str, list[Story]], str]:
    """The stories by dispute type name, and where they came from."""
    path = Path(settings.SHARED_DATA_DIR) / SOURCE
    stories: dict[str, list[Story]] = {}
    source = "内置调解案例（未找到 ../shared/data/promediconv）"
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    story = _story(json.loads(line))
                    if len(story.people) >= 2 and story.turns:
                        stories.setdefault(story.type_name, []).append(story)
        source = f"{SOURCE}（调解对话 → 调解笔录、协议条款）"
    if not stories:
        for story in BUILT_IN:
            stories.setdefault(story.type_name, []).append(story)
    return stories, source


@dataclass(frozen=True)
class Cast:
    """Who and where in the demo: the names that replace the source's."""

    applicant: str
    respondent: str
    street: str
    district: str
    year: int


class Localised:
    """A story told of the demo's people and places, in the demo's years."""

    def __init__(self, story: Story, cast: Cast) -> None:
        self.story = story
        pairs: list[tuple[str, str]] = []
        new_names = (cast.applicant, cast.respondent)
        old = story.people[:2]
        old_surnames = [label[0] for label in old]
        for label, name in zip(old, new_names, strict=False):
            titled = len(label) == 3 and label.endswith(TITLES)
            pairs.append((label, name[0] + label[1:] if titled else name))
            if ("某" in label or titled) and old_surnames.count(label[0]) == 1:
                pairs += [(label[0] + h, name[0] + h) for h in HONORIFICS]
        pairs.sort(key=lambda p: len(p[0]), reverse=True)
        self._names = re.compile("|".join(re.escape(a) for a, _b in pairs)) if pairs else None
        self._to = dict(pairs)
        self.cast = cast
        years = [int(y) for y in _YEAR.findall(story.description)]
        self._shift = cast.year - max(years) if years else 0
        self.speakers = {"sys": "调解员", old[0] if old else "": cast.applicant,
                         old[1] if len(old) > 1 else "": cast.respondent}

    def text(self, value: str) -> str:
        value = _TOWN.sub(self.cast.street, value)
        value = value.replace("枫桥", self.cast.street[:2])
        value = _CITY.sub(self.cast.district, value)
        if self._shift:
            value = _YEAR.sub(lambda m: f"{int(m.group(1)) + self._shift}年", value)
        if self._names is not None:
            value = self._names.sub(lambda m: self._to[m.group(0)], value)
        return value

    def facts(self) -> str:
        return cut(self.text(self.story.description), MAX_FACTS)

    def speaker(self, label: str) -> str:
        return self.speakers.get(label) or self.text(label)

    def turns(self, part: int, parts: int, *, agreed: bool) -> list[tuple[str, str]]:
        """The turns of session ``part`` of ``parts`` (0-based): (speaker, what was said).  A failed
        mediation's record stops before the agreement."""
        turns = [t for t in self.story.turns if agreed or t[2] != "达成调解协议"]
        size = max(1, -(-len(turns) // parts))
        return [(self.speaker(s), self.text(_unquote(text))) for s, text, _k in turns[part * size:(part + 1) * size]]

    def terms(self) -> str:
        """The agreement's terms from the dialogue's last 达成调解协议 turn, when it lists them."""
        for speaker, text, strategy in reversed(self.story.turns):
            if speaker == "sys" and strategy == "达成调解协议" and re.search(r"[1一][.、．]", text):
                body = _unquote(text)
                start = max(body.find("："), body.find(":"))
                return cut(self.text(_without_asking(body[start + 1:] if start >= 0 else body)), 600)
        return ""


def _without_asking(terms: str) -> str:
    """The terms without the mediator's closing words ("大家同意吗？", "请双方确认一下协议内容。")."""
    parts = [p for p in re.split(r"(?<=[。？?！!])", _ASKED.sub("。", terms.strip())) if p.strip()]
    while len(parts) > 1 and _CLOSING.match(parts[-1]):
        parts.pop()
    return "".join(parts).strip()


def _unquote(text: str) -> str:
    return text.strip().strip("“”\"").strip()


def cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    end = text.rfind("。", 0, limit)
    return text[: end + 1] if end > limit // 3 else text[:limit] + "……"


def record(turns: list[tuple[str, str]], *, seq: int, when: str, place: str, mediator: str,
           applicant: str, respondent: str, closing: str = "") -> str:
    """A session's record (调解笔录): heading, who was there, what was said."""
    lines = [f"调解笔录（第{seq}次）", f"时间：{when}", f"地点：{place}", f"调解员：{mediator}",
             f"当事人：{applicant}（申请人）、{respondent}（被申请人）", "记录："]
    size = sum(len(x) for x in lines)
    for speaker, text in turns:
        line = f"{speaker}：{text}"
        if size + len(line) > MAX_RECORD:
            lines.append("（以下略）")
            break
        lines.append(line)
        size += len(line)
    if closing:
        lines.append(f"调解员：{closing}")
    lines.append("以上笔录经当事人阅看，确认无误。")
    return "\n".join(lines)


def pick(rng: random.Random, stories: dict[str, list[Story]], type_name: str) -> Story:
    pool = stories.get(type_name) or [s for group in stories.values() for s in group]
    return rng.choice(pool)
