"""FENGQIAO_TRUSTED_PROXIES: the client's address from X-Forwarded-For, only when a trusted proxy says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from fengqiao.ops.proxy import ORIGINAL, TrustedProxyMiddleware


def seen(settings: Any, peer: str, forwarded: str | None, trusted: list[str]) -> tuple[str, str | None]:
    """REMOTE_ADDR and the kept peer address as the next middleware sees them."""
    settings.TRUSTED_PROXIES = trusted
    got: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        got.update(request.META)
        return HttpResponse("ok")

    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    TrustedProxyMiddleware(view)(request)
    return got["REMOTE_ADDR"], got.get(ORIGINAL)


def test_off_by_default_a_header_changes_nothing(settings: Any) -> None:
    assert seen(settings, "127.0.0.1", "203.0.113.7", []) == ("127.0.0.1", None)


def test_a_trusted_proxy_names_the_client(settings: Any) -> None:
    assert seen(settings, "127.0.0.1", "203.0.113.7", ["127.0.0.1/32"]) == ("203.0.113.7", "127.0.0.1")


def test_spoofing_from_an_untrusted_peer_is_ignored(settings: Any) -> None:
    assert seen(settings, "198.51.100.9", "203.0.113.7", ["127.0.0.1/32"]) == ("198.51.100.9", None)


def test_the_right_most_untrusted_hop_wins_whatever_the_client_wrote_left_of_it(settings: Any) -> None:
    # the client sent "X-Forwarded-For: 1.2.3.4"; nginx (10.0.0.2) appended the real peer, the inner proxy
    # (10.0.0.3) appended nginx
    trusted = ["127.0.0.0/8", "10.0.0.0/8"]
    assert seen(settings, "127.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.2", trusted) == ("203.0.113.7", "127.0.0.1")


def test_a_chain_of_trusted_hops_only_gives_the_first(settings: Any) -> None:
    assert seen(settings, "127.0.0.1", "10.0.0.5, 10.0.0.2", ["127.0.0.1/32", "10.0.0.0/8"]) == (
        "10.0.0.5", "127.0.0.1")


@pytest.mark.parametrize("header", ["unknown", "203.0.113.7, not-an-ip", "203.0.113.7:8080", "", " , ",
                                    ",".join(["203.0.113.7"] * 40), "2" * 3000])
def test_a_malformed_header_is_ignored(settings: Any, header: str) -> None:
    assert seen(settings, "127.0.0.1", header, ["127.0.0.1/32"]) == ("127.0.0.1", None)


def test_ipv6_clients_and_peers(settings: Any) -> None:
    assert seen(settings, "::1", "2001:db8::7", ["::1/128"]) == ("2001:db8::7", "::1")
    assert seen(settings, "::ffff:127.0.0.1", "203.0.113.7", ["127.0.0.1/32"]) == ("203.0.113.7", "::ffff:127.0.0.1")


def test_a_bad_entry_fails_at_start(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="FENGQIAO_TRUSTED_PROXIES"):
        TrustedProxyMiddleware(lambda request: HttpResponse())


@pytest.mark.django_db
def test_installed_before_the_metrics_network_check(client: Client, settings: Any) -> None:
    """Through the whole stack: /metrics (this host only) refuses a spoofed 127.0.0.1 from an outside peer
    and serves a client that a trusted proxy forwards from this host."""
    settings.METRICS_ALLOW = ["127.0.0.1/32"]
    settings.METRICS_TOKEN = ""
    settings.TRUSTED_PROXIES = ["10.9.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 403
