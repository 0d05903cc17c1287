"""Is a matter against an administrative act?  An explainable detector: lexicons per act type, the case's
category and channel, a government body named in the text or as the respondent.  Every point it gives
comes with a reason a clerk can read, kept as data (``reasons``: the words found, the counts) and put into
words in the reader's language when shown.  No I/O here (``scan.py`` feeds it).

Detection: the act evidence of the best act type counts 2 for a term that is administrative by itself
(行政处罚, 强拆, 工伤认定, 信息公开 …), 1 for a term that needs context (罚款, 拆迁, 低保 …); the category adds
1 when it is an administrative-act category.  A matter is flagged when the evidence reaches 2, or 1 with a
government body named (in the text or as the respondent).

Risk of reconsideration or litigation (关注 / 一般 / 重点): points for mentions of 复议, 起诉/诉讼/法院,
律师, 告, 上访/信访, media; repeated contacts; unsatisfied evaluations and reopenings; the channel (信访,
12368, 12309); coercion and expropriation.  4 points or more is 重点, 2–3 一般, else 关注.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from fengqiao.legal.reasons import CHANNEL_REASONS, Reason
from fengqiao.legal.states import ActType, Risk

T = ActType

# act type → (term, weight); weight 2: administrative by itself (counts anywhere), 1: counts only in a
# sentence that also names a government body (罚款 by a company, 补贴 in a wish list are not acts)
LEXICON: dict[ActType, list[tuple[str, int]]] = {
    T.PENALTY: [("行政处罚", 2), ("处罚决定", 2), ("罚款", 1), ("罚单", 1), ("处罚", 1), ("吊销", 1),
                ("没收", 1), ("行政拘留", 2), ("责令停产", 1), ("责令停业", 1), ("扣分", 1), ("暂扣", 1),
                ("乱罚款", 1), ("被罚", 1), ("社会抚养费", 2), ("计生罚款", 2), ("超生罚款", 2)],
    T.LICENSING: [("行政许可", 2), ("不予许可", 2), ("审批", 1), ("许可证", 1), ("不予批准", 2), ("不批", 1),
                  ("办证", 1), ("营业执照", 1), ("施工许可", 1), ("规划许可", 1), ("准生证", 1), ("不予办理", 2),
                  ("不给办理", 1), ("不予登记", 2), ("批准", 1), ("批地", 1), ("规划变更", 1)],
    T.COERCION: [("强拆", 1), ("强制拆除", 1), ("强行拆除", 1), ("暴力拆迁", 2), ("查封", 1), ("扣押", 1),
                 ("冻结", 1), ("强制执行", 1), ("行政强制", 2), ("断水断电", 1)],
    T.EXPROPRIATION: [("征收", 1), ("征地", 1), ("拆迁补偿", 2), ("征收补偿", 2), ("补偿款", 1), ("补偿标准", 1),
                      ("安置房", 1), ("拆迁", 1), ("棚改", 1), ("棚户区改造", 1), ("青苗补偿", 2),
                      ("安置补偿", 2), ("土地补偿", 2), ("回迁", 1), ("过渡费", 1), ("被征", 1), ("评估报告", 1),
                      ("移民安置", 1)],
    T.CONFIRMATION: [("工伤认定", 2), ("认定工伤", 2), ("不予认定", 2), ("伤残鉴定", 1), ("劳动能力鉴定", 1),
                     ("不动产登记", 1), ("确权", 1), ("产权证", 1), ("房产证", 1), ("土地证", 1), ("户口", 1),
                     ("落户", 1), ("上户", 1), ("认定", 1), ("建档立卡", 1), ("工龄", 1), ("缴费年限", 1)],
    T.INACTION: [("不作为", 1), ("不履职", 2), ("不履行职责", 2), ("推诿", 1), ("踢皮球", 1), ("置之不理", 1),
                 ("不予受理", 2), ("不受理", 1), ("没人管", 1), ("无人管", 1), ("不管不问", 1), ("无人处理", 1),
                 ("石沉大海", 1), ("投诉无果", 1), ("多次投诉", 1), ("多次反映", 1), ("互相推", 1), ("相互推", 1),
                 ("懒政", 1), ("不处理", 1), ("敷衍", 1), ("搪塞", 1), ("没有回复", 1), ("答非所问", 1)],
    T.DISCLOSURE: [("信息公开", 2), ("依申请公开", 2), ("不予公开", 2), ("公开申请", 1)],
    T.BENEFIT: [("低保", 1), ("特困", 1), ("养老金", 1), ("抚恤", 1), ("救助金", 1), ("失业金", 1), ("失业保险金", 1),
                ("生育津贴", 1), ("医保报销", 1), ("社保待遇", 1), ("补贴", 1), ("退休金", 1), ("取消低保", 2),
                ("停发", 1), ("不予发放", 2), ("扣发", 1), ("优抚", 1), ("社保", 1), ("停保", 1), ("停了医保", 1),
                ("危房改造", 1), ("待遇", 1), ("未发放", 1), ("没有发放", 1)],
    T.CHARGE: [("乱收费", 1), ("收费依据", 1), ("行政收费", 2), ("违规收费", 1), ("收取", 1), ("收费", 1),
               ("缴纳", 1), ("交钱", 1), ("服务费", 1), ("建档费", 1), ("强制交", 1), ("不开票", 1), ("不给收据", 1)],
}

# words that name a government body, with the kind of agency each one is (for figures and filters)
AGENCIES: list[tuple[str, str]] = [
    ("城管", "城管执法部门"), ("综合执法", "城管执法部门"), ("执法局", "城管执法部门"), ("执法大队", "城管执法部门"),
    ("住建局", "住房城乡建设部门"), ("住建委", "住房城乡建设部门"), ("房管局", "住房城乡建设部门"),
    ("建设局", "住房城乡建设部门"), ("房产局", "住房城乡建设部门"), ("住房和城乡建设", "住房城乡建设部门"),
    ("国土", "自然资源和规划部门"), ("自然资源", "自然资源和规划部门"), ("规划局", "自然资源和规划部门"),
    ("不动产登记中心", "自然资源和规划部门"),
    ("人社局", "人力资源社会保障部门"), ("劳动局", "人力资源社会保障部门"), ("社保局", "人力资源社会保障部门"),
    ("社保中心", "人力资源社会保障部门"), ("人力资源和社会保障", "人力资源社会保障部门"),
    ("劳动监察", "人力资源社会保障部门"), ("社保处", "人力资源社会保障部门"),
    ("医保局", "医疗保障部门"), ("医保中心", "医疗保障部门"),
    ("民政局", "民政部门"), ("民政部门", "民政部门"),
    ("公安局", "公安机关"), ("公安", "公安机关"), ("派出所", "公安机关"), ("交警", "公安机关"),
    ("公安分局", "公安机关"),
    ("市场监管", "市场监管部门"), ("市场监督管理", "市场监管部门"), ("工商局", "市场监管部门"),
    ("质监局", "市场监管部门"), ("食药监", "市场监管部门"),
    ("税务局", "税务部门"), ("税务机关", "税务部门"),
    ("环保局", "生态环境部门"), ("生态环境局", "生态环境部门"), ("环保部门", "生态环境部门"),
    ("教育局", "教育部门"), ("教育部门", "教育部门"),
    ("卫健委", "卫生健康部门"), ("卫生局", "卫生健康部门"), ("卫计委", "卫生健康部门"), ("卫生健康委", "卫生健康部门"),
    ("交通局", "交通运输部门"), ("运管", "交通运输部门"), ("交通运输局", "交通运输部门"),
    ("拆迁办", "征收部门"), ("征收办", "征收部门"), ("征地办", "征收部门"), ("征收中心", "征收部门"),
    ("指挥部", "征收部门"),
    ("街道办", "街镇人民政府"), ("办事处", "街镇人民政府"), ("镇政府", "街镇人民政府"), ("乡政府", "街镇人民政府"),
    ("镇人民政府", "街镇人民政府"),
    ("区政府", "区县人民政府"), ("县政府", "区县人民政府"), ("区人民政府", "区县人民政府"),
    ("县人民政府", "区县人民政府"),
    ("市政府", "市人民政府"), ("市人民政府", "市人民政府"), ("政府部门", "人民政府及其部门"),
    ("政府", "人民政府及其部门"), ("有关部门", "人民政府及其部门"), ("相关部门", "人民政府及其部门"),
    ("职能部门", "人民政府及其部门"), ("行政机关", "人民政府及其部门"),
    ("水利局", "水利部门"), ("农业局", "农业农村部门"), ("农业农村局", "农业农村部门"),
    ("林业局", "自然资源和规划部门"),
    ("计生办", "卫生健康部门"), ("计生部门", "卫生健康部门"), ("计生站", "卫生健康部门"),
    ("卫生监督所", "卫生健康部门"),
    ("农合办", "医疗保障部门"), ("人社部门", "人力资源社会保障部门"), ("劳动监察", "人力资源社会保障部门"),
    ("药监", "市场监管部门"), ("物价局", "发展改革部门"), ("治超办", "交通运输部门"), ("运管所", "交通运输部门"),
    ("文物局", "文化旅游部门"), ("编办", "机构编制部门"), ("房管所", "住房城乡建设部门"), ("镇里", "街镇人民政府"),
    ("乡里", "街镇人民政府"), ("示范区", "开发区管委会"), ("管委会", "开发区管委会"), ("执法人员", "人民政府及其部门"),
    ("司法局", "司法行政部门"), ("财政局", "财政部门"), ("发改委", "发展改革部门"), ("文旅局", "文化旅游部门"),
    ("文化局", "文化旅游部门"), ("安监局", "应急管理部门"), ("应急管理局", "应急管理部门"), ("消防", "消防救援机构"),
    ("公积金中心", "住房公积金中心"), ("公积金管理中心", "住房公积金中心"),
]
# Words that name a government body only weakly (they may be any office): they do not count as a
# government body for detection, only as the agency when nothing better is named.
WEAK_AGENCIES = frozenset({"有关部门", "相关部门", "职能部门", "指挥部", "办事处"})
_AGENCY_RE = re.compile("|".join(sorted((re.escape(w) for w, _k in AGENCIES), key=len, reverse=True)))
_AGENCY_KIND = dict(AGENCIES)
_PLACE = re.compile(r"([A-Z]\d{0,2}[市区县]|[\u4e00-\u9fa5]{2}(?:市|区|县|镇|乡|街道))$")
_SUFFIX = re.compile(r"分局|执法局|执法大队|大队|中队|支队|局|所|处|中心")
_GOV_SUFFIX = re.compile(r"(人民政府|政府|局|委员会|办事处|管委会|执法大队|派出所|中心|委|所|处)$")

# the agency kind an act type usually concerns, when no body is named
DEFAULT_AGENCY = {
    T.PENALTY: "人民政府及其部门", T.LICENSING: "人民政府及其部门", T.COERCION: "城管执法部门",
    T.EXPROPRIATION: "征收部门", T.CONFIRMATION: "人力资源社会保障部门", T.INACTION: "人民政府及其部门",
    T.DISCLOSURE: "人民政府及其部门", T.BENEFIT: "民政部门", T.CHARGE: "人民政府及其部门",
}

# categories (any level's name) that are about an administrative act, and the act type they suggest
CATEGORY_ACTS: list[tuple[str, ActType, int]] = [
    ("行政复议", T.INACTION, 2), ("房屋征收", T.EXPROPRIATION, 1), ("房屋拆迁", T.EXPROPRIATION, 1),
    ("土地征收", T.EXPROPRIATION, 1), ("征地", T.EXPROPRIATION, 1), ("社会救助", T.BENEFIT, 1),
    ("优抚", T.BENEFIT, 1), ("退休政策及待遇", T.BENEFIT, 1), ("社会保险", T.BENEFIT, 1),
    ("城管执法", T.PENALTY, 1), ("交通管理", T.PENALTY, 1), ("户籍证件", T.CONFIRMATION, 1),
    ("建设项目审批", T.LICENSING, 1), ("行政执法", T.PENALTY, 1), ("教育收费", T.CHARGE, 1),
]

# (pattern, points, the reason's name in ``reasons.TERM_REASONS``)
RISK_TERMS: list[tuple[re.Pattern[str], int, str]] = [
    (re.compile(r"行政复议|申请复议|复议"), 2, "reconsideration"),
    (re.compile(r"行政诉讼|起诉|诉讼|打官司|法院|立案"), 2, "litigation"),
    (re.compile(r"律师"), 1, "lawyer"),
    (re.compile(r"状告|控告|告到|去告|要告|上告|告他们|告政府|民告官"), 1, "sue"),
    (re.compile(r"上访|信访|进京|到省里|集体访|越级"), 1, "petition"),
    (re.compile(r"媒体|曝光|记者|网上发"), 1, "media"),
    (re.compile(r"违法|不合法|侵犯|侵害|合法权益|维权"), 1, "rights"),
]
ESCALATING_CHANNELS = frozenset(CHANNEL_REASONS)  # 信访, 12368, 12309
SEVERE_ACTS = frozenset({T.COERCION, T.EXPROPRIATION})
KEY_FROM, GENERAL_FROM = 4, 2
FLAG_FROM = 1  # act evidence needed to flag


@dataclass(frozen=True)
class Matter:
    """What the detector reads of a case."""

    title: str
    text: str
    categories: tuple[str, ...] = ()  # names of the case's category and its ancestors
    channel: str = ""
    respondents: tuple[str, ...] = ()  # names of respondent parties (a government body?)


@dataclass(frozen=True)
class Signals:
    """What the case's history says (for the risk grade)."""

    repeat_contacts: int = 0  # other cases of the same reporter, and reports merged into this one
    unsatisfied: int = 0  # unsatisfied evaluations
    reopened: int = 0


