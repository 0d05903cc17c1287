"""The demo's campaigns (专项行动) and their visits: the city-wide 排查 of households and rental houses in
the three weeks before the Spring Festival, by grid workers; 律师进企业 in 高港区, the communities' lawyers
visiting companies; 检察官进校园 in 姜堰区, the streets' prosecutors visiting schools."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from fengqiao.accounts.models import User
from fengqiao.demo.grid_teams import LAWYER_DISTRICT, PROSECUTOR_DISTRICT, Teams
from fengqiao.demo.patrols import Calendar, Profile, VisitWriter, local_time, received
from fengqiao.demo.places import PlannedPlace
from fengqiao.gridwork.models import Campaign, Finding, PlaceKind, TeamRole
from fengqiao.jurisdictions.models import Area

# 春节 (the first day of the lunar year)
SPRING_FESTIVALS = [dt.date(2024, 2, 10), dt.date(2025, 1, 29), dt.date(2026, 2, 17), dt.date(2027, 2, 6),
                    dt.date(2028, 1, 26), dt.date(2029, 2, 13), dt.date(2030, 2, 3), dt.date(2031, 1, 23)]
SCREENING_NOTES = ["排查矛盾纠纷：未发现隐患", "了解春节返乡人员情况，无异常", "核实家庭成员近况，无矛盾纠纷"]
SCREENING_ISSUES = ["排查出租房安全隐患，已提醒房东整改", "排查发现邻里纠纷苗头，已劝导化解"]  # 8 % of the visits
LAWYER_NOTES = ["法治体检：审查劳动合同文本，提示试用期约定风险", "法治体检：讲解用工风险防范",
                "为企业解答合同纠纷咨询", "法治体检：提示安全生产法律责任"]
PROSECUTOR_NOTES = ["开展预防校园欺凌法治讲座", "为师生讲解未成年人保护法", "法治副校长进校园授课",
                    "开展防范电信网络诈骗宣传"]


@dataclass(frozen=True)
class Plan:
    name: str
    area: Area
    kinds: tuple[str, ...]
    role: str
    starts: dt.date
    ends: dt.date
    description: str
    by: str  # the username of the leader who set it up


def plans(areas: dict[str, Area], today: dt.date, year_start: dt.date) -> list[Plan]:
    out = []
    festival = next((f for f in reversed(SPRING_FESTIVALS)
                     if year_start <= f - dt.timedelta(days=23) and f - dt.timedelta(days=3) < today), None)
    start = festival - dt.timedelta(days=23) if festival else year_start + dt.timedelta(days=30)
    year = festival.year if festival else start.year
    out.append(Plan(f"{year}年春节前矛盾纠纷大排查", areas["3212"], (PlaceKind.HOUSEHOLD, PlaceKind.RENTAL),
                    TeamRole.GRID_WORKER, start, start + dt.timedelta(days=20),
                    "节前三周，网格员逐户走访重点户和出租房，排查矛盾纠纷和安全隐患，做到底数清、情况明。", "leader"))
    monday = today - dt.timedelta(days=210)
    monday -= dt.timedelta(days=monday.weekday())
    out.append(Plan(f"律师进企业·{areas[LAWYER_DISTRICT].name}“法治体检”", areas[LAWYER_DISTRICT], (PlaceKind.COMPANY,),
                    TeamRole.LAWYER, monday, monday + dt.timedelta(days=55),
                    "社区法律顾问走进辖区企业，开展合同、用工、安全生产等法治体检。", "leader_gaogang"))
    autumn = dt.date(today.year, 9, 1)
    if not (year_start <= autumn and autumn + dt.timedelta(days=27) < today):
        autumn = dt.date(today.year - 1, 9, 1)
    if autumn < year_start:
        autumn = today - dt.timedelta(days=100)
    out.append(Plan(f"检察官进校园·{areas[PROSECUTOR_DISTRICT].name}法治宣讲", areas[PROSECUTOR_DISTRICT],
                    (PlaceKind.SCHOOL,), TeamRole.PROSECUTOR, autumn, autumn + dt.timedelta(days=27),
                    "镇街检察官到辖区中小学、幼儿园开展法治宣讲，预防未成年人违法犯罪。", "leader_jiangyan"))
    return out


def create_campaigns(areas: dict[str, Area], today: dt.date, year_start: dt.date,
                     now: dt.datetime) -> list[tuple[Campaign, Plan]]:
    users = dict(User.objects.filter(username__in=["leader", "leader_gaogang", "leader_jiangyan"])
                 .values_list("username", "pk"))
    out = []
    for plan in plans(areas, today, year_start):
        campaign = Campaign.objects.create(
            name=plan.name, area=plan.area, place_kinds=list(plan.kinds), team_role=plan.role,
            starts_on=plan.starts, ends_on=plan.ends, description=plan.description, created_by_id=users[plan.by],
            created_at=now - dt.timedelta(days=(today - plan.starts).days + 7))
        out.append((campaign, plan))
    return out


def visit_days(cal: Calendar, plan: Plan) -> list[int]:
    first = (plan.starts - cal.first).days
    return [d for d in range(max(0, first), min(len(cal.workday) - 1, first + (plan.ends - plan.starts).days + 1))
            if cal.workday[d]]


def campaign_visits(campaigns: list[tuple[Campaign, Plan]], places: list[tuple[int, PlannedPlace]],
                    profiles: dict[int, Profile], teams: Teams, cal: Calendar, now: float, rng: random.Random,
                    writer: VisitWriter) -> dict[int, list[float]]:
    """Every campaign's visits; returns the grid workers' campaign visits by place (they reset its plan)."""
    resets: dict[int, list[float]] = {}
    for campaign, plan in campaigns:
        days = visit_days(cal, plan)
        if not days:
            continue
        for place_id, place in places:
            grid = place.grid
            if place.kind not in plan.kinds or not grid.code.startswith(plan.area.code) or \
                    place.created_at.date() > plan.starts:
                continue
            prof = profiles[grid.id]
            if plan.role == TeamRole.GRID_WORKER:
                worker, chance, notes = teams.workers.get(grid.id), min(0.99, prof.diligence + 0.1), SCREENING_NOTES
            elif plan.role == TeamRole.LAWYER:
                lawyer = teams.lawyers.get(grid.id)
                worker, chance, notes = (lawyer.user_id if lawyer else None), 0.85, LAWYER_NOTES
            else:
                prosecutor = teams.prosecutors.get(grid.id)
                worker, chance, notes = (prosecutor.user_id if prosecutor else None), 0.9, PROSECUTOR_NOTES
            if worker is None or rng.random() > chance:
                continue
            at = local_time(cal, rng.choice(days), rng)
            if at >= now or (plan.role == TeamRole.GRID_WORKER and prof.absent(at)):
                continue
            finding = Finding.NORMAL
            note = rng.choice(notes)
            if plan.role == TeamRole.GRID_WORKER and rng.random() < 0.08:
                finding, note = Finding.ISSUE, rng.choice(SCREENING_ISSUES)
            writer.add(grid=grid.id, worker=worker, observed=at, received=received(at, prof, now, rng),
                       place_id=place_id, point=None, place=place, finding=finding, note=note, role=plan.role,
                       campaign=campaign.pk)
            if plan.role == TeamRole.GRID_WORKER:
                resets.setdefault(place_id, []).append(at)
    return resets

