"""Demo data for early warning: stability assessments of major decisions (重大决策社会稳定风险评估).

Sixteen decisions of a city across every stage — a waste-incineration plant, house demolitions, price
changes, an enterprise restructuring, a substation, a chemical park … — each taken through the real
services (fengqiao.stability) step by step to the stage it is in today: its consultation's opinions by
channel (and citizens' opinions from the public page while it is open), risk items, grade, measures,
conclusion, filing and tracking.  Their past is then dated back over the months they took (the events, the
opinions' days, the measures' deadlines), since the services act "now".  Reports are made on demand.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import clock
from fengqiao.stability import after, assess, prepare, public
from fengqiao.stability.models import Decision, DecisionEvent, Measure, Opinion, RiskItem
from fengqiao.stability.states import DState

ORDER = [DState.DRAFT, DState.PLANNED, DState.CONSULTING, DState.IDENTIFYING, DState.GRADED, DState.MEASURES,
         DState.CONCLUDED, DState.REPORTED, DState.TRACKING, DState.CLOSED]
S = DState
Op = tuple[str, int, int, int, int, str]  # channel, participants, support, oppose, neutral, concerns
Item = tuple[str, str, int, int]  # category, description, likelihood, impact
Act = tuple[str, str, int]  # measure, unit abbreviation, days to its deadline


@dataclass(frozen=True)
class Plan:
    title: str
    kind: str
    summary: str
    proposer: str  # abbreviation of a city unit (units.CITY_DEPARTMENTS); "street" for the street office
    to: DState
    days: int  # how long ago it was put to assessment
    population: int
    stakeholders: str
    opinions: list[Op] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    measures: list[Act] = field(default_factory=list)
    conclusion: str = "conditional"
    reason: str = ""
    grade: str = ""  # a grade other than the suggested one, with ``grade_reason``
    grade_reason: str = ""
    district_wide: bool = False
    third_party: str = ""
    public_opinions: list[tuple[str, str]] = field(default_factory=list)
    withdraw: str = ""


THIRD = ["江苏中正社会风险评估咨询有限公司", "市社会稳定风险评估研究中心", "东南大学公共管理学院课题组", ""]

PLANS: list[Plan] = [
    Plan("东郊生活垃圾焚烧发电厂选址建设", "facility",
         "拟在东郊原砖瓦厂地块建设日处理生活垃圾 1500 吨的焚烧发电厂，配套渗滤液处理站和飞灰填埋场，总投资 9.8 亿元。",
         "cgj", S.TRACKING, 200, 23000, "周边 3 个行政村村民、东郊小学师生、沿线运输道路居民、养殖户",
         [("forum", 46, 21, 13, 12, "担心二噁英排放、垃圾运输车噪声和臭味，要求公开在线监测数据"),
          ("survey", 620, 338, 161, 121, "关心房屋贬值、是否有生态补偿、运输路线是否穿村"),
          ("hearing", 35, 17, 9, 9, "专家代表认为选址符合规划，村民代表要求扩大防护距离到 500 米"),
          ("visit", 84, 40, 26, 18, "老年村民担心农作物受影响，养殖户担心搬迁补偿")],
         [("controllability", "周边村民可能因邻避心理聚集上访、阻工", 3, 4),
          ("rationality", "生态补偿标准与周边项目不一致，可能引发攀比", 3, 3),
          ("legality", "环评公众参与程序存在瑕疵风险", 2, 4),
          ("feasibility", "运输车辆穿越村庄造成噪声扰民", 4, 2)],
         [("排放数据实时在线监测并在厂区外电子屏和网站公开", "sthj", 120),
          ("制定周边村庄生态补偿方案，按户发放并公示", "street", 90),
          ("新建运输专用道路，避开村庄和学校", "jtj", 240),
          ("组织村民代表赴已建成项目参观，建立企业开放日制度", "street", 60)],
         "conditional",
         "群众关切集中在排放、补偿和运输三方面，落实监测公开、生态补偿和专用道路三项措施后风险可控，建议附条件实施。",
         third_party=THIRD[0]),
    Plan("老城区棚户区改造房屋征收（一期）", "land",
         "对老城区 412 户棚户区房屋实施征收，采取货币补偿和产权调换两种方式，安置房就近建设。",
         "zjj", S.CLOSED, 330, 1300,
         "被征收户 412 户、临街商户 37 家、承租户",
         [("forum", 60, 41, 8, 11, "商户关心停产停业损失补偿，老人希望就近安置"),
          ("survey", 398, 321, 39, 38, "多数支持改造，少数对评估价格有异议"),
          ("notice", 0, 88, 12, 5, "公示期间收到书面意见，集中在过渡费和搬迁奖励期限")],
         [("rationality", "部分商户对停产停业损失补偿标准不认可", 3, 3),
          ("controllability", "个别被征收户拒绝签约，可能引发强制征收矛盾", 2, 4),
          ("legality", "征收补偿方案须经社会稳定风险评估后报批", 1, 3)],
         [("委托两家评估机构对商户损失分别评估，就高认定", "zjj", 60),
          ("设立征收政策咨询点，专人一户一策上门沟通", "street", 45)],
         "conditional", "多数群众支持改造，风险为中等，落实分类补偿和一户一策后可以实施。"),
    Plan("居民生活用水阶梯价格调整", "price",
         "居民第一阶梯水价由 2.90 元/吨调整为 3.20 元/吨，第二、三阶梯相应调整；低保户每月免费用水 5 吨。",
         "fgw", S.REPORTED,
         150, 1200000, "全市居民用户、低保和特困家庭、供水企业",
         [("hearing", 25, 16, 5, 4, "消费者代表要求公开供水成本监审报告"),
          ("survey", 1500, 862, 301, 337, "多数理解，关心低收入家庭负担")],
         [("rationality", "低收入家庭负担增加", 2, 2), ("controllability", "网络舆情炒作涨价", 2, 2)],
         [], "go", "调价幅度适中，已有低保户保障措施，群众总体理解，风险较低，准予实施。",
         district_wide=True),
    Plan("市公交集团混合所有制改革", "restructuring",
         "市公交集团引入战略投资者，国有股比降至 51%，职工身份转换并补缴社会保险。", "gzw", S.TRACKING, 260, 3400,
         "公交集团在职职工 3100 人、退休职工、乘客",
         [("forum", 80, 38, 24, 18, "职工担心身份转换后待遇下降、裁员"),
          ("survey", 2600, 1332, 702, 566, "关心工龄买断标准和社保接续"),
          ("visit", 120, 51, 41, 28, "退休职工关心统筹外待遇")],
         [("controllability", "部分职工对身份置换补偿不满，可能集体停运", 3, 5),
          ("rationality", "工龄补偿标准低于周边城市", 3, 3),
          ("legality", "职工安置方案须经职工代表大会审议", 2, 3)],
         [("职工安置方案提交职工代表大会审议通过", "gzw", 30),
          ("补缴职工社会保险并一次性结清历史欠费", "rsj", 120),
          ("承诺三年内不裁员，线路和岗位保持稳定", "gzw", 365)],
         "conditional", "职工关切已通过职代会程序和保障承诺回应，风险由高降为中，附条件实施。",
         grade="medium", grade_reason="安置方案已提交职代会，社保补缴资金落实，经专家论证可控，评定为中风险。",
         third_party=THIRD[1]),
    Plan("城北 220 千伏变电站选址", "facility",
         "在城北新区建设 220 千伏变电站一座，距最近住宅小区约 80 米。", "fgw", S.REPORTED, 120, 8600,
         "锦绣花园、阳光城两个小区业主，幼儿园家长",
         [("forum", 40, 9, 25, 6, "业主强烈担心电磁辐射，要求另行选址"),
          ("survey", 900, 205, 498, 197, "多数业主反对，认为距离过近"),
          ("visit", 60, 12, 38, 10, "幼儿园家长联名反对")],
         [("controllability", "业主可能聚集维权、网络舆情发酵", 4, 4),
          ("rationality", "选址距住宅过近，群众难以接受", 4, 3)],
         [], "postpone", "反对意见过半，群众反应强烈，评定高风险；建议暂缓实施，重新比选站址并做好科普。"),
    Plan("化工园区扩区规划", "environment",
         "化工园区向东扩区 3.2 平方公里，引进精细化工项目，扩区范围内涉及两个村庄整体搬迁。",
         "gxj", S.CONCLUDED, 95, 6200,
         "两个村庄 1100 户村民、下游饮用水源地周边群众",
         [("forum", 50, 8, 36, 6, "村民担心搬迁补偿和化工污染"),
          ("survey", 700, 121, 458, 121, "下游群众担心水源安全"),
          ("hearing", 30, 7, 19, 4, "环保专家指出扩区范围与水源保护区距离不足")],
         [("legality", "扩区范围与饮用水水源二级保护区距离不符合规定", 4, 5),
          ("controllability", "两个村整体搬迁，群体性事件风险大", 4, 4)],
         [], "stop", "扩区与水源保护区的距离不符合规定，群众反对强烈，评定高风险，不予实施。"),
    Plan("城南物流园集体土地征收", "land",
         "征收城南集体土地 580 亩用于物流园建设，涉及 3 个村民小组 260 户。", "zrzy", S.CONSULTING, 20, 980,
         "被征地农户 260 户、土地承包经营户、村集体",
         [("forum", 35, 15, 12, 8, "关心征地补偿标准和社保安置"),
          ("visit", 48, 22, 14, 12, "种养大户要求青苗和设施补偿")],
         public_opinions=[("support", "物流园能带来就业，支持，希望优先招本地人"),
                          ("oppose", "补偿标准太低，不同意征地"),
                          ("neutral", "希望先公布安置房位置再征求意见"),
                          ("oppose", "承包的鱼塘刚投入，补偿要按实际投入算")]),
    Plan("市殡仪馆迁建", "facility",
         "市殡仪馆整体迁建至西山公墓南侧，原址改建为城市公园。", "mzj", S.CONSULTING, 12, 15000,
         "新址周边两个村、原址周边居民、殡葬服务从业者",
         [("survey", 300, 122, 108, 70, "新址周边村民担心风俗忌讳和交通拥堵")],
         public_opinions=[("support", "原址在城区中心早该搬了，支持"),
                          ("oppose", "新址离我们村太近，每天送葬车队经过"),
                          ("support", "原址改公园是好事")]),
    Plan("出租汽车运价调整", "price",
         "起步价由 9 元调整为 10 元，超出起步里程后每公里 2.0 元调整为 2.3 元，建立运价与燃料价格联动机制。", "jtj",
         S.IDENTIFYING, 40, 5200, "出租车驾驶员、出租车公司、乘客",
         [("hearing", 25, 14, 6, 5, "驾驶员代表希望同步下调份子钱"),
          ("survey", 1100, 512, 389, 199, "乘客担心涨价后打车难并未改善")],
         [("rationality", "份子钱不降，驾驶员收入增加有限", 3, 2)]),
    Plan("市第一人民医院周边停车收费调整", "price",
         "医院周边道路停车由首小时 5 元调整为分时段累进收费，就医车辆凭挂号单前 30 分钟免费。",
         "cgj", S.MEASURES, 55, 40000,
         "就诊患者及家属、周边居民、医院职工",
         [("survey", 800, 421, 220, 159, "患者担心停车费增加就医负担"),
          ("forum", 30, 16, 8, 6, "周边居民希望夜间对居民包月")],
         [("rationality", "长期住院患者家属停车负担重", 3, 3), ("controllability", "停车收费员与车主发生冲突", 2, 3)],
         [("住院患者家属办理优惠停车证", "wjw", 30)]),
    Plan("主城区中小学学区划分调整", "policy",
         "调整主城区 12 所小学、6 所初中的学区范围，新增两所学校的学区。", "jyj", S.GRADED, 48, 26000,
         "学区调整涉及小区的适龄儿童家庭、学区房业主",
         [("forum", 60, 25, 22, 13, "学区房业主担心房价下跌"),
          ("survey", 3000, 1420, 980, 600, "家长关心入学年限和政策过渡期")],
         [("controllability", "学区房业主可能聚集到教育部门", 3, 4), ("legality", "政策过渡期规定不明", 2, 3)]),
    Plan("老旧小区加装电梯财政补贴办法", "policy",
         "对老旧小区既有住宅加装电梯给予每台 20 万元财政补贴，明确低层住户补偿协商规则。", "zjj", S.PLANNED, 10, 90000,
         "老旧小区高层住户、低层住户、物业企业", []),
    Plan("护城河综合整治沿河商户搬迁", "land",
         "护城河综合整治，沿河 86 家商户和 24 户居民需搬迁，改建滨河绿道。", "slj", S.DRAFT, 3, 420,
         "沿河商户、居民、承租经营户", []),
    Plan("国有纺织厂破产重整职工安置", "restructuring",
         "市第二纺织厂进入破产重整，在册职工 860 人分流安置，退休职工纳入社区管理。", "gzw", S.TRACKING, 180, 1500,
         "在册职工 860 人、退休职工 1200 人、债权人",
         [("forum", 70, 38, 19, 13, "职工关心经济补偿金和拖欠工资"),
          ("visit", 150, 80, 38, 32, "困难职工家庭希望再就业帮扶")],
         [("controllability", "拖欠工资未清偿前职工可能集体上访", 4, 3),
          ("rationality", "经济补偿金计算基数有争议", 3, 3)],
         [("优先清偿拖欠职工工资和社会保险费", "gzw", 45), ("组织专场招聘会和再就业培训", "rsj", 90),
          ("困难职工纳入临时救助", "mzj", 60)],
         "conditional", "职工债权优先清偿、再就业帮扶到位后风险可控，附条件实施。", third_party=THIRD[2]),
    Plan("建筑垃圾资源化处置中心选址", "environment",
         "在城西建设年处理 100 万吨建筑垃圾的资源化处置中心。", "cgj", S.WITHDRAWN, 140, 5000,
         "周边村民、运输企业",
         [("survey", 400, 120, 210, 70, "担心粉尘和重型车辆")],
         withdraw="项目调整至已有工业园区内实施，原选址方案撤回"),
    Plan("管道天然气价格上下游联动调整", "price",
         "建立居民管道天然气上下游价格联动机制，本次第一档气价上调 0.18 元/立方米。", "fgw", S.CLOSED, 300, 800000,
         "居民用户、燃气企业", [("hearing", 25, 15, 5, 5, "要求公开燃气企业成本"),
                          ("survey", 1200, 690, 280, 230, "担心冬季供暖成本上升")],
         [("rationality", "冬季用气高峰居民负担增加", 2, 2)], [], "go",
         "调价幅度小，联动机制透明，风险较低，准予实施。",
         district_wide=True),
]


@dataclass
class Actors:
    officer: User
    handlers: dict[int, User]  # unit id → a handler of it


def _actors(staff: Any) -> Actors:
    officer = (User.objects.filter(memberships__role=Role.RISK_OFFICER, memberships__area__level=Level.CITY).first()
               or User.objects.filter(is_superuser=True).order_by("pk").first())
    assert officer is not None, "the demo has no city risk officer and no administrator"
    handlers = {}
    for unit_id, (user_id, role) in getattr(staff, "handlers", {}).items():
        if role == Role.HANDLER:
            handlers[unit_id] = User.objects.get(pk=user_id)
    return Actors(officer, handlers)


def _unit(org: Any, abbr: str, street: Area) -> Unit:
    if abbr == "street":
        found = getattr(org, "streets", {}).get(street.code) or Unit.objects.filter(
            kind=UnitKind.STREET_OFFICE, area=street).first()
    else:
        found = getattr(org, "city", {}).get(abbr)
    if found is None:
        found = Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True).order_by("code").first()
    assert found is not None, "the demo city has no department"
    return found


def create(org: Any, staff: Any, areas: dict[str, Any], rng: random.Random, now: dt.datetime,
           say: Callable[[str], None]) -> Counter[str]:
    """Write this part's demo rows; returns counts for the build report."""
    actors = _actors(staff)
    streets = sorted((a for a in areas.values() if a.level == Level.STREET), key=lambda a: a.code)
    districts = sorted((a for a in areas.values() if a.level == Level.DISTRICT), key=lambda a: a.code)
    counts: Counter[str] = Counter()
    if not streets:
        return counts
    for plan in PLANS:
        picked = rng.sample(streets, min(len(streets), 2 if plan.population > 5000 else 1))
        street = picked[0]
        scope = districts if plan.district_wide and districts else picked
        with transaction.atomic():
            decision = _run(plan, org, actors, street, scope, rng)
            _date_back(decision, now - dt.timedelta(days=plan.days), now, rng)
        counts[f"stability.state.{decision.status}"] += 1
        counts["stability.decisions"] += 1
    counts["stability.opinions"] = Opinion.objects.count()
    counts["stability.risk_items"] = RiskItem.objects.count()
    counts["stability.measures"] = Measure.objects.count()
    say(f"  稳评 {counts['stability.decisions']} 项，意见记录 {counts['stability.opinions']} 条")
    return counts