@dataclass
class Finding:
    act_type: ActType
    agency: str  # the body as named ("K9县劳动局"), or the usual kind
    agency_kind: str  # for figures and filters ("人力资源社会保障部门")
    evidence: list[Reason]  # why it is about an administrative act (``reasons``: data, rendered when read)
    score: int
    risk: Risk = Risk.WATCH
    risk_points: int = 0
    risk_reasons: list[Reason] = field(default_factory=list)


def _agencies(text: str) -> list[tuple[str, str, str]]:
    """(name as written with its place, word, kind) for each government body named in the text."""
    found = []
    for m in _AGENCY_RE.finditer(text):
        word = m.group(0)
        place = _PLACE.search(text[max(0, m.start() - 6):m.start()])
        suffix = _SUFFIX.match(text, m.end()) if not word.endswith(("局", "所", "处", "队", "委", "府")) else None
        name = (place.group(1) if place else "") + word + (suffix.group(0) if suffix else "")
        found.append((name, word, _AGENCY_KIND[word]))
    return found


_BOUNDARY = re.compile(r"[。！？!?；;\n]")
_TERM_ACT: dict[str, tuple[ActType, int]] = {term: (act, weight) for act, terms in LEXICON.items()
                                             for term, weight in terms}
_TERM_RE = re.compile("|".join(sorted((re.escape(t) for t in _TERM_ACT), key=len, reverse=True)))


