"""Case actions per second through the services, on SQLite and PostgreSQL.

Each case goes register → dispatch → accept → reply → evaluate (5 actions, each: scoped load with a row
lock, permission check, transition, chained event, version-checked update, one transaction).
Baseline, same run, same database: the same number of bare single-row UPDATE transactions (the floor cost
of one write transaction on this engine).  Ratio = service actions/s ÷ baseline updates/s.

    uv run python bench/case_actions.py [--engine sqlite|postgres|both] [--cases 300]
"""

from __future__ import annotations

import argparse
import sys
import time

from _db import emit, fresh_database, run_per_engine, setup_django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"], ["--cases", str(args.cases)])
    setup_django(fresh_database(args.engine, "actions"))

    from django.db import transaction
    from tests.factories import build_city

    from fengqiao.cases import services
    from fengqiao.cases.models import Case, Channel

    city = build_city()
    users = city.users
    lng, lat = city.point_in(0)
    department = city.departments[0].pk

    started = time.perf_counter()
    codes = []
    for i in range(args.cases):
        data = services.RegisterInput(
            channel=Channel.HOTLINE_12345, title=f"噪声扰民 {i}", description="夜间施工噪声扰民，请求处理。",
            category_id=city.categories["leaf"].pk, lng=lng, lat=lat,
            parties=[services.PartyInput(name="李四", phone="13912345678")],
        )
        code = services.register(users["operator"], data).case.code
        services.dispatch(users["dispatcher"], code, lead_unit_id=department)
        services.accept(users["handler"], code)
        services.reply(users["handler"], code, text="已责令施工方停止夜间施工，并加强巡查。")
        services.evaluate(users["operator"], code, rating="satisfied")
        codes.append(code)
    elapsed = time.perf_counter() - started
    actions = args.cases * 5
    assert Case.objects.filter(code__in=codes, status="closed").count() == args.cases

    ids = list(Case.objects.filter(code__in=codes).values_list("pk", flat=True))
    base_started = time.perf_counter()
    for n in range(actions):
        with transaction.atomic():
            Case.objects.filter(pk=ids[n % len(ids)]).update(version=n)
    base_elapsed = time.perf_counter() - base_started

    per_second = actions / elapsed
    baseline_per_second = actions / base_elapsed
    emit({
        "bench": "case_actions", "engine": args.engine, "cases": args.cases, "actions": actions,
        "actions_per_s": round(per_second, 1), "ms_per_action": round(1000 * elapsed / actions, 2),
        "baseline": "bare single-row UPDATE transactions", "baseline_per_s": round(baseline_per_second, 1),
        "ratio_to_baseline": round(per_second / baseline_per_second, 3),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
