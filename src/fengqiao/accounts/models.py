from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.roles import ROLE_CHOICES, Role
from fengqiao.kit.pii import EncryptedTextField


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def role_set(self) -> frozenset[Role]:
        cached: frozenset[Role] | None = getattr(self, "_role_set", None)
        if cached is None:
            cached = frozenset(Role(r) for r in self.memberships.values_list("role", flat=True))
            if self.is_superuser:
                cached = cached | {Role.ADMIN}
            self._role_set = cached
        return cached

    def memberships_with_units(self) -> list[Membership]:
        """The user's memberships with their units, read once per user object (a request's ``request.user``),
        as ``role_set`` and ``scope.reach_of`` are: a page asking "may she do X?" for a dozen actions asked
        the database a dozen times."""
        cached: list[Membership] | None = getattr(self, "_memberships_with_units", None)
        if cached is None:
            cached = list(self.memberships.select_related("unit").order_by("pk"))
            self._memberships_with_units = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set() & set(roles))


class Membership(models.Model):
    """A user's role in a unit and/or an area.  Area roles need an area; unit roles need a unit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES, db_index=True)
    unit = models.ForeignKey(
        "jurisdictions.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="memberships",
    )
    area = models.ForeignKey(
        "jurisdictions.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit", "area"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit or self.area or ''}"


class AccountEvent(models.Model):
    """A change to a user's sign-in security (two-factor enrolment, a recovery code used, devices reset by an
    administrator): who, by whom, when, from where.  Append-only; the admin shows it read-only."""

    class Action(models.TextChoices):
        ENROLLED = "2fa_enrolled", _("启用两步验证")
        RECOVERY_USED = "2fa_recovery", _("使用恢复码")
        RESET = "2fa_reset", _("管理员重置两步验证")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="account_events")
    actor = models.ForeignKey(User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("账户事件")
        verbose_name_plural = _("账户事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action}"
