"""The citizen app's own rows: one-time phone codes (a phone is verified instead of an account) and the
transparency dimensions of a mediation's public page (阳光调解), which administrators rename, reorder
and hide (DESIGN rule 5: transparency fields are data)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Purpose(models.TextChoices):
    SIGN_IN = "sign_in", _("验证手机号")
    JOINT = "joint", _("共同申请司法确认")


class PhoneCode(models.Model):
    """A six-digit code sent by SMS, stored only as a keyed hash (the plain code exists in the SMS and,
    until it is sent, in the outbox).  ``subject`` names what a code is for beyond signing in (the dispute
    code of a joint application for judicial confirmation)."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.SIGN_IN)
    subject = models.CharField(max_length=24, blank=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        indexes = [models.Index(fields=["phone_hash", "created_at"], name="phonecode_phone_created")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"




class Dimension(models.TextChoices):
    ORGANISATION = "organisation", pgettext_lazy("transparency dimension", "组织")
    PERSONNEL = "personnel", pgettext_lazy("transparency dimension", "人员")
    DUTIES = "duties", pgettext_lazy("transparency dimension", "职责")
    DEMAND = "demand", pgettext_lazy("transparency dimension", "诉求")
    LEGAL_BASIS = "legal_basis", pgettext_lazy("transparency dimension", "依据")
    CONSULTATION = "consultation", pgettext_lazy("transparency dimension", "征询")
    PROCESS = "process", pgettext_lazy("transparency dimension", "过程")
    RESULT = "result", pgettext_lazy("transparency dimension", "结果")


class TransparencyDimension(models.Model):
    """One of the eight dimensions of 阳光调解 on the tracking page: what it is called, what it says it
    shows, where it stands, whether it is shown.  What each dimension holds is the mediation's data."""

    key = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices, unique=True)
    label = models.CharField(_("label"), max_length=20)
    description = models.CharField(_("description"), max_length=200, blank=True,
                                   help_text=_("在群众端该栏目标题下显示的一句说明。"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    visible = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("transparency dimension")
        verbose_name_plural = _("transparency dimensions")

    def __str__(self) -> str:
        return self.label
