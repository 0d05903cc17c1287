"""Demo data for the major-risk register (重大风险清单): a year of monthly screening campaigns per district
(most grids screened by their grid workers, a few missed; this month's campaign still under way), the risks
they found, and risks listed from a sample of the year's dispute cases — each entry walked through the
lifecycle as the services would (识别 → 建单 → 攻坚 → 复核 on the grade's cadence → 销号 with evidence →
回访巩固, 结果运用), with one ``RiskEvent`` per step; some reviews left overdue, a few entries left unjudged.
A case's entry writes ``r_listed`` at the end of the case's hash chain, as ``open_from_case`` does.

Rows go in with bulk inserts; the random choices come from ``rng`` (the same seed, the same register).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from fengqiao.accounts.models import Membership
from fengqiao.accounts.roles import Role
from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.demo.writer import Inserter
from fengqiao.jurisdictions.models import Area, Level, Unit
from fengqiao.kit import clock
from fengqiao.kit.ids import ALPHABET
from fengqiao.risk.defaults import CADENCE_DAYS
from fengqiao.risk.models import (
    Campaign,
    CampaignEvent,
    ChecklistItem,
    ReviewCadence,
    RiskEntry,
    RiskEvent,
    Screening,
    Source,
)
from fengqiao.risk.states import CREATED_IN, RAction, RState, next_state

MONTHS = 12
BATCH = 5000
SCREENING_COLUMNS = ("campaign_id", "grid_id", "community_id", "street_id", "result", "items_checked", "found", "note",
                     "screened_by_id", "screened_at")
EVENT_COLUMNS = ("campaign_id", "seq", "action", "grid_id", "actor_id", "at", "note", "data")
A, S = RAction, RState

FINDINGS: dict[str, list[str]] = {
    "dispute": ["{p}两户因楼上漏水多次争吵", "{p}邻里因占用公共楼道堆物发生口角", "{p}村民因宅基地界址争执，情绪激动",
                "{p}业主与物业因停车收费问题矛盾激化", "{p}两家因树木遮光、排水问题积怨较深"],
    "rental": ["{p}出租屋群租，租客与房东因押金退还争执", "{p}房东拖欠二房东房租，多名租客面临被清退",
               "{p}群租房消防隐患突出，租客拒绝搬离", "{p}租客长期欠租失联，房东扬言强行清房"],
    "family": ["{p}一户夫妻长期争吵，邻居反映有动手迹象", "{p}离婚纠纷涉及两名未成年子女抚养，双方情绪对立",
               "{p}老人赡养问题兄妹矛盾激化", "{p}一户家庭因财产分割多次报警"],
    "wages": ["{p}装修公司拖欠 6 名工人工资约 8 万元", "{p}建筑工地拖欠农民工工资，工人商量集体讨薪",
              "{p}小微企业停产，拖欠员工两个月工资", "{p}外卖站点拖欠骑手工资，骑手在群内串联"],
    "finance": ["{p}多名老人购买“养老理财”无法兑付", "{p}健身房关门跑路，预付卡会员聚集维权",
                "{p}某投资公司承诺高额返利，居民担心血本无归"],
    "land": ["{p}征收补偿标准分歧，部分住户拒绝签约", "{p}违建拆除，当事人情绪激烈扬言阻工",
             "{p}安置房交付延期，被征收户多次聚集"],
    "petition": ["{p}重复信访人近期活动频繁，扬言进京", "{p}老上访户因旧案诉求未解决再次串联"],
    "special": ["{p}严重精神障碍患者停药，家属无力看护", "{p}刑满释放人员未落实就业，与邻居多次冲突"],
    "safety": ["{p}老旧自建房出租，存在结构安全隐患", "{p}沿街商铺违规使用液化气，周边居民担忧"],
}
GRADE_REASONS = {
    "watch": ["矛盾尚处萌芽，当事人情绪平稳，纳入关注", "涉及人数少、诉求明确，可通过调解化解"],
    "general": ["双方对立情绪明显，存在反复可能", "涉及多户群众利益，需落实专人跟进", "当事人多次反映，诉求未获满足"],
    "key": ["涉及人数多，有聚集、上访苗头", "当事人扬言极端行为，存在民转刑风险", "涉众型问题，易引发群体性事件"],
}
MEASURES = ["落实网格员每日见面、掌握动态", "街道分管领导包案，约谈双方当事人", "组织人民调解员上门调解",
            "联合派出所开展稳控，落实专人看护", "协调人社部门督促企业支付工资", "邀请律师提供法律咨询，引导依法维权",
            "召开协调会，明确补偿方案和时间表", "对接民政部门落实临时救助", "社区“两委”牵头，组织亲友做思想工作"]
REVIEWS = ["当事人情绪平稳，未发现新情况", "已再次走访，双方按约定履行", "矛盾有所缓和，继续落实稳控措施",
           "对方仍有抵触，调整调解方案", "诉求部分解决，继续跟进"]
EVIDENCE = ["双方签订人民调解协议书并已履行完毕，回访无异议", "工资已全额发放，工人签字确认",
            "补偿协议已签订，款项到账", "经调解达成和解，当事人书面表示不再反映", "隐患已整改到位，经社区复查合格",
            "法院判决已执行完毕，当事人息诉罢访"]
DISMISS = ["经核实系正常邻里往来，不构成风险", "当事人已自行和解，无需列管", "反映情况与事实不符"]
FOLLOW_UPS = ["回访双方，关系和睦，未再发生纠纷", "回访当事人，对处理结果满意", "网格员回访，情况稳定"]
RELAPSES = ["回访发现双方再次发生争执，矛盾反弹", "回访得知企业再次拖欠工资"]
CLEAR_NOTES = ["走访住户、商铺，未发现风险", "逐户排查，情况稳定", "未发现矛盾纠纷苗头",
               "重点户、出租屋均已走访，无异常"]
APPLIED = ["纳入街道综治工作考核加分", "作为典型案例在全区推广", "化解成效计入责任单位年度考核"]


@dataclass
class Walk:
    """One entry walked through its lifecycle up to now: its fields and its events."""

    entry: RiskEntry
    events: list[tuple[str, str, str, int | None, dt.datetime, str, dict[str, Any]]] = field(default_factory=list)
    state: RState = RState.SCREENED

    def step(self, action: RAction, to: RState, actor: int | None, at: dt.datetime, note: str = "",
             data: dict[str, Any] | None = None) -> None:
        self.events.append((action.value, self.state.value if self.events else "", to.value, actor, at, note,
                            data or {}))
        self.state = to


def _code(prefix: str, day: dt.datetime, rng: random.Random, used: set[str]) -> str:
    while True:
        code = f"{prefix}{clock.localtime(day):%y%m%d}-{''.join(rng.choice(ALPHABET) for _ in range(6))}"
        if code not in used:
            used.add(code)
            return code


def _month_starts(today: dt.date) -> list[dt.date]:
    y, m = today.year, today.month
    out = []
    for _i in range(MONTHS):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def _month_end(start: dt.date) -> dt.date:
    nxt = dt.date(start.year + (start.month == 12), 1 if start.month == 12 else start.month + 1, 1)
    return nxt - dt.timedelta(days=1)


def _working_moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return clock.at_local(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))


@dataclass
class People:
    officers: dict[int, int]  # district id → risk officer's user id
    street_leaders: dict[int, int]  # street id → leader's user id
    offices: dict[int, Unit]  # street id → street office
    grid_workers: dict[int, int]  # grid id → user id
    city_officer: int | None


def _people(org: Any, staff: Any) -> People:
    officers: dict[int, int] = {}
    leaders: dict[int, int] = {}
    city_officer = None
    for role, user_id, level, area_id in Membership.objects.filter(
            role__in=[Role.RISK_OFFICER, Role.LEADER], area__isnull=False).values_list(
            "role", "user_id", "area__level", "area_id"):
        if role == Role.RISK_OFFICER and level == Level.DISTRICT:
            officers.setdefault(area_id, user_id)
        elif role == Role.RISK_OFFICER and level == Level.CITY:
            city_officer = user_id
        elif role == Role.LEADER and level == Level.STREET:
            leaders.setdefault(area_id, user_id)
    codes = dict(Area.objects.filter(level=Level.STREET).values_list("code", "pk"))
    offices = {codes[code]: unit for code, unit in org.streets.items() if code in codes}
    return People(officers, leaders, offices, dict(staff.grid_workers), city_officer)


class Lifecycle:
    """Walks entries from their opening to now, as the services would have."""

    def __init__(self, rng: random.Random, now: dt.datetime, people: People) -> None:
        self.rng, self.now, self.people = rng, now, people
        self.cadence = {g: dict(ReviewCadence.objects.values_list("grade", "days")).get(g, d)
                        for g, d in CADENCE_DAYS.items()}

    def later(self, at: dt.datetime, low: float, high: float) -> dt.datetime:
        moment = (at + dt.timedelta(days=self.rng.uniform(low, high))).replace(microsecond=0)
        local = clock.localtime(moment)
        if not 8 <= local.hour < 19:  # people act in working hours
            moment = clock.at_local(local.date(), dt.time(self.rng.randint(9, 17), self.rng.randint(0, 59)))
            if moment <= at:
                moment = (at + dt.timedelta(hours=self.rng.uniform(1, 6))).replace(microsecond=0)
        return moment

    def due(self, at: dt.datetime) -> bool:
        return at < self.now

    def grade(self, weights: tuple[int, int, int]) -> str:
        return self.rng.choices(["watch", "general", "key"], weights=weights)[0]

    def screened(self, w: Walk, officer: int | None) -> None:
        """识别 (or left unjudged), then 建单 or 排除."""
        e, rng = w.entry, self.rng
        t = self.later(e.opened_at, 0.5, 6)
        if not self.due(t) or rng.random() < 0.03:
            return
        grade = self.grade((50, 36, 14))
        e.grade, e.grade_reason = grade, rng.choice(GRADE_REASONS[grade])
        w.step(A.IDENTIFY, S.IDENTIFIED, officer, t, e.grade_reason, {"grade": grade})
        if rng.random() < 0.09:
            t = self.later(t, 1, 5)
            if self.due(t):
                w.step(A.DISMISS, S.DISMISSED, officer, t, rng.choice(DISMISS))
            return
        t = self.later(t, 0.5, 4)
        if not self.due(t) or rng.random() < 0.03:
            return
        assert e.street_id is not None
        office = self.people.offices.get(e.street_id)
        if office is None:
            return
        e.responsible_unit = office
        e.responsible_leader_id = self.people.street_leaders.get(e.street_id) if grade != "watch" else None
        w.step(A.LIST, S.LISTED, officer, t, "", {"unit_name": office.name})
        e.next_review_at = t + dt.timedelta(days=self.cadence[grade])
        self.tackle(w, t, officer)

    def tackle(self, w: Walk, listed_at: dt.datetime, officer: int | None) -> None:
        """攻坚 with measures, reviews on the cadence (some late), 销号, 回访巩固, 结果运用."""
        e, rng = w.entry, self.rng
        grade = e.grade
        lagging = rng.random() < 0.2  # this entry's reviews will fall behind
        span = {"watch": (20, 90), "general": (30, 150), "key": (45, 260)}[grade]
        off_at = self.later(listed_at, *span)
        t = self.later(listed_at, 0.3, 6)
        measures: list[str] = []
        if rng.random() > 0.04 and self.due(t):
            for m in rng.sample(MEASURES, rng.randint(1, 3)):
                if not self.due(t) or t >= off_at:
                    break
                measures.append(f"{clock.localtime(t):%Y-%m-%d} {m}")
                w.step(A.TACKLE, S.TACKLING, officer, t, m)
                t = self.later(t, 3, 25)
        e.measures = "\n".join(measures)
        cadence = dt.timedelta(days=self.cadence[grade])
        review_at = listed_at + cadence
        next_review = review_at
        while True:
            actual = review_at + dt.timedelta(days=rng.uniform(-1.5, 1.0))
            if actual >= off_at and w.state == S.TACKLING and self.due(off_at):
                break
            if not self.due(actual) or (lagging and actual > self.now - cadence * rng.uniform(0.3, 1.5)):
                break
            if actual > listed_at:
                w.step(A.REVIEW, w.state, e.responsible_leader_id or officer, actual, rng.choice(REVIEWS),
                       {"next_review_at": (actual + cadence).isoformat()})
                next_review = actual + cadence
            review_at = actual + cadence
        e.next_review_at = next_review
        if w.state != S.TACKLING or not self.due(off_at):
            return
        e.written_off_at, e.write_off_evidence, e.next_review_at = off_at, rng.choice(EVIDENCE), None
        w.step(A.WRITE_OFF, S.WRITTEN_OFF, officer, off_at, e.write_off_evidence)
        visit, applied = self.later(off_at, 7, 35), self.later(off_at, 10, 45)
        visited = self.due(visit) and rng.random() < 0.9
        used = self.due(applied) and rng.random() < 0.55
        for at in sorted(t for t, happens in ((visit, visited), (applied, used)) if happens):
            if at == visit and visited:
                visited = False
                relapsed = rng.random() < 0.06
                e.consolidated_at, e.relapsed = visit, relapsed
                w.step(A.CONSOLIDATE, w.state, officer, visit, rng.choice(RELAPSES if relapsed else FOLLOW_UPS),
                       {"relapsed": relapsed})
            else:
                w.step(A.APPLY_RESULT, S.APPLIED, officer, applied, rng.choice(APPLIED))


def _grids() -> dict[int, list[tuple[int, int, int]]]:
    """District id → its grids as (grid, community, street)."""
    out: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    rows = Area.objects.filter(level=Level.GRID).values_list("pk", "parent_id", "parent__parent_id",
                                                            "parent__parent__parent_id").order_by("path")
    for grid, community, street, district in rows:
        if community and street and district:
            out[district].append((grid, community, street))
    return out


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    made: list[Any] = []
    for i in range(0, len(rows), BATCH):
        made += model.objects.bulk_create(rows[i:i + BATCH])
    return made


def create(org: Any, staff: Any, areas: dict[str, Any], rng: random.Random, now: dt.datetime,
           say: Callable[[str], None]) -> Counter[str]:
    """Write this part's demo rows; returns counts for the build report."""
    counts: Counter[str] = Counter()
    with transaction.atomic():
        people = _people(org, staff)
        life = Lifecycle(rng, now, people)
        used: set[str] = set(RiskEntry.objects.values_list("code", flat=True))
        walks = _screening_year(rng, now, people, life, counts, used)
        walks += _from_cases(rng, now, people, life, counts, used)
        _write(walks, counts)
    say(f"  排查活动 {counts['risk.campaigns']} 次，网格排查 {counts['risk.screenings']} 格次；"
        f"风险 {counts['risk.entries']} 条（排查发现 {counts['risk.from_screening']}，由案件列入 "
        f"{counts['risk.from_cases']}），复核逾期 {counts['risk.overdue']} 条")
    return counts


