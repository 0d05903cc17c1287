"""``fengqiao channel_key create|list|revoke``: API keys for the push endpoints and Open311 clients."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.accounts.models import User
from fengqiao.cases.models import Channel
from fengqiao.intake import keys
from fengqiao.intake.models import ChannelKey
from fengqiao.kit.errors import DomainError


class Command(BaseCommand):
    help = "Create, list or revoke channel API keys (the full key is printed once, on creation)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="create a key; prints the full key once")
        create.add_argument("--channel", required=True, choices=Channel.values)
        create.add_argument("--account", required=True, help="user name of the service account (an operator)")
        create.add_argument("--rate", type=int, default=600, help="requests per minute (default 600)")
        create.add_argument("--name", default="", help="a label for administrators")
        listing = sub.add_parser("list", help="list keys (prefixes only)")
        listing.add_argument("--channel", choices=Channel.values)
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['operation']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, options: dict[str, Any]) -> None:
        account = User.objects.filter(username=options["account"]).first()
        if account is None:
            raise CommandError(f"没有用户名为 {options['account']} 的账号。")
        new = keys.create_key(options["channel"], account, rate_per_minute=options["rate"], name=options["name"])
        self.stdout.write(f"prefix: {new.key.prefix}\nchannel: {new.key.channel}\naccount: {account.username}\n"
                          f"rate_per_minute: {new.key.rate_per_minute}")
        self.stdout.write("key (shown once, store it now):")
        self.stdout.write(new.secret)

    def _list(self, options: dict[str, Any]) -> None:
        qs = ChannelKey.objects.select_related("account").order_by("channel", "created_at")
        if options.get("channel"):
            qs = qs.filter(channel=options["channel"])
        self.stdout.write("prefix\tchannel\taccount\trate/min\tactive\tcreated\tlast_used\tname")
        for k in qs:
            self.stdout.write("\t".join([
                k.prefix, k.channel, k.account.username, str(k.rate_per_minute), "yes" if k.active else "no",
                k.created_at.isoformat(timespec="seconds"),
                k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "-", k.name,
            ]))

    def _revoke(self, options: dict[str, Any]) -> None:
        key = keys.revoke(options["prefix"])
        self.stdout.write(f"revoked {key.prefix} ({key.channel}, {key.account.username})")