def _run(plan: Plan, org: Any, actors: Actors, street: Area, scope: list[Area], rng: random.Random) -> Decision:
    proposer = _unit(org, plan.proposer, street)
    assessor = _unit(org, "street", street) if plan.proposer != "street" and not plan.district_wide else proposer
    officer = actors.officer
    filler = actors.handlers.get(assessor.pk) or actors.handlers.get(proposer.pk) or officer
    decision = prepare.create(filler, title=plan.title, kind=plan.kind, summary=plan.summary,
                              proposing_unit_id=proposer.pk, assessing_unit_id=assessor.pk,
                              area_ids=[a.pk for a in scope], third_party=plan.third_party,
                              population=plan.population, stakeholders=plan.stakeholders)
    code, today = decision.code, clock.today()
    if plan.withdraw:
        prepare.plan(filler, code, plan="问卷调查、入户走访")
        prepare.open_consultation(filler, code, closes_on=today + dt.timedelta(days=15))
        _opinions(plan, filler, code, today)
        prepare.withdraw(officer, code, reason=plan.withdraw)
        return Decision.objects.get(pk=decision.pk)

    def reach(state: DState) -> bool:
        return ORDER.index(plan.to) >= ORDER.index(state)

    if reach(S.PLANNED):
        prepare.plan(filler, code, plan=f"采取{'、'.join(sorted(_channel_names(plan)))}等方式征求意见；"
                                        "梳理合法性、合理性、可行性、可控性风险；30 个工作日内形成评估报告。")
    if reach(S.CONSULTING):
        prepare.open_consultation(filler, code, closes_on=today + dt.timedelta(days=14 + rng.randint(0, 7)),
                                  public=bool(plan.public_opinions) or rng.random() < 0.5)
        _opinions(plan, filler, code, today)
        for stance, text in plan.public_opinions:
            public.submit(code, stance=stance, text=text)
    if reach(S.IDENTIFYING):
        prepare.close_consultation(filler, code, summary=_summary(plan))
        for category, text, chance, harm in plan.items:
            assess.add_item(filler, code, category=category, description=text, likelihood=chance, impact=harm)
    if reach(S.GRADED):
        suggested = assess.suggestion(Decision.objects.get(pk=decision.pk)).grade
        assert suggested is not None
        assess.grade(officer, code, grade=plan.grade or suggested.value, reason=plan.grade_reason)
    if reach(S.MEASURES):
        for text, abbr, days in plan.measures:
            assess.add_measure(filler, code, description=text, responsible_unit_id=_unit(org, abbr, street).pk,
                               deadline=today + dt.timedelta(days=days))
    if reach(S.CONCLUDED):
        assess.conclude(officer, code, conclusion=plan.conclusion, reason=plan.reason)
    if reach(S.REPORTED):
        after.issue_report(officer, code)
    if reach(S.TRACKING):
        after.file(officer, code, note="报市委政法委（市维稳办）备案；市政府常务会议研究决定"
                   + ("按评估结论实施" if plan.conclusion in ("go", "conditional") else "采纳评估结论"))
        _track(plan, decision, filler, rng)
    if reach(S.CLOSED):
        after.close(officer, code, note="各项措施均已落实，实施过程平稳，未发生群体性事件和重大舆情。")
    return Decision.objects.get(pk=decision.pk)