def _screening_year(rng: random.Random, now: dt.datetime, people: People, life: Lifecycle,
                    counts: Counter[str], used: set[str]) -> list[Walk]:
    items = list(ChecklistItem.objects.filter(active=True).values("code", "name"))
    grids = _grids()
    districts = dict(Area.objects.filter(pk__in=list(grids)).values_list("pk", "name"))
    today = clock.localtime(now).date()
    months = _month_starts(today)
    total_grids = sum(len(g) for g in grids.values())
    target = min(600, max(120, int(total_grids * MONTHS * 0.005)))
    p_found = target / max(1, total_grids * MONTHS * 0.95)
    chronic = {g for gs in grids.values() for g, _c, _s in gs if rng.random() < 0.012}  # grids often missed
    campaigns: list[Campaign] = []
    plan: list[tuple[Campaign, list[tuple[int, int, int, dt.datetime, int | None]]]] = []
    walks: list[Walk] = []
    for start in months:
        end = _month_end(start)
        last_day = min(end, today)
        elapsed = (last_day - start).days + 1
        coverage_cap = 1.0 if end < today else min(1.0, elapsed / ((end - start).days + 1) * 1.08)
        extra = items[6:]
        month_items = items[:6] + ([extra[start.month % len(extra)]] if extra else [])
        for index, (district, gs) in enumerate(sorted(grids.items())):
            officer = people.officers.get(district, people.city_officer)
            c = Campaign(code=f"PC{start:%y%m%d}-D{index:02d}",
                         title=f"{districts[district]}{start.month}月矛盾纠纷风险大排查",
                         area_id=district, starts_on=start, ends_on=end, items=month_items,
                         note="网格员逐户走访，对照清单逐项排查，发现风险当日登记；无风险的网格也须登记。",
                         created_by_id=officer, created_at=_working_moment(start - dt.timedelta(days=3), rng),
                         grid_count=len(gs))
            coverage = rng.uniform(0.93, 0.99)
            rows = []
            for grid, community, street in gs:
                if grid in chronic and rng.random() < 0.5:
                    continue
                if rng.random() > coverage:
                    continue
                fraction = rng.random() ** 1.6  # most grids early in the month
                if end >= today and fraction > coverage_cap:
                    continue
                day = start + dt.timedelta(days=int(fraction * elapsed * 0.999))
                at = _working_moment(day, rng)
                if at >= now:
                    continue
                rows.append((grid, community, street, at, people.grid_workers.get(grid)))
            campaigns.append(c)
            plan.append((c, sorted(rows, key=lambda r: r[3])))
    _bulk(Campaign, campaigns)
    saved = {c.code: c.pk for c in Campaign.objects.filter(code__in=[c.code for c in campaigns])}
    screenings: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for c, rows in plan:
        c.pk = saved[c.code]
        events.append((c.pk, 1, "create", None, c.created_by_id, c.created_at, "",
                       {"grids": c.grid_count, "items": [i["code"] for i in c.items]}))
        for seq, (grid, community, street, at, worker) in enumerate(rows, start=2):
            found = []
            if rng.random() < p_found:
                for _n in range(1 if rng.random() < 0.8 else 2):
                    item = rng.choices(c.items, weights=[5 if i["code"] in ("dispute", "rental", "family", "wages")
                                                         else 2 for i in c.items])[0]
                    title = rng.choice(FINDINGS.get(item["code"], FINDINGS["dispute"])).format(p="")
                    entry = RiskEntry(code=_code("FX", at, rng, used), title=title,
                                      description=f"{item['name']}排查中发现：{title}。", source=Source.SCREENING,
                                      street_id=street, community_id=community, grid_id=grid, grade="watch",
                                      opened_at=at, campaign_id=c.pk, checklist_item=item["code"])
                    walk = Walk(entry)
                    walk.step(A.SCREEN, S.SCREENED, worker, at, "", {"campaign_id": c.pk, "item": item["code"]})
                    life.screened(walk, people.officers.get(c.area_id, people.city_officer))
                    walks.append(walk)
                    found.append(entry.code)
            note = "" if found else rng.choice(CLEAR_NOTES)
            result = "found" if found else "clear"
            screenings.append((c.pk, grid, community, street, result, [i["code"] for i in c.items], len(found),
                               note, worker, at))
            events.append((c.pk, seq, "screen", grid, worker, at, note, {"result": result, "entries": found}))
    # the two big tables: one prepared INSERT each (bulk_create's per-row preparation is most of the time)
    Inserter(Screening, SCREENING_COLUMNS).insert(screenings)
    Inserter(CampaignEvent, EVENT_COLUMNS).insert(events)
    counts["risk.campaigns"] = len(campaigns)
    counts["risk.screenings"] = len(screenings)
    counts["risk.from_screening"] = len(walks)
    return walks


