"""Screening campaigns (排查): a campaign covers every grid of a district or street for a period, against a
checklist; each grid is screened once — 无风险, or one or more risks found, each a ``screened`` entry in that
grid through ``services.screen``.  Writes here (``create_campaign``, ``record``) run in one transaction and
write one ``CampaignEvent`` each; reads (``visible_campaigns``, ``access_campaign``, ``progress``) are scoped
to the actor."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.services._core import Acting, require_text
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock, ids
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fengqiao.kit.records import first_or
from fengqiao.risk import services
from fengqiao.risk.models import Campaign, CampaignEvent, ChecklistItem, Result, RiskEntry, Screening
from fengqiao.risk.states import Grade, RAction

# Who may start a campaign (in her area, or anywhere for an admin).
ORGANISERS = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.ADMIN})
CAMPAIGN_LEVELS = (Level.DISTRICT, Level.STREET)
MAX_FINDINGS = 10


@dataclass(frozen=True)
class Finding:
    """One risk a grid worker found: it becomes a ``screened`` entry in her grid."""

    title: str
    item: str
    grade: str = Grade.WATCH
    description: str = ""


# --- reads ----------------------------------------------------------------------------------------------

def _ancestor_codes(user: User) -> list[str]:
    """The codes of the areas above the user's own areas (a grid worker sees her street's campaigns)."""
    reach = scope.reach_of(user)
    area_ids = sorted(i for ids_ in reach.area_ids.values() for i in ids_)
    codes: set[str] = set()
    for path in Area.objects.filter(pk__in=area_ids).values_list("path", flat=True):
        codes.update(path.split("/"))
    return sorted(codes)


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns ``user`` may read: those in her area, and those covering it (admins: all)."""
    reach = scope.reach_of(user)
    if reach.everything:
        return Campaign.objects.all()
    if not reach.area_ids:
        return Campaign.objects.none()
    inside = Area.objects.filter(scope.area_filter(user)).values("pk")
    return Campaign.objects.filter(Q(area__in=inside) | Q(area__code__in=_ancestor_codes(user)))


def access_campaign(user: User, code: str, *, for_update: bool = False) -> Campaign:
    """The only permission-checked loader of a campaign, by its code, scoped to ``user``, locked if asked."""
    return first_or(visible_campaigns(user).select_related("area").filter(code=code),
                    NotFound(_("没有找到编号为 %(code)s 的排查活动，或您无权查看。") % {"code": code}),
                    for_update=for_update)


def campaign_grids(campaign: Campaign) -> QuerySet[Area]:
    """Every grid the campaign covers."""
    return Area.objects.filter(level=Level.GRID, path__startswith=f"{campaign.area.path}/")


def my_grids(user: User, campaign: Campaign) -> QuerySet[Area]:
    """The campaign's grids ``user`` may screen (her own grids; an area role's grids; all for an admin)."""
    return campaign_grids(campaign).filter(scope.area_filter(user))


def status_of(campaign: Campaign, today: dt.date | None = None) -> str:
    today = today or clock.today()
    if today < campaign.starts_on:
        return "upcoming"
    return "ended" if today > campaign.ends_on else "open"


@dataclass
class Tally:
    area_id: int
    name: str
    screened: int = 0
    total: int = 0
    found: int = 0
    parent_id: int | None = None

    @property
    def percent(self) -> float:
        return 100.0 * self.screened / self.total if self.total else 0.0


@dataclass
class Progress:
    """A campaign's progress: screened grids over all grids, by street and community, and the grids not
    screened yet (with their grid workers, so nobody is left out silently)."""

    screened: int
    total: int
    found: int
    clear: int
    streets: list[Tally]
    communities: list[Tally]
    unscreened: list[dict[str, Any]] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.screened / self.total if self.total else 0.0


