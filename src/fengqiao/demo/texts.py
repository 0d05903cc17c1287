"""What citizens wrote and what departments replied.

Real texts when the shared data sets are present (read in place, never copied into the repository):
tipdm2020 messages (labelled by first-level category; unlabelled ones and those with replies are sorted
into first-level categories by keywords), ProMediConv dispute descriptions for disputes.  Place names
anonymised in the originals ("A市", "A3区") become the demo city's.  Without the data sets, templates.
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

MAX_DESCRIPTION = 800
MAX_REPLY = 500

KEYWORDS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("物业", "小区", "业主", "房", "拆迁", "路灯", "施工", "违建", "燃气", "供水", "停电", "电梯"),
    "环境保护": ("污染", "噪音", "噪声", "排放", "异味", "油烟", "垃圾", "环保", "粉尘", "臭"),
    "劳动和社会保障": ("工资", "社保", "养老", "劳动", "退休", "医保", "公积金", "就业", "欠薪"),
    "交通运输": ("公交", "出租", "道路", "交通", "高速", "客运", "车站", "网约车"),
    "教育文体": ("学校", "学生", "教师", "老师", "入学", "幼儿园", "教育", "培训"),
    "卫生计生": ("医院", "医生", "卫生", "疫苗", "生育", "医疗", "药"),
    "商贸旅游": ("商家", "消费", "价格", "退款", "市场", "商场", "景区", "旅游", "超市"),
    "政法": ("派出所", "警察", "诈骗", "治安", "户口", "纠纷", "法院", "律师"),
    "民政": ("低保", "救助", "养老院", "婚姻", "殡葬", "残疾", "优抚"),
    "农村农业": ("村民", "农民", "土地承包", "补贴", "村委", "种植", "养殖", "水利"),
}
_CITY = re.compile(r"[A-Z]\d*市")
_DISTRICT = re.compile(r"[A-Z]\d+[区县]")
_SALUTATION = re.compile(r"^[^，。:：]{0,12}[:：]\s*(您好[，,！!。]?)?|^(尊敬的)?[^，。]{0,8}(您好|你好)[，,！!。]")
_SIGNED = re.compile(r"\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_CLAUSE = re.compile(r"[，。！？；,!?;\n]")

DESCRIPTION_TEMPLATES = [
    "我是{place}的居民，想反映{leaf}方面的问题：{detail}已经持续一段时间，多次向有关方面反映未果，"
    "请相关部门尽快核实处理，并给予答复。",
    "{place}附近存在{leaf}问题，{detail}，给周边群众生活带来不便。希望有关部门高度重视，尽快解决。",
    "咨询：关于{second}中的{leaf}，具体办理流程、需要准备哪些材料、到哪里办理？请予以解答。",
    "建议：{place}的{leaf}问题由来已久，{detail}。建议相关部门加强管理，建立长效机制。",
    "投诉{place}{leaf}问题。{detail}，本人已于上周电话反映过一次，至今没有人来处理，请督促落实。",
]
DETAILS = [
    "情况比较严重", "夜间尤其明显", "雨天更加突出", "老人和孩子出行很不安全", "涉及周边多户居民",
    "相关单位互相推诿", "问题反复出现", "已经影响到正常生产生活", "周边群众意见很大",
]
REPLY_TEMPLATES = [
    "您好！您反映的{place}{leaf}问题已收悉。经{unit}工作人员现场核查，情况基本属实。我单位已责成相关责任方"
    "限期整改，目前问题已得到解决。感谢您对我们工作的理解和支持。",
    "您好！关于您咨询的{leaf}事项，答复如下：相关政策和办理流程已通过电话向您详细说明，您可携带身份证件到"
    "{unit}服务窗口办理。如有疑问，可拨打12345热线咨询。",
    "您好！针对您反映的问题，{unit}高度重视，立即组织人员到{place}现场查看，并约谈了有关责任人。"
    "目前已落实整改措施，我们将持续跟踪，防止问题反弹。",
    "您好！您反映的{leaf}问题，经调查核实，涉及多个部门职责。{unit}已牵头会商，制定了处理方案，"
    "预计近期完成整改，届时将再次与您联系。",
    "您好！经调解，双方当事人已就{leaf}达成一致意见并签订调解协议，{unit}将跟踪协议履行情况。",
]
RETURN_REASONS = [
    "该事项不属于我单位职责范围，建议转交属地镇街办理。", "诉求地址不详，无法核实，请补充具体位置。",
    "该问题已由其他单位立案处理，请重新分拨。", "涉及多个部门职责，建议由指挥中心牵头协调。",
]
NOTES = [
    "已联系诉求人，约定上门核实时间。", "已安排工作人员现场查看，正在制定整改方案。", "已协调相关责任单位，限期整改。",
    "整改工作正在推进中，预计本周内完成。", "已向诉求人电话说明办理进度。",
]
UNSATISFIED = ["问题没有解决，仍然存在。", "只是电话回复，没有人到现场处理。", "答复内容与我反映的问题不符。",
               "整改后问题又出现了。"]
SATISFIED = ["", "", "", "处理及时，非常满意。", "感谢工作人员。", "问题已解决。"]


STOPWORDS = {"其他", "管理", "问题", "服务", "建设", "政策", "工作", "相关", "行政", "综合"}
CONSULTATION = ("法律服务", "户籍证件", "就业培训", "考试招生", "退休政策及待遇")


def is_dispute(second: str, leaf: str) -> bool:
    return "纠纷" in leaf or second in ("仲裁与调解", "医患纠纷")


@dataclass
class Texts:
    by_top: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # title, text, reply
    disputes: list[tuple[str, str]] = field(default_factory=list)  # event type, description
    sources: list[str] = field(default_factory=list)
    by_leaf: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)

    def index(self, categories: list[tuple[str, str]]) -> None:
        """For each (first-level, third-level) category, the texts that mention it: its name, or else
        a two-character word of its name.  Categories that nothing mentions draw from the first level."""
        for top, leaf in categories:
            pool = self.by_top.get(top, [])
            found = [t for t in pool if leaf in t[0] or leaf in t[1][:200]]
            if len(found) < 3:
                words = {leaf[i : i + 2] for i in range(len(leaf) - 1)} - STOPWORDS
                found = [t for t in pool if any(w in t[0] for w in words)]
            if len(found) >= 3:
                self.by_leaf[(top, leaf)] = found

    def case_text(self, rng: random.Random, top: str, second: str, leaf: str, district: str,
                  place: str) -> tuple[str, str, str]:
        """(title, description, reply) for a case of a category in a place."""
        pool = self.by_leaf.get((top, leaf)) or self.by_top.get(top)
        if self.disputes and is_dispute(second, leaf) and rng.random() < 0.7:
            kind, text = rng.choice(self.disputes)
            return (f"{kind}：{_title_from(text)}"[:60], _local(text, district)[:MAX_DESCRIPTION], "")
        if pool and rng.random() < 0.9:
            title, text, reply = rng.choice(pool)
            return _local(title, district), _local(text, district), _local(reply, district)
        template = rng.choice(DESCRIPTION_TEMPLATES[2:3] if second in CONSULTATION else
                              DESCRIPTION_TEMPLATES[:2] + DESCRIPTION_TEMPLATES[3:])
        body = template.format(place=place, leaf=leaf, second=second, detail=rng.choice(DETAILS))
        return f"关于{place}{leaf}的{'咨询' if second in CONSULTATION else '诉求'}"[:60], body, ""

    @staticmethod
    def reply_text(rng: random.Random, second: str, leaf: str, unit: str, place: str) -> str:
        """A department's answer, in the manner of the matter: mediated, answered, or put right."""
        if is_dispute(second, leaf):
            template = REPLY_TEMPLATES[4]
        elif second in CONSULTATION:
            template = REPLY_TEMPLATES[1]
        else:
            template = rng.choice([REPLY_TEMPLATES[0], REPLY_TEMPLATES[2], REPLY_TEMPLATES[3]])
        return template.format(leaf=leaf, unit=unit, place=place)


