"""Roles, and how each one's reach is defined (by area, by unit, or by own cases)."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    CITIZEN = "citizen"
    GRID_WORKER = "grid_worker"
    OPERATOR = "operator"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    MEDIATOR = "mediator"
    JUDGE = "judge"
    RISK_OFFICER = "risk_officer"
    LEADER = "leader"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CITIZEN: _("群众"),
    Role.GRID_WORKER: _("网格员"),
    Role.OPERATOR: _("热线话务员"),
    Role.DISPATCHER: _("分拨员"),
    Role.HANDLER: _("部门承办人"),
    Role.MEDIATOR: _("调解员"),
    Role.JUDGE: _("法官"),
    Role.RISK_OFFICER: _("风险专员"),
    Role.LEADER: _("领导"),
    Role.ADMIN: _("系统管理员"),
}

ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]

# Roles whose reach is the area of their membership (a grid, a street, a district, the city).
AREA_ROLES = frozenset({Role.GRID_WORKER, Role.OPERATOR, Role.DISPATCHER, Role.RISK_OFFICER, Role.LEADER})
# Roles whose reach is what was assigned to their unit.
UNIT_ROLES = frozenset({Role.HANDLER, Role.MEDIATOR, Role.JUDGE})
# Roles that may see parties' personal data in full (after an audited reveal).
PII_ROLES = frozenset({Role.OPERATOR, Role.HANDLER, Role.MEDIATOR, Role.JUDGE, Role.ADMIN})