def _act_scores(text: str, gov_respondent: bool) -> dict[ActType, tuple[int, list[str]]]:
    """Per act type: its evidence (capped at 2) and the terms that gave it.  One pass of one regex over
    the text; a weak term's sentence is looked at only when the term occurs (each sentence once)."""
    found: dict[ActType, dict[str, int]] = {}
    bounds: list[int] | None = None
    governed: dict[int, bool] = {}
    for m in _TERM_RE.finditer(text):
        term = m.group(0)
        act, weight = _TERM_ACT[term]
        terms = found.setdefault(act, {})
        if term in terms:
            continue
        if weight < 2 and not gov_respondent:
            if bounds is None:
                bounds = [b.start() for b in _BOUNDARY.finditer(text)]
            i = bisect.bisect_right(bounds, m.start())
            if i not in governed:
                sentence = text[bounds[i - 1] + 1 if i else 0:bounds[i] if i < len(bounds) else len(text)]
                governed[i] = any(w not in WEAK_AGENCIES for w in _AGENCY_RE.findall(sentence))
            if not governed[i]:
                continue
        terms[term] = weight
    return {act: (min(2, sum(terms.values())), list(terms)) for act, terms in found.items() if terms}


def detect(matter: Matter) -> Finding | None:
    """The act type, agency and evidence when the matter is against an administrative act, else None."""
    text = f"{matter.title}\n{matter.text}"
    gov_respondents = [r for r in matter.respondents if _GOV_SUFFIX.search(r.strip())]
    scores = _act_scores(text, bool(gov_respondents))
    category_bonus: dict[ActType, tuple[int, str]] = {}
    for name in matter.categories:
        for word, act, weight in CATEGORY_ACTS:
            if word in name and weight > category_bonus.get(act, (0, ""))[0]:
                category_bonus[act] = (weight, name)
    candidates = set(scores) | set(category_bonus)
    if not candidates:
        return None

    def total(act: ActType) -> int:
        return scores.get(act, (0, []))[0] + category_bonus.get(act, (0, ""))[0]

    act = max(candidates, key=lambda a: (total(a), len(scores.get(a, (0, []))[1]), -list(T).index(a)))
    score = total(act)
    if score < FLAG_FROM:
        return None
    named = _agencies(text)
    strong = [n for n in named if n[1] not in WEAK_AGENCIES]
    evidence: list[Reason] = []
    if act in scores:
        evidence.append({"key": "terms", "act": act.value, "terms": scores[act][1]})
    if act in category_bonus:
        evidence.append({"key": "category", "category": category_bonus[act][1]})
    if gov_respondents:
        agency, kind = gov_respondents[0], _kind_of(gov_respondents[0], act)
        evidence.append({"key": "respondent", "agency": agency})
    elif strong:
        agency, _word, kind = strong[0]
        evidence.append({"key": "agency", "agency": agency})
    else:
        agency = kind = DEFAULT_AGENCY[act]
    return Finding(act_type=act, agency=agency[:100], agency_kind=kind, evidence=evidence, score=score)


