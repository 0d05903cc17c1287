"""Inbox page p50/p95/p99 over the demo history (200,000 cases), on the database of the demo.

For several users (city dispatcher, a district dispatcher, a department handler, a grid worker, a leader)
and their tabs, the full page is rendered through Django (middleware, session, scoping, template) many
times.  Baseline, same run, same database: the bare SQL of a first page — ``SELECT … FROM cases_case ORDER
BY registered_at DESC LIMIT 25`` — unscoped, no count, no rendering.

    ./scripts/demo   (once, to build data/fengqiao.sqlite3)   then
    uv run python bench/inbox.py [--rounds 30]
    FENGQIAO_DATABASE_URL=postgres://… uv run python bench/inbox.py   (a PostgreSQL demo database)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _db import emit, percentiles

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from fengqiao.accounts.models import Membership, User
    from fengqiao.accounts.roles import Role
    from fengqiao.cases.models import Case
    from fengqiao.cases.selectors import tabs_for

    total = Case.objects.count()
    if total < 1000:
        print(f"only {total} cases here: build the demo first (./scripts/demo)", file=sys.stderr)
        return 2

    def first_user(role: Role, **filters: object) -> User | None:
        m = Membership.objects.filter(role=role, **filters).select_related("user").order_by("pk").first()
        return m.user if m else None

    users = {
        "city dispatcher": first_user(Role.DISPATCHER, area__level="city"),
        "district dispatcher": first_user(Role.DISPATCHER, area__level="district"),
        "handler": first_user(Role.HANDLER),
        "grid worker": first_user(Role.GRID_WORKER),
        "leader": first_user(Role.LEADER),
    }
    samples: list[float] = []
    per_user: dict[str, list[float]] = {}
    for label, user in users.items():
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        tabs = [t.key for t in tabs_for(user)]
        for tab in tabs:  # warm-up
            client.get("/", {"tab": tab})
        for _ in range(args.rounds):
            for tab in tabs:
                started = time.perf_counter()
                response = client.get("/", {"tab": tab})
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (label, tab, response.status_code)
                samples.append(elapsed)
                per_user.setdefault(label, []).append(elapsed)

    baseline: list[float] = []
    with connection.cursor() as cursor:
        for _ in range(len(samples)):
            started = time.perf_counter()
            cursor.execute(
                "SELECT id, code, title, status, registered_at, deadline FROM cases_case "
                "ORDER BY registered_at DESC LIMIT 25"
            )
            cursor.fetchall()
            baseline.append((time.perf_counter() - started) * 1000)

    page = percentiles(samples)
    base = percentiles(baseline)
    emit({
        "bench": "inbox_page", "engine": connection.vendor, "cases": total, "requests": len(samples),
        **page, "by_user_p95_ms": {k: percentiles(v)["p95_ms"] for k, v in per_user.items()},
        "baseline": "bare first-page SELECT … ORDER BY registered_at DESC LIMIT 25",
        "baseline_p50_ms": base["p50_ms"], "baseline_p95_ms": base["p95_ms"],
        "ratio_p95_to_baseline": round(page["p95_ms"] / max(base["p95_ms"], 0.001), 1),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