def _local(text: str, district: str) -> str:
    return _DISTRICT.sub(district, _CITY.sub("泰州市", text))


def _title_from(text: str) -> str:
    body = _SALUTATION.sub("", text.strip()).strip()
    clauses = [c.strip() for c in _CLAUSE.split(body) if len(c.strip()) >= 6]
    return (clauses[0] if clauses else body)[:30]


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    end = text.rfind("。", 0, limit)
    return text[: end + 1] if end > limit // 3 else text[:limit] + "……"


def _classify(text: str) -> str | None:
    scores = {top: sum(text.count(w) for w in words) for top, words in KEYWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load() -> Texts:
    texts = Texts()
    base = Path(settings.SHARED_DATA_DIR)
    tipdm = base / "tipdm2020"
    if (tipdm / "messages_labeled.csv").exists():
        for row in _rows(tipdm / "messages_labeled.csv"):
            text = _cut(row["text"], MAX_DESCRIPTION)
            title = (row.get("subject") or "").strip() or _title_from(text)
            if text and row["label"]:
                texts.by_top.setdefault(row["label"].strip(), []).append((title[:100], text, ""))
        texts.sources.append("tipdm2020/messages_labeled.csv")
    for name, with_reply in (("messages_with_replies.csv", True), ("messages_unlabeled.csv", False)):
        if not (tipdm / name).exists():
            continue
        for row in _rows(tipdm / name):
            title, text = row["留言主题"].strip(), _cut(row["留言详情"], MAX_DESCRIPTION)
            top = _classify(title + text[:120])
            if top and text:
                reply = _SIGNED.sub("", _cut(row.get("答复意见", ""), MAX_REPLY)) if with_reply else ""
                texts.by_top.setdefault(top, []).append((title[:100], text, reply))
        texts.sources.append(f"tipdm2020/{name}")
    pmc = base / "promediconv" / "pmc_test.jsonl"
    if pmc.exists():
        with pmc.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    item = json.loads(line)
                    texts.disputes.append((item["event_type"], _cut(item["event_description"], MAX_DESCRIPTION)))
        texts.sources.append("promediconv/pmc_test.jsonl")
    return texts