def progress(campaign: Campaign) -> Progress:
    grids = list(campaign_grids(campaign).values_list("pk", "name", "parent_id", "parent__name", "parent__parent_id",
                                                      "parent__parent__name").order_by("path"))
    done = {g: (r, n) for g, r, n in Screening.objects.filter(campaign=campaign)
            .values_list("grid_id", "result", "found")}
    streets: dict[int, Tally] = {}
    communities: dict[int, Tally] = {}
    unscreened: list[dict[str, Any]] = []
    for pk, name, community_id, community_name, street_id, street_name in grids:
        assert community_id is not None  # a grid's parent is a community, its parent a street
        assert street_id is not None
        s = streets.setdefault(street_id, Tally(street_id, street_name))
        c = communities.setdefault(community_id, Tally(community_id, community_name, parent_id=street_id))
        s.total += 1
        c.total += 1
        if pk in done:
            s.screened += 1
            c.screened += 1
            s.found += done[pk][1]
            c.found += done[pk][1]
        else:
            unscreened.append({"grid_id": pk, "grid": name, "community": community_name, "street": street_name})
    workers: dict[int, list[str]] = defaultdict(list)
    missing: list[int] = [u["grid_id"] for u in unscreened]
    area_id: Any
    for area_id, display, username in (Membership.objects.filter(role=Role.GRID_WORKER, area_id__in=missing)
                                       .values_list("area_id", "user__display_name", "user__username")):
        workers[area_id].append(display or username)
    for u in unscreened:
        u["workers"] = workers.get(u["grid_id"], [])
    results = [r for r, _n in done.values()]
    return Progress(screened=len(done), total=len(grids), found=sum(n for _r, n in done.values()),
                    clear=results.count(Result.CLEAR), streets=list(streets.values()),
                    communities=list(communities.values()), unscreened=unscreened)


# --- writes ---------------------------------------------------------------------------------------------

def _organiser(user: User) -> Acting:
    if Role.ADMIN in user.role_set():
        return Acting(user, Role.ADMIN, None)
    membership = user.memberships.filter(role__in=[r.value for r in ORGANISERS], area__isnull=False).first()
    if membership is None:
        raise PermissionDenied(_("只有风险专员、领导和管理员可以发起排查活动。"))
    return Acting(user, Role(membership.role), membership.unit)


def _event(campaign: Campaign, action: str, acting: Acting, now: dt.datetime, *, grid: Area | None = None,
           note: str = "", data: dict[str, Any] | None = None) -> CampaignEvent:
    return CampaignEvent.append(campaign, action=action, grid=grid, actor=acting.user, at=now, note=note, data=data)


