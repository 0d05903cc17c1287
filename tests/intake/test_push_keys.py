"""Channel keys: only a hash is kept, the key is shown once (command and admin), the account is checked."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fengqiao.intake import keys
from fengqiao.intake.models import ChannelKey
from fengqiao.kit.errors import ValidationFailed
from tests.factories import City


def test_command_create_list_revoke(city: City) -> None:
    out = StringIO()
    call_command("channel_key", "create", "--channel", "hotline_12345", "--account", "operator", "--rate", "120",
                 stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    key = ChannelKey.objects.get()
    assert secret.startswith(key.prefix + "_")
    assert (key.key_hash, key.rate_per_minute, key.account) == (
        hashlib.sha256(secret.encode()).hexdigest(), 120, city.users["operator"])
    assert secret not in str(ChannelKey.objects.values_list().get())
    listing = StringIO()
    call_command("channel_key", "list", stdout=listing)
    assert key.prefix in listing.getvalue()
    assert secret not in listing.getvalue()
    call_command("channel_key", "revoke", key.prefix, stdout=StringIO())
    assert keys.find_active(secret) is None


@pytest.mark.parametrize("username", ["citizen", "grid_worker", "handler", "admin"])
def test_account_must_have_a_registering_role(city: City, username: str) -> None:
    with pytest.raises(CommandError, match="不是登记角色"):
        call_command("channel_key", "create", "--channel", "police_110", "--account", username, stdout=StringIO())
    assert not ChannelKey.objects.exists()


def test_bad_rate_and_unknown_account(city: City) -> None:
    with pytest.raises(ValidationFailed) as caught:
        keys.create_key("hotline_12345", city.users["dispatcher"], rate_per_minute=0)
    assert caught.value.fields == {"rate_per_minute": "每分钟请求数应在 1 到 100000 之间"}
    with pytest.raises(CommandError, match="没有用户名为 nobody 的账号"):
        call_command("channel_key", "create", "--channel", "police_110", "--account", "nobody", stdout=StringIO())


def test_admin_add_shows_the_key_once(city: City) -> None:
    client = Client()
    client.force_login(city.users["admin"])
    response = client.post("/admin/intake/channelkey/add/", {
        "name": "110 对接", "channel": "police_110", "account": city.users["dispatcher"].pk,
        "rate_per_minute": "300"}, follow=True)
    assert response.status_code == 200
    key = ChannelKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m for m in shown if key.prefix in m).split("<code style='user-select:all'>")[1].split("<")[0]
    assert keys.find_active(secret) == key
    again = client.get(f"/admin/intake/channelkey/{key.pk}/change/")
    assert secret not in again.content.decode()
    refused = client.post("/admin/intake/channelkey/add/", {
        "name": "x", "channel": "police_110", "account": city.users["citizen"].pk, "rate_per_minute": "300"})
    assert "不是登记角色" in refused.content.decode()
    assert ChannelKey.objects.count() == 1