def _from_cases(rng: random.Random, now: dt.datetime, people: People, life: Lifecycle,
                counts: Counter[str], used: set[str]) -> list[Walk]:
    """列入风险清单 from a sample of the year's dispute cases (one entry per case), each at the end of its
    case's chain: ``r_listed`` written there as ``open_from_case`` writes it."""
    year_ago = now - dt.timedelta(days=365)
    disputes = (Case.objects.filter(Q(category__name__contains="纠纷") | Q(category__parent__name__contains="纠纷"),
                                    registered_at__gte=year_ago, street__isnull=False)
                .values_list("pk", flat=True).order_by("pk"))
    ids_ = list(disputes)
    wanted = min(len(ids_), max(40, min(400, len(ids_) // 25)))
    sample = sorted(rng.sample(ids_, wanted)) if wanted else []
    cases = Case.objects.filter(pk__in=sample).select_related("lead_unit")
    last_at = dict(CaseEvent.objects.filter(case_id__in=sample).order_by().values_list("case_id")
                   .annotate(at=Max("at")))
    officer_units = dict(Membership.objects.filter(role=Role.RISK_OFFICER).values_list("user_id", "unit_id"))
    districts = dict(Area.objects.filter(level=Level.STREET).values_list("pk", "parent_id"))
    walks: list[Walk] = []
    case_events: list[CaseEvent] = []
    changed: list[Case] = []
    for case in cases:
        after = last_at.get(case.pk) or case.registered_at
        opened = life.later(after, 0.05, 3)
        if not life.due(opened):
            continue
        grade = life.grade((30, 45, 25))
        reason = rng.choice(GRADE_REASONS[grade])
        assert case.street_id is not None
        district = districts.get(case.street_id)
        officer = people.officers.get(district or 0, people.city_officer)
        unit = case.lead_unit if case.lead_unit is not None and rng.random() < 0.5 else people.offices.get(
            case.street_id)
        if unit is None:
            continue
        entry = RiskEntry(code=_code("FX", opened, rng, used), title=case.title, description=case.description,
                          source=Source.CASE, case_id=case.pk, street_id=case.street_id,
                          community_id=case.community_id, grid_id=case.grid_id, grade=grade, grade_reason=reason,
                          responsible_unit=unit,
                          responsible_leader_id=people.street_leaders.get(case.street_id) if grade != "watch" else None,
                          opened_at=opened, next_review_at=opened + dt.timedelta(days=life.cadence[grade]))
        walk = Walk(entry, state=S.LISTED)
        walk.events.append((A.OPEN.value, "", S.LISTED.value, officer, opened, reason, {"case": case.code}))
        life.tackle(walk, opened, officer)
        walks.append(walk)
        event = CaseEvent(case=case, seq=case.event_seq + 1, action="r_listed", from_state=case.status,
                          to_state=case.status, at=opened, actor_id=officer, actor_role=Role.RISK_OFFICER.value,
                          unit_id=officer_units.get(officer) if officer else None, audience=Audience.INTERNAL.value,
                          note=reason, data={"risk": entry.code, "grade": grade, "unit_name": unit.name},
                          prev_hash=case.event_head or GENESIS)
        event.hash = event_digest(event.prev_hash, event.chain_fields())
        case.event_seq, case.event_head, case.version = event.seq, event.hash, case.version + 1
        case_events.append(event)
        changed.append(case)
    _bulk(CaseEvent, case_events)
    Case.objects.bulk_update(changed, ["event_seq", "event_head", "version"], batch_size=1000)
    counts["risk.from_cases"] = len(walks)
    return walks


def _replay(w: Walk) -> None:
    """Put the steps in time order (measures, reviews and follow-ups were drawn apart) and derive each one's
    states from the state table, as the services would have recorded them."""
    first, rest = w.events[0], sorted(w.events[1:], key=lambda ev: ev[4])
    state = CREATED_IN[RAction(first[0])]
    out = [(first[0], "", state.value, *first[3:])]
    for action, _before, _after, actor, at, note, data in rest:
        after = next_state(state, RAction(action))
        out.append((action, state.value, after.value, actor, max(at, out[-1][4]), note, data))
        state = after
    w.events, w.state = out, state


def _write(walks: list[Walk], counts: Counter[str]) -> None:
    for w in walks:
        _replay(w)
        w.entry.status = w.state.value
        w.entry.version = max(0, len(w.events) - 1)
    entries = _bulk(RiskEntry, [w.entry for w in walks])
    ids = dict(RiskEntry.objects.filter(code__in=[e.code for e in entries]).values_list("code", "pk"))
    events = []
    for w in walks:
        pk = ids[w.entry.code]
        for seq, (action, before, after, actor, at, note, data) in enumerate(w.events, start=1):
            events.append(RiskEvent(entry_id=pk, seq=seq, action=action, from_state=before, to_state=after,
                                    actor_id=actor, at=at, note=note, data=data))
    _bulk(RiskEvent, events)
    now = clock.now()
    counts["risk.entries"] = len(walks)
    counts["risk.events"] = len(events)
    counts["risk.overdue"] = sum(1 for w in walks if w.entry.next_review_at is not None
                                 and w.state in (S.LISTED, S.TACKLING) and w.entry.next_review_at < now)
    counts.update(f"risk.state.{w.state.value}" for w in walks)


def wipe(say: Callable[[str], None]) -> None:
    """Delete this part's demo rows (runs first in the demo's wipe)."""
    for model in (RiskEvent, RiskEntry, Screening, CampaignEvent, Campaign):
        deleted = model.objects.all()._raw_delete(model.objects.db)
        say(f"  {model._meta.verbose_name_plural}: {deleted}")
