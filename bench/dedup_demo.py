"""Duplicate candidates on the demo city: how many of the newest cases the panel would flag, with and
without the boilerplate removal, in the same run.

The demo writes texts from a handful of templates and reuses real messages (tipdm2020) across cases, so it
has no labelled pairs; what this measures is how often the panel speaks, split by why: the same text
(similarity 1.0, the demo reused a message — a real duplicate by text), or a partial match (0.5–0.99),
which on the demo's templated texts is almost always a false alarm.  Baseline = the same search without
boilerplate removal.

    uv run python bench/dedup_demo.py [--engine sqlite|postgres] [--cases 20000] [--sample 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from _db import emit, fresh_database, percentiles, setup_django


def tally(cases: list[Any]) -> dict[str, Any]:
    from fengqiao.intelligence import dedup

    same = partial = flagged = 0
    ms: list[float] = []
    for case in cases:
        started = time.perf_counter()
        found = [c for c in dedup.candidates(case) if c.reason == "text"]
        ms.append((time.perf_counter() - started) * 1000)
        flagged += bool(found)
        same += any(c.similarity >= 0.999 for c in found)
        partial += any(c.similarity < 0.999 for c in found)
    n = len(cases)
    return {"cases": n, "flagged_share": round(flagged / n, 3), "same_text_share": round(same / n, 3),
            "partial_match_share": round(partial / n, 3), "ms_mean": round(statistics.fmean(ms), 2),
            **percentiles(ms)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    setup_django(fresh_database(args.engine, "dedupdemo"))
    from django.core.management import call_command

    from fengqiao.cases.models import Case
    from fengqiao.cases.states import State
    from fengqiao.intelligence import dedup
    from fengqiao.intelligence.models import CommonShingles

    started = time.perf_counter()
    call_command("demo", cases=args.cases, verbosity=0)
    call_command("dedup", "index", since=30, verbosity=0)
    built = time.perf_counter() - started
    newest = list(Case.objects.exclude(status__in=[State.CANCELLED, State.MERGED])
                  .order_by("-registered_at")[:args.sample])
    with_removal = tally(newest)
    common = CommonShingles.objects.get()
    CommonShingles.objects.all().delete()
    dedup.forget_common()
    without = tally(newest)
    emit({"bench": "dedup_demo", "engine": args.engine, "demo_cases": args.cases, "build_s": round(built, 1),
          "common_shingles": len(common.shingles), "examples": common.shingles[:30],
          "with_boilerplate_removal": with_removal, "baseline_without": without})
    return 0


if __name__ == "__main__":
    sys.exit(main())
