"""What the load test's simulated people need from the demo city, read once before the load (bench/load.py).

Logins of the demo's operators and of its dispatchers, handlers and leaders; the demo's own texts (titles,
descriptions, places with their points) for new registrations; callers' names and mobiles from the demo's
name pool; real 解纷码 of the demo's mediations for the citizens.  Needs Django set up on the database.
"""

from __future__ import annotations

import random
from typing import Any

STAFF_ROLES = ("dispatcher", "handler", "leader")


def _usernames(role: str) -> list[str]:
    from fengqiao.accounts.models import Membership
    from fengqiao.demo.people import DEMO_DOMAIN

    return sorted(set(Membership.objects.filter(role=role, user__is_active=True,
                                                user__email__endswith=f"@{DEMO_DOMAIN}")
                      .values_list("user__username", flat=True)))


def world(*, texts: int = 400, people: int = 400, codes: int = 2000, seed: int = 2026) -> dict[str, Any]:
    """A JSON-able description of who logs in and what they send (deterministic for a seed)."""
    from fengqiao.cases.models import Case
    from fengqiao.demo.names import people as name_pool
    from fengqiao.demo.people import PASSWORD
    from fengqiao.mediation.models import Mediation

    rng = random.Random(seed)
    staff_by_role = {role: _usernames(role) for role in STAFF_ROLES}
    staff: list[dict[str, str]] = []
    for i in range(max((len(v) for v in staff_by_role.values()), default=0)):  # interleave the roles
        staff += [{"username": names[i], "role": role} for role, names in staff_by_role.items() if i < len(names)]
    pks = list(Case.objects.exclude(address="").exclude(lng=None).values_list("pk", flat=True))
    picked = rng.sample(pks, min(texts, len(pks)))
    text_rows = [{"title": t, "description": d, "address": a, "lng": x, "lat": y}
                 for t, d, a, x, y in Case.objects.filter(pk__in=picked).order_by("pk").values_list(
                     "title", "description", "address", "lng", "lat")]
    mediation_codes = sorted(Mediation.objects.exclude(code="").values_list("code", flat=True))
    rng.shuffle(mediation_codes)
    return {
        "password": PASSWORD,
        "operators": _usernames("operator"),
        "staff": staff,
        "texts": text_rows,
        "people": [{"name": n, "phone": p} for n, p in name_pool(rng, people)],
        "mediation_codes": mediation_codes[:codes],
    }
