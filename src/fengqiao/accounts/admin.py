"""Administrator's screens for users and their memberships (a role in a unit and/or an area)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts import two_factor
from fengqiao.accounts.models import AccountEvent, Membership, User
from fengqiao.accounts.roles import AREA_ROLES, UNIT_ROLES, Role
from fengqiao.audit.services import record_personal_data_view
from fengqiao.kit.pii import mask_phone

_PHONE_WIDGET = forms.TextInput(attrs={"autocomplete": "off", "size": 20})


def membership_problems(role: str | None, unit: Any, area: Any) -> dict[str, str]:
    """Area roles need an area, unit roles a unit (see jurisdictions.scope)."""
    if not role:
        return {}
    problems: dict[str, str] = {}
    if Role(role) == Role.LEADER and area is None and unit is None:
        # an area's leader (区县、镇街领导) or a unit's (局长、主任, the reviewer of its replies)
        problems["area"] = str(_("领导须选择所领导的区域或单位"))
    elif Role(role) in AREA_ROLES and Role(role) != Role.LEADER and area is None:
        problems["area"] = str(_("该角色按区域授权，须选择区域"))
    if Role(role) in UNIT_ROLES and unit is None:
        problems["unit"] = str(_("该角色按单位授权，须选择单位"))
    return problems


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "unit", "area"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, message in membership_problems(data.get("role"), data.get("unit"), data.get("area")).items():
            self.add_error(field, message)
        return data


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    fields = ["role", "unit", "area"]
    autocomplete_fields = ["unit", "area"]
    extra = 0


class FengqiaoUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        widgets = {"phone": _PHONE_WIDGET}


class FengqiaoUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "phone")
        widgets = {"phone": _PHONE_WIDGET}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = FengqiaoUserChangeForm
    add_form = FengqiaoUserCreationForm
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "masked_phone", "roles", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone", "email", "first_name", "last_name")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "phone", "password1", "password2")}),
    )

    actions = ["reset_two_factor"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("memberships")

    @admin.action(description=_("重置所选用户的两步验证（手机丢失时：删除其验证器和恢复码，下次登录重新绑定）"),
                  permissions=["change"])
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            two_factor.reset_devices(request.user, user, request)
        messages.success(request, _("已重置 %(count)d 个用户的两步验证。") % {"count": len(queryset)})

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> Any:
        """The edit form shows the phone in full: that view is audited (DESIGN rule 7)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            shown = User.objects.filter(pk=object_id).exclude(phone="").exists() if object_id.isdigit() else False
            if shown:
                record_personal_data_view(
                    request.user, role=Role.ADMIN, subject=f"user:{object_id}", fields=["phone"],  # type: ignore[arg-type]
                    purpose="admin: edit user", ip_address=request.META.get("REMOTE_ADDR"),
                )
        return response

    @admin.display(description=_("手机"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("角色"))
    def roles(self, obj: User) -> str:
        return "、".join(sorted({str(m.get_role_display()) for m in obj.memberships.all()}))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "unit", "area"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "unit__name", "area__name", "area__code"]
    autocomplete_fields = ["user", "unit", "area"]
    list_select_related = ["user", "unit", "area"]
    show_full_result_count = False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """Sign-in security changes (two-factor enrolment, recovery codes used, resets): read-only."""

    list_display = ["at", "user", "action", "actor", "ip_address", "note"]
    list_filter = ["action"]
    search_fields = ["user__username", "user__display_name"]
    list_select_related = ["user", "actor"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# django-otp's own admin screens show a device's secret (and its QR code) and change devices without an
# account event: the audited reset above is the administrator's one way in (docs/security.md).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
