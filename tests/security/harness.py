"""Requests as every role of the test city, one logged-in client per role, reused for every URL."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.test import Client

from fengqiao.kit import clock
from fengqiao.risk import indicators
from tests.security.world import ROLES, World

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def values(world: World) -> dict[str, str]:
    p = world.params
    return {
        "case": p["code:case"], "other": p["into"], "link": "NOPE0000", "import": p["pk:import"],
        "street": p["street_id"], "mediator": p["mediator_id"], "mediation": p["code:mediation"],
        "grid_id": p["grid_id"], "indicator": indicators.KEYS[0], "risk": p["code:risk"],
        "stability": p["code:stability"], "hot": p["pk:hot"], "grid": p["code:grid"], "visit": p["pk:visit"],
        "coverage": p["campaign_id"], "category": world.city.categories["leaf"].code,
    }


def clients_for(world: World, role: str) -> Client:
    """A client with a session of its own for ``role`` (anonymous: none), from an address of the role's."""
    client = Client(REMOTE_ADDR=f"10.9.0.{ROLES.index(role) + 1}")
    if role != "anonymous":
        client.force_login(world.city.users[role], backend=MODEL_BACKEND)
    return client


def clients(world: World) -> dict[str, Client]:
    """One client a role, logged in once and reused for every URL."""
    return {role: clients_for(world, role) for role in ROLES}


@dataclass(frozen=True)
class Seen:
    status: int
    location: str

    def __str__(self) -> str:
        return f"{self.status} → {self.location}" if self.location else str(self.status)


def request(client: Client, method: str, path: str, *, api: bool = False, body: Any = None) -> Seen:
    cache.clear()  # rate limits (portal code guessing, login) count per address; each request starts afresh
    if method == "GET":
        response = client.get(path)
    elif api:
        response = client.generic(method, path, data=json.dumps(body or {}), content_type="application/json")
    else:
        response = client.generic(method, path, data="", content_type="application/x-www-form-urlencoded")
    location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
    return Seen(response.status_code, re.sub(r"\?.*", "", location))


def minimal_body(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """A JSON body that passes the operation's schema with the least in it (required fields only: a string "x",
    a number 1, false, an enum's first value, an empty list), so that what answers is the permission check or
    the business rule — not the schema's 422."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return _value(schema, content.get("schema", {})) if content else {}


def _value(schema: dict[str, Any], node: dict[str, Any]) -> Any:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _value(schema, schema["components"]["schemas"][name])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"] or node[key]
            return _value(schema, options[0])
    if "enum" in node:
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    kind = node.get("type", "object")
    if kind == "object":
        return {name: _value(schema, sub) for name, sub in node.get("properties", {}).items()
                if name in node.get("required", [])}
    if kind == "string":
        soon = clock.today() + dt.timedelta(days=7)  # a date the rules accept whatever day the suite runs
        return {"date": soon.isoformat(), "date-time": clock.at_local(soon, dt.time(9, 0)).isoformat()}.get(
            node.get("format", ""), "x")
    return {"integer": 1, "number": 1, "boolean": False, "array": []}.get(kind)
