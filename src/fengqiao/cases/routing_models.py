"""Routing as data (DESIGN rule 5; docs/routing.md): routing rules (category × area → units), each
district's fallback unit (兜底), disputes of a dispatch (申辩) and the flow list between the grid and the
hotline platforms (流转清单).  Imported by ``cases.models`` so that they belong to the cases app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, Category, Channel


class RoutingRule(models.Model):
    """Matters of ``category`` (and its sub-categories) located in ``area`` (and under it) go to
    ``lead_unit``, assisted by ``assisting_units``.  The most specific category wins, then the most
    specific area."""

    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.CASCADE,
                                 related_name="routing_rules")
    area = models.ForeignKey("jurisdictions.Area", verbose_name=_("area"), on_delete=models.CASCADE,
                             related_name="routing_rules")
    lead_unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT,
                                  related_name="lead_rules")
    assisting_units = models.ManyToManyField("jurisdictions.Unit", verbose_name=_("assisting units"),
                                             blank=True, related_name="assisting_rules")
    auto_dispatch = models.BooleanField(
        _("auto-dispatch"), default=False,
        help_text=_("登记后按本规则自动交办（经分拨服务，记录事件并计算期限）"))
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [models.UniqueConstraint(fields=["category", "area"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category} × {self.area} → {self.lead_unit}"


class RoutingFallback(models.Model):
    """兜底单位: the unit that takes a district's matters when no rule and no confident suggestion does."""

    district = models.OneToOneField("jurisdictions.Area", verbose_name=_("district"), on_delete=models.CASCADE,
                                    related_name="routing_fallback")
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("fallback unit"), on_delete=models.PROTECT,
                             related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fallback unit")
        verbose_name_plural = _("fallback units")

    def __str__(self) -> str:
        return f"{self.district} → {self.unit}"


class DisputeStatus(models.TextChoices):
    PENDING = "pending", _("待裁定")
    DISMISSED = "dismissed", _("申辩不成立")
    ACCEPTED = "accepted", _("申辩成立，已改派")


class Dispute(models.Model):
    """申辩: the lead unit says a dispatch is not its duty; the dispatcher upholds it or re-dispatches."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disputes")
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    reason = models.TextField(_("reason"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised"))
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices,
                              default=DisputeStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    redispatched_to = models.ForeignKey("jurisdictions.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    proposed_rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        indexes = [models.Index(fields=["status", "raised_at"], name="dispute_status_raised")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.unit_id} ({self.status})"


class FlowDirection(models.TextChoices):
    GRID_TO_HOTLINE = "grid_to_hotline", _("网格 → 热线平台")
    HOTLINE_TO_GRID = "hotline_to_grid", _("热线 → 网格")


# The channels each platform registers, when a flow rule names none.
SOURCE_CHANNELS = {
    FlowDirection.GRID_TO_HOTLINE: [Channel.GRID_PATROL.value],
    FlowDirection.HOTLINE_TO_GRID: [Channel.HOTLINE_12345.value, Channel.MINI_PROGRAM.value,
                                    Channel.MESSAGE_BOARD.value],
}


class FlowRule(models.Model):
    """流转清单: which grid events go to the hotline side and which hotline items go to grid workers.

    Grid → hotline: the case waits in the dispatch queue of ``target_unit`` (the 12345 centre).
    Hotline → grid: the case is dispatched to ``target_unit`` if given, else the street office of the
    case's street, with the grid worker(s) of the case's grid named on it.
    """

    direction = models.CharField(_("direction"), max_length=16, choices=FlowDirection.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="flow_rules",
                                 help_text=_("空 = 所有分类；上级分类包含其下级"))
    channels = models.JSONField(_("channels"), default=list, blank=True,
                                help_text=_("空 = 该平台的默认渠道"))
    urgencies = models.JSONField(_("urgencies"), default=list, blank=True, help_text=_("空 = 任何紧急程度"))
    target_unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("target unit"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("flow rule")
        verbose_name_plural = _("flow rules")

    def __str__(self) -> str:
        return f"{self.get_direction_display()} · {self.category or _('全部分类')}"

    def source_channels(self) -> list[str]:
        return list(self.channels) or SOURCE_CHANNELS[FlowDirection(self.direction)]

    def matches_urgency(self, urgency: str) -> bool:
        return not self.urgencies or urgency in self.urgencies


class CaseFlow(models.Model):
    """Where a flow rule sent a case when it was registered (one row per case that matched a rule)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="flow")
    rule = models.ForeignKey(FlowRule, null=True, on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=16, choices=FlowDirection.choices)
    queue_unit = models.ForeignKey("jurisdictions.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    grid_worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["queue_unit", "direction"], name="case_flow_queue")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.direction}"


__all__ = ["CaseFlow", "Dispute", "DisputeStatus", "FlowDirection", "FlowRule", "RoutingFallback", "RoutingRule"]
