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
