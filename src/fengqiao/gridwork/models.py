"""Grid work (网格工作): each grid's team, its patrol plan (the places to visit and how often), the visits
grid workers log from their phones, and campaigns (排查, 律师进企业, 检察官进校园) as dated, targeted sets of
visits.  Coverage is computed from these (gridwork/coverage.py); nothing here is a case until a visit
raises one through the grid-patrol channel (``Visit.case``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.kit import clock
from fengqiao.kit.pii import EncryptedTextField


class TeamRole(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    POLICE = "police", _("民警")
    JUDGE = "judge", _("法官")
    PROSECUTOR = "prosecutor", _("检察官")
    LAWYER = "lawyer", _("律师")
    MEDIATOR = "mediator", _("调解员")


# 三官一律: the officers every grid must be able to reach, besides its grid worker
OFFICER_ROLES = (TeamRole.POLICE, TeamRole.JUDGE, TeamRole.PROSECUTOR, TeamRole.LAWYER)


class TeamMember(models.Model):
    """One person on a grid's team.  Officers often serve several grids (a police officer per community,
    a judge per street); each grid lists them.  ``user`` is set when the person has an account here;
    ``unit`` is where the person works (a police station, a court, a law firm's mediation office …) and is
    what routing dispatches to."""

    grid = models.ForeignKey("jurisdictions.Area", verbose_name=_("grid"), on_delete=models.CASCADE,
                             related_name="team", limit_choices_to={"level": "grid"})
    role = models.CharField(_("role"), max_length=12, choices=TeamRole.choices)
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedTextField(_("phone"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="grid_teams")
    unit = models.ForeignKey("jurisdictions.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid team member")
        verbose_name_plural = _("grid team members")
        indexes = [models.Index(fields=["grid", "role"], name="team_grid_role")]
        constraints = [models.UniqueConstraint(fields=["grid", "role", "name"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class PlaceKind(models.TextChoices):
    HOUSEHOLD = "household", _("重点户")
    SHOP = "shop", _("沿街商铺")
    RENTAL = "rental", _("出租房")
    SCHOOL = "school", _("学校")
    COMPANY = "company", _("企业")
    KEY_PLACE = "key_place", _("重点场所")


def household_label(name: str) -> str:
    """What a household (重点户) is called where its people need not be known: the first character and two
    stars, whatever the length ("王某某家（独居老人）" → "王**")."""
    name = name.strip()
    return f"{name[0]}**" if name else ""


def household_address_mask(address: str) -> str:
    """A household's address where its people need not be known: the district and stars ("海陵区****"); the
    parties' mask (pii.mask_address) keeps the road, which for a household points at the door."""
    address = address.strip()
    return f"{address[:3]}****" if address else ""


class PlaceManager(models.Manager["Place"]):
    """Seals households on ``bulk_create`` as ``save()`` does (Place.seal)."""

    def bulk_create(self, objs: Iterable[Place], batch_size: int | None = None, ignore_conflicts: bool = False,
                    update_conflicts: bool = False, update_fields: Collection[str] | None = None,
                    unique_fields: Collection[str] | None = None) -> list[Place]:
        places = list(objs)
        for place in places:
            place.seal()
        return super().bulk_create(places, batch_size=batch_size, ignore_conflicts=ignore_conflicts,
                                   update_conflicts=update_conflicts, update_fields=update_fields,
                                   unique_fields=unique_fields)


class Place(models.Model):
    """A place on a grid's patrol plan, visited every ``every_days`` days.

    A household's (重点户) name and address are a person's: they are kept encrypted in ``household_name`` and
    ``household_address``, and ``name``/``address`` hold masks (``household_label``, ``household_address_mask``)
    that every page, the admin and coverage's SQL read by default.  Writing a plain value into ``name`` or
    ``address`` of a household seals it on ``save()`` and ``bulk_create()``; rows inserted otherwise (raw SQL,
    ``update()``) are sealed by ``gridwork.households.seal_households()`` (docs/gridwork/patrol.md)."""

    grid = models.ForeignKey("jurisdictions.Area", verbose_name=_("grid"), on_delete=models.PROTECT,
                             related_name="places", limit_choices_to={"level": "grid"})
    kind = models.CharField(_("kind"), max_length=12, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    household_name = EncryptedTextField(_("household's name (encrypted)"), blank=True)
    household_address = EncryptedTextField(_("household's address (encrypted)"), blank=True)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=30)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    objects = PlaceManager()

    class Meta:
        verbose_name = _("patrol place")
        verbose_name_plural = _("patrol places")
        indexes = [models.Index(fields=["grid", "active"], name="place_grid_active")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.seal()
        super().save(*args, **kwargs)

    def seal(self) -> None:
        """A household's plain name and address move to the encrypted fields, masks take their place; a
        place that is no longer a household gets its name and address back in plain text."""
        if self.kind != PlaceKind.HOUSEHOLD:
            if self.household_name and self.name == household_label(self.household_name):
                self.name = self.household_name
            if self.household_address and self.address == household_address_mask(self.household_address):
                self.address = self.household_address
            self.household_name = self.household_address = ""
            return
        if not self.household_name or self.name != household_label(self.household_name):
            self.household_name, self.name = self.name.strip(), household_label(self.name)
        if not self.address:
            self.household_address = ""
        elif not self.household_address or self.address != household_address_mask(self.household_address):
            self.household_address, self.address = self.address.strip(), household_address_mask(self.address)

    @property
    def is_household(self) -> bool:
        return self.kind == PlaceKind.HOUSEHOLD

    def shown_name(self, full: bool) -> str:
        """The name in full (``full``: a reader who needs a household's), or as everyone else sees it."""
        if full or not self.is_household:
            return self.household_name or self.name
        return self.name if self.household_name else household_label(self.name)

    def shown_address(self, full: bool) -> str:
        if full or not self.is_household:
            return self.household_address or self.address
        return self.address if self.household_address else household_address_mask(self.address)


class Finding(models.TextChoices):
    NORMAL = "normal", _("正常")
    ISSUE = "issue", _("发现问题")
    ABSENT = "absent", _("未遇到人")


class LocatedBy(models.TextChoices):
    GPS = "gps", _("GPS 定位")
    PLACE = "place", _("走访点位置（未获得定位）")


class Campaign(models.Model):
    """A dated drive over some kinds of places in an area (排查, 律师进企业, 检察官进校园): its own coverage is
    the share of its target places visited for it between its dates."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey("jurisdictions.Area", verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="+")
    place_kinds = models.JSONField(_("place kinds"), default=list, blank=True)  # empty: every kind
    team_role = models.CharField(_("visited by"), max_length=12, choices=TeamRole.choices,
                                 default=TeamRole.GRID_WORKER)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="campaign_dates_ordered")]

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """One visit, logged from a phone.  ``client_id`` is generated on the phone: a replayed upload finds the
    visit it already made.  ``observed_at`` is the phone's clock, ``received_at`` the server's."""

    client_id = models.UUIDField(_("client id"), unique=True)
    grid = models.ForeignKey("jurisdictions.Area", verbose_name=_("grid"), on_delete=models.PROTECT,
                             related_name="+")
    place = models.ForeignKey(Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="visits")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="visits")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT,
                               related_name="+")
    team_role = models.CharField(_("as"), max_length=12, choices=TeamRole.choices, default=TeamRole.GRID_WORKER)
    observed_at = models.DateTimeField(_("observed (phone)"))
    received_at = models.DateTimeField(_("received (server)"))
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("GPS accuracy (m)"), null=True, blank=True)
    # where the point came from: the phone's GPS, or the place's own point when the phone had no fix (refused)
    located_by = models.CharField(_("located by"), max_length=8, choices=LocatedBy.choices, default=LocatedBy.GPS)
    # metres between the point and the place's point when the visit was logged (None: no place); a GPS point
    # far from the place, or in another grid, is kept and flagged by this, not refused (docs/gridwork/patrol.md)
    distance_m = models.FloatField(_("distance from the place (m)"), null=True, blank=True)
    finding = models.CharField(_("finding"), max_length=8, choices=Finding.choices, default=Finding.NORMAL)
    note = models.TextField(_("note"), blank=True)
    case = models.ForeignKey("cases.Case", verbose_name=_("case raised"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["grid", "observed_at"], name="visit_grid_time"),
            models.Index(fields=["place", "observed_at"], name="visit_place_time"),
            models.Index(fields=["campaign", "place"], name="visit_campaign_place"),
        ]

    def __str__(self) -> str:
        return f"{self.observed_at:%Y-%m-%d %H:%M} {self.get_finding_display()}"


def photo_path(instance: VisitPhoto, filename: str) -> str:
    # the month of the city's calendar (a visit at 00:30 on 1 December is December's, not November's in UTC)
    return f"visits/{clock.localtime(instance.visit.observed_at):%Y/%m}/{instance.visit.client_id}/{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "sha256"], name="visit_photo_once")]

    def __str__(self) -> str:
        return self.file.name or ""
