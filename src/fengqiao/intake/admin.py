"""Administrator's screen for channel API keys: the full key is shown once, right after "add"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fengqiao.intake import keys
from fengqiao.intake.models import ChannelKey


class ChannelKeyForm(forms.ModelForm):
    class Meta:
        model = ChannelKey
        fields = ["name", "channel", "account", "rate_per_minute", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account = data.get("account")
        if account is not None and (problem := keys.check_account(account)):
            self.add_error("account", problem)
        rate = data.get("rate_per_minute")
        if rate is not None and not 1 <= rate <= keys.MAX_RATE:
            self.add_error("rate_per_minute", f"每分钟请求数应在 1 到 {keys.MAX_RATE} 之间")
        return data


@admin.register(ChannelKey)
class ChannelKeyAdmin(admin.ModelAdmin):
    form = ChannelKeyForm
    list_display = ["prefix", "name", "channel", "account", "rate_per_minute", "active", "created_at",
                    "last_used_at"]
    list_filter = ["channel", "active"]
    search_fields = ["prefix", "name", "account__username"]
    autocomplete_fields = ["account"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke_keys"]

    def get_fields(self, request: HttpRequest, obj: ChannelKey | None = None) -> Any:
        if obj is None:
            return ["name", "channel", "account", "rate_per_minute"]
        return ["prefix", "name", "channel", "account", "rate_per_minute", "active", "created_at", "last_used_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ChannelKey | None = None) -> list[str]:
        if obj is None:
            return []
        return [*self.readonly_fields, "channel", "account"]

    def save_model(self, request: HttpRequest, obj: ChannelKey, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        new = keys.create_key(obj.channel, obj.account, rate_per_minute=obj.rate_per_minute, name=obj.name)
        obj.pk, obj.prefix, obj.created_at = new.key.pk, new.key.prefix, new.key.created_at
        messages.warning(request, format_html(
            "{} <code style='user-select:all'>{}</code>", _("密钥只显示这一次，请立即复制保存："), new.secret,
        ))

    @admin.action(description=_("吊销所选密钥"))
    def revoke_keys(self, request: HttpRequest, queryset: Any) -> None:
        count = queryset.filter(active=True).update(active=False)
        messages.success(request, f"已吊销 {count} 个密钥。")