def _kind_of(name: str, act: ActType) -> str:
    m = _AGENCY_RE.search(name)
    return _AGENCY_KIND[m.group(0)] if m else DEFAULT_AGENCY[act]


def grade(finding: Finding, matter: Matter, signals: Signals) -> Finding:
    """The risk of reconsideration or litigation, with its reasons (fills ``finding`` and returns it)."""
    text = f"{matter.title}\n{matter.text}"
    points = 0
    reasons: list[Reason] = []
    for pattern, weight, name in RISK_TERMS:
        m = pattern.search(text)
        if m:
            points += weight
            reasons.append({"key": "term", "term": name, "word": m.group(0)})
    if signals.repeat_contacts >= 1:
        weight = 2 if signals.repeat_contacts >= 2 else 1
        points += weight
        reasons.append({"key": "repeat_contacts", "n": signals.repeat_contacts})
    if signals.unsatisfied:
        points += 2
        reasons.append({"key": "unsatisfied", "n": signals.unsatisfied})
    if signals.reopened:
        points += 1
        reasons.append({"key": "reopened", "n": signals.reopened})
    if matter.channel in ESCALATING_CHANNELS:
        points += 1
        reasons.append({"key": "channel", "channel": matter.channel})
    if finding.act_type in SEVERE_ACTS:
        points += 1
        reasons.append({"key": "severe_act", "act": finding.act_type.value})
    finding.risk_points, finding.risk_reasons = points, reasons
    finding.risk = Risk.KEY if points >= KEY_FROM else Risk.GENERAL if points >= GENERAL_FROM else Risk.WATCH
    return finding