def _opinions(plan: Plan, user: User, code: str, today: dt.date) -> None:
    for channel, people, yes, no, mid, text in plan.opinions:
        prepare.record_opinion(user, code, channel=channel, held_on=today, participants=people, support=yes,
                               oppose=no, neutral=mid, concerns=text)


def _channel_names(plan: Plan) -> set[str]:
    names = {"forum": "座谈会", "survey": "问卷调查", "notice": "公示", "hearing": "听证会", "visit": "走访"}
    return {names[o[0]] for o in plan.opinions} or {"座谈会", "问卷调查"}


def _summary(plan: Plan) -> str:
    yes = sum(o[2] for o in plan.opinions)
    no = sum(o[3] for o in plan.opinions)
    total = yes + no + sum(o[4] for o in plan.opinions)
    share = no * 100 / total if total else 0
    mood = "群众反应强烈，反对意见较多" if share >= 30 else "多数群众理解支持" if yes > no * 2 else "群众意见分歧较大"
    concern = plan.opinions[0][5] if plan.opinions else "—"
    return f"共收集意见 {total} 条，反对占 {share:.0f}%，{mood}。主要关切：{concern}。"


def _track(plan: Plan, decision: Decision, user: User, rng: random.Random) -> None:
    measures = list(Measure.objects.filter(decision=decision).order_by("pk"))
    for i, measure in enumerate(measures):
        closing = plan.to == S.CLOSED
        done = closing or i < len(measures) // 2 + (1 if rng.random() < 0.5 else 0)
        after.track(user, decision.code, measure_id=measure.pk, progress="已制定工作方案，明确专人负责")
        after.track(user, decision.code, measure_id=measure.pk,
                    progress="已落实完毕，群众反映良好" if done else "正在推进，完成约六成", done=done)


