"""The checks of an officer's campaign visit (record_visit's officer path): she is on the place's grid team,
in the campaign's team role, the campaign runs on the day of the visit, and the place is one of its targets.
Each refusal names the field: ``place_id`` (no place, not on the team), ``campaign_id`` (the rest)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.gridwork.models import Campaign, Place, TeamRole
from fengqiao.gridwork.patrol_officers import roles_on
from fengqiao.gridwork.patrol_reads import in_paths
from fengqiao.kit import clock
from fengqiao.kit.errors import PermissionDenied, ValidationFailed


def load_campaign(campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    campaign = Campaign.objects.select_related("area").filter(pk=campaign_id).first()
    if campaign is None:
        reason = _("专项行动不存在")
        raise ValidationFailed(_("专项行动有误：%(reason)s。") % {"reason": reason}, fields={"campaign_id": reason})
    return campaign


def refuse(reason: str) -> ValidationFailed:
    return ValidationFailed(_("专项行动有误：%(reason)s。") % {"reason": reason}, fields={"campaign_id": reason})


def check_team(user: User, place: Place | None, campaign: Campaign, worker_paths: list[str]) -> None:
    """403 unless the user is on the place's grid team in the campaign's team role (``worker_paths``: her
    grid-worker areas, which make her the grid's grid worker with or without a team card)."""
    if place is None:
        raise ValidationFailed(_("专项行动的走访须选择走访点。"), fields={"place_id": _("专项行动的走访须选择走访点")})
    roles = roles_on(user, place.grid)
    if in_paths(place.grid, worker_paths) and TeamRole.GRID_WORKER not in roles:
        roles = sorted([*roles, TeamRole.GRID_WORKER.value])
    labels = dict(TeamRole.choices)
    wanted = str(labels.get(campaign.team_role, campaign.team_role))
    if not roles:
        message = _("您不在%(grid)s的网格团队中，不能走访「%(place)s」。")
        raise PermissionDenied(message % {"grid": place.grid.name, "place": place.shown_name(False)},
                               fields={"place_id": _("您不在该网格的团队中")})
    if campaign.team_role not in roles:
        held = "、".join(str(labels.get(r, r)) for r in roles)
        message = _("「%(campaign)s」由%(wanted)s走访，您在%(grid)s的网格团队中是%(held)s。")
        raise PermissionDenied(
            message % {"campaign": campaign.name, "wanted": wanted, "grid": place.grid.name, "held": held},
            fields={"campaign_id": _("该专项行动由%(role)s走访") % {"role": wanted}})


def check_target(campaign: Campaign, place: Place, observed_at: dt.datetime) -> None:
    """400 unless the campaign runs on the visit's day (the phone's clock) and the place is one of its targets."""
    day = clock.localtime(observed_at).date()
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise refuse(_("走访日期不在专项行动期间"))
    if not in_paths(place.grid, [campaign.area.path]):
        raise refuse(_("该网格不在专项行动范围内"))
    if campaign.place_kinds and place.kind not in campaign.place_kinds:
        raise refuse(_("该类走访点不在专项行动对象内"))