@transaction.atomic
def create_campaign(user: User, *, title: str, area_id: int | None, starts_on: dt.date | None,
                    ends_on: dt.date | None, item_codes: list[str], note: str = "") -> Campaign:
    """发起排查: a campaign over every grid of a district or street of the actor's, with its checklist."""
    acting = _organiser(user)
    title = require_text(title, "title", _("活动名称"), max_length=200)
    errors: dict[str, str] = {}
    area = (Area.objects.filter(scope.area_filter(user), pk=area_id, level__in=CAMPAIGN_LEVELS).first()
            if area_id is not None else None)
    if area is None:
        errors["area_id"] = _("请选择您辖区内的区县或镇街")
    if starts_on is None:
        errors["starts_on"] = _("请填写开始日期")
    if ends_on is None:
        errors["ends_on"] = _("请填写结束日期")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期")
    chosen = list(ChecklistItem.objects.filter(active=True, code__in=item_codes or []).values("code", "name"))
    if not chosen:
        errors["item_codes"] = _("请至少选择一个排查事项")
    unknown = sorted(set(item_codes or []) - {c["code"] for c in chosen})
    if unknown:
        errors["item_codes"] = _("没有这些排查事项：%(codes)s") % {"codes": "、".join(unknown)}
    if errors:
        raise ValidationFailed(_("排查活动有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    assert area is not None
    assert starts_on is not None
    assert ends_on is not None
    now = clock.now()
    campaign = Campaign(code=f"PC{clock.localtime(now):%y%m%d}-{ids.random_part(4)}", title=title, area=area,
                        starts_on=starts_on, ends_on=ends_on, items=chosen, note=(note or "").strip(),
                        created_by=user, created_at=now)
    campaign.grid_count = campaign_grids(campaign).count()
    campaign.save()
    _event(campaign, "create", acting, now, data={"area": area.name, "grids": campaign.grid_count,
                                                  "items": [c["code"] for c in chosen]})
    return campaign


@transaction.atomic
def record(user: User, campaign_code: str, grid_id: int, *, result: str, items_checked: list[str],
           findings: list[Finding] | None = None, note: str = "") -> Screening:
    """A grid screened: 无风险, or the risks found (each a ``screened`` entry in the grid).  Every checklist
    item must be confirmed; a grid is screened once per campaign; only while the campaign is open."""
    campaign = access_campaign(user, campaign_code, for_update=True)  # serialises the campaign's events
    acting = services.authorize(user, None, RAction.SCREEN)
    grid = my_grids(user, campaign).select_related("parent").filter(pk=grid_id).first()
    if grid is None:
        raise NotFound(_("这个网格不在本次排查范围内，或不是您负责的网格。"))
    state = status_of(campaign)
    if state == "upcoming":
        raise Conflict(_("排查活动 %(from)s 才开始。") % {"from": campaign.starts_on.isoformat()})
    if state == "ended":
        raise Conflict(_("排查活动已于 %(to)s 结束，不能再登记。") % {"to": campaign.ends_on.isoformat()})
    done = Screening.objects.filter(campaign=campaign, grid=grid).select_related("screened_by").first()
    if done is not None:
        raise Conflict(_("%(grid)s 已于 %(at)s 由 %(who)s 完成排查。") % {
            "grid": grid.name, "at": f"{clock.localtime(done.screened_at):%Y-%m-%d %H:%M}",
            "who": done.screened_by or _("系统")})
    findings = list(findings or [])
    codes = [i["code"] for i in campaign.items]
    names = {i["code"]: i["name"] for i in campaign.items}
    errors: dict[str, str] = {}
    missing = [names[c] for c in codes if c not in set(items_checked or [])]
    if missing:
        errors["items_checked"] = _("还有排查事项未确认：%(items)s") % {"items": "、".join(missing)}
    if result not in Result.values:
        errors["result"] = _("请选择排查结果")
    elif result == Result.CLEAR and findings:
        errors["result"] = _("选择「无风险」时不能同时登记风险")
    elif result == Result.FOUND and not findings:
        errors["findings"] = _("请至少登记一条发现的风险")
    if len(findings) > MAX_FINDINGS:
        errors["findings"] = _("一次最多登记 %(n)s 条风险") % {"n": MAX_FINDINGS}
    for i, finding in enumerate(findings):
        if finding.item not in names:
            errors[f"finding_{i}_item"] = _("第 %(n)s 条风险：请选择所属排查事项") % {"n": i + 1}
    if errors:
        raise ValidationFailed(_("排查登记有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    entries: list[RiskEntry] = []
    for i, finding in enumerate(findings):
        try:
            entries.append(services.screen(user, title=finding.title, description=finding.description,
                                           area_id=grid.pk, grade=finding.grade, campaign_id=campaign.pk,
                                           checklist_item=finding.item))
        except ValidationFailed as e:  # name the finding the error is about
            raise ValidationFailed(_("第 %(n)s 条风险：%(m)s") % {"n": i + 1, "m": e.message},
                                   fields={f"finding_{i}_{k}": v for k, v in e.fields.items()}) from None
    now = clock.now()
    community = grid.parent
    screening = Screening.objects.create(
        campaign=campaign, grid=grid, community=community, street=community.parent if community else None,
        result=result, items_checked=codes, found=len(entries), note=(note or "").strip(), screened_by=user,
        screened_at=now)
    _event(campaign, "screen", acting, now, grid=grid, note=screening.note,
           data={"result": result, "entries": [e.code for e in entries]})
    return screening