def _date_back(decision: Decision, start: dt.datetime, end: dt.datetime, rng: random.Random) -> None:
    """Spread the decision's events (made now) over [start, end), in their order, and date its other rows
    from them: the timestamps of each step, the opinions' days, the measures' deadlines."""
    events = list(DecisionEvent.objects.filter(decision=decision).order_by("seq"))
    span = (end - start).total_seconds()
    slots = sorted(rng.uniform(0, 0.97) for _ in events)
    slots[0] = 0.0
    when: dict[str, dt.datetime] = {}
    previous = start - dt.timedelta(days=1)
    for event, share in zip(events, slots, strict=True):
        at = (start + dt.timedelta(seconds=span * share)).replace(microsecond=0)
        at = clock.at_local(clock.localtime(at).date(), dt.time(9 + rng.randint(0, 8), rng.randint(0, 59)))
        at = min(max(at, previous + dt.timedelta(minutes=7)), end - dt.timedelta(minutes=5))
        event.at = previous = at
        when.setdefault(event.action, at)
        when[f"last:{event.action}"] = at
    DecisionEvent.objects.bulk_update(events, ["at"])
    fields: dict[str, Any] = {"created_at": events[0].at}
    for name, action in (("consultation_opened_at", "open_consultation"),
                         ("consultation_closed_at", "close_consultation"), ("concluded_at", "conclude"),
                         ("reported_at", "issue_report"), ("filed_at", "file"), ("closed_at", "close")):
        if action in when and getattr(decision, name) is not None:
            fields[name] = when[action]
    if decision.closed_at is not None and "withdraw" in when:
        fields["closed_at"] = when["withdraw"]
    if "consultation_opened_at" in fields and decision.state != S.CONSULTING:
        # the period ran to the day it was closed (or for a fortnight, for a withdrawn one)
        last = when.get("close_consultation", fields["consultation_opened_at"] + dt.timedelta(days=15))
        fields["consultation_closes_at"] = clock.at_local(clock.localtime(last).date(), dt.time(23, 59, 59))
    fields["code"] = f"WP{clock.localtime(events[0].at):%y%m%d}-{decision.code.split('-')[1]}"
    Decision.objects.filter(pk=decision.pk).update(**fields)
    # each opinion on the day its event was written (staff records in order, a citizen's by its id)
    recorded = iter(e for e in events if e.action == "record_opinion")
    public_at = {e.data.get("opinion"): e.at for e in events if e.action == "public_opinion"}
    for opinion in Opinion.objects.filter(decision=decision).order_by("pk"):
        written = public_at.get(opinion.pk) if opinion.public else next(recorded).at
        if written is not None:
            opinion.held_on, opinion.recorded_at = clock.localtime(written).date(), written
            opinion.save(update_fields=["held_on", "recorded_at"])
    RiskItem.objects.filter(decision=decision).update(created_at=when.get("add_item", events[0].at))
    made = when.get("add_measure")
    if made is not None:
        for measure in Measure.objects.filter(decision=decision):
            shift = clock.today() - clock.localtime(made).date()
            measure.deadline -= shift
            measure.created_at = made
            tracked = [e for e in events if e.action == "track" and e.data.get("measure") == measure.pk]
            if tracked:  # the progress lines carry the day they were written
                measure.progress = "\n".join(f"{clock.localtime(e.at):%Y-%m-%d} {e.note}" for e in tracked)
            if measure.done_at is not None:
                measure.done_at = tracked[-1].at if tracked else made
            measure.save(update_fields=["deadline", "created_at", "done_at", "progress"])


def wipe(say: Callable[[str], None]) -> None:
    """Delete this part's demo rows (runs first in the demo's wipe)."""
    deleted, _ = Decision.objects.all().delete()
    say(f"  重大决策稳评: {deleted}")
