"""Duplicate search: precision and recall on two labelled sets, and ms per candidate search.

(b) Chinese paraphrases: the tipdm2020 messages (deduplicated by normalised text) spread over STREETS
streets and DAYS days; PARAPHRASES of them retold by rules (bench/_paraphrase.py) and registered 0–5 days
later in the same street.  Truth: the (original, paraphrase) pairs.  Every case is searched; a flagged pair
is a (case, candidate) returned.  Baseline, same run: exact match of the normalised text (same street,
same window).  A threshold sweep shows the trade-off.
(a) baltimore311: each row is a case (title = SRType, text = SRType + street name, area = Neighborhood,
time = CreatedDate).  Task: is the row flagged as a duplicate of an EARLIER row within the window and area?
Label: SRStatus "… (Duplicate)".  Baseline: same SRType in the same neighbourhood within the window.

    uv run python bench/dedup.py [--engine sqlite|postgres|both] [--paraphrases 1000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _db import ROOT, emit, fresh_database, percentiles, run_per_engine, setup_django
from _paraphrase import paraphrase

DATA = ROOT.parent / "shared" / "data"
TIPDM = DATA / "tipdm2020"
BALTIMORE = DATA / "baltimore311" / "baltimore_311_sample_10k.csv"
STREETS, DAYS, SEED = 12, 120, 7
SWEEP = [0.3, 0.4, 0.5, 0.6, 0.7]


def tipdm_messages() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with (TIPDM / "messages_labeled.csv").open(encoding="utf-8-sig") as f:
        rows += [(r["subject"] or r["text"][:30], r["text"]) for r in csv.DictReader(f)]
    with (TIPDM / "messages_with_replies.csv").open(encoding="utf-8-sig") as f:
        rows += [(r["留言主题"], r["留言详情"]) for r in csv.DictReader(f)]
    return [(t.strip()[:200], d.strip()) for t, d in rows if d.strip()]


class World:
    """A tiny jurisdiction (city → district → streets) and bulk-created cases, for the bench only."""

    def __init__(self, prefix: str, streets: list[str]) -> None:
        from fengqiao.jurisdictions.models import Area, Level

        self.prefix = prefix
        city = Area.objects.create(code=prefix, name=f"测试市{prefix}", level=Level.CITY)
        district = Area.objects.create(code=f"{prefix}01", name="测试区", level=Level.DISTRICT, parent=city)
        self.street_ids = {
            name: Area.objects.create(code=f"{prefix}01{i:04d}", name=name[:100], level=Level.STREET,
                                      parent=district).pk
            for i, name in enumerate(streets)
        }

    def add_cases(self, rows: list[tuple[str, str, dt.datetime, str]]) -> list[Any]:
        from fengqiao.cases.models import Case, Channel
        from fengqiao.intelligence import dedup

        cases = [
            Case(code=f"B{self.prefix}-{i:08d}", channel=Channel.HOTLINE_12345, title=title, description=text,
                 status="registered", registered_at=at, street_id=self.street_ids[street])
            for i, (title, text, at, street) in enumerate(rows)
        ]
        created = Case.objects.bulk_create(cases, batch_size=1000)
        if created[0].pk is None:  # backends without RETURNING ids
            created = list(Case.objects.order_by("pk"))
        started = time.perf_counter()
        dedup.index_cases([c.pk for c in created])
        emit({"step": "index_cases", "cases": len(created), "seconds": round(time.perf_counter() - started, 2)})
        return created


def prf(flagged: set[Any], truth: set[Any]) -> dict[str, float]:
    tp = len(flagged & truth)
    p = tp / len(flagged) if flagged else 0.0
    r = tp / len(truth) if truth else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "flagged": len(flagged), "true_positives": tp}


def search_all(cases: list[Any], limit: int) -> tuple[dict[int, list[Any]], list[float]]:
    from fengqiao.intelligence import dedup

    found: dict[int, list[Any]] = {}
    times: list[float] = []
    for case in cases:
        started = time.perf_counter()
        found[case.pk] = dedup.candidates(case, limit=limit)
        times.append((time.perf_counter() - started) * 1000)
    return found, times


def chinese(args: argparse.Namespace, engine: str) -> None:
    from django.conf import settings

    from fengqiao.intelligence import dedup

    rng = random.Random(SEED)
    seen: set[str] = set()
    messages = []
    for title, text in tipdm_messages():
        key = dedup.normalise(text).replace(" ", "")
        if key not in seen:
            seen.add(key)
            messages.append((title, text))
    rng.shuffle(messages)
    streets = [f"街道{i}" for i in range(STREETS)]
    world = World("98", streets)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [(t, d, start + dt.timedelta(seconds=rng.uniform(0, DAYS * 86400)), rng.choice(streets))
            for t, d in messages]
    originals = len(rows)
    sources = rng.sample(range(originals), k=min(args.paraphrases, originals))
    for i in sources:
        title, text, at, street = rows[i]
        new_title, new_text = paraphrase(title, text, rng)
        rows.append((new_title, new_text, at + dt.timedelta(seconds=rng.uniform(0.1, 5) * 86400), street))
    cases = world.add_cases(rows)
    common_step(args)
    truth = {frozenset((cases[i].pk, cases[originals + k].pk)) for k, i in enumerate(sources)}
    window = dt.timedelta(days=dedup.window_days())

    settings.DEDUP_THRESHOLD = 0.0  # every case sharing a band, with its Jaccard, for the sweep
    found, _ = search_all(cases, limit=50)
    pairs = {frozenset((q, c.case_id)): c.similarity for q, cs in found.items() for c in cs}
    banded = set(pairs)
    settings.DEDUP_THRESHOLD = args.threshold
    timed, ms = search_all(cases, limit=5)
    flagged = {frozenset((q, c.case_id)) for q, cs in timed.items() for c in cs}

    exact: dict[tuple[str, int], list[Any]] = {}
    for case in cases:
        exact.setdefault((dedup.normalise(case.title + case.description).replace(" ", ""), case.street_id),
                         []).append(case)
    baseline = {frozenset((a.pk, b.pk)) for group in exact.values() for a in group for b in group
                if a.pk < b.pk and abs(a.registered_at - b.registered_at) <= window}
    sims = sorted(pairs.get(p, 0.0) for p in truth)
    emit({
        "set": "tipdm2020 paraphrases", "engine": engine, "cases": len(cases), "originals": originals,
        "paraphrases": len(sources), "streets": STREETS, "days": DAYS, "window_days": dedup.window_days(),
        "threshold": args.threshold, "bands": f"{dedup.BANDS}x{dedup.ROWS}",
        "minhash_lsh": prf(flagged, truth),
        "baseline_exact_normalised_text": prf(baseline, truth),
        "lsh_candidate_recall": round(len(banded & truth) / len(truth), 3),
        "sweep": {str(t): prf({p for p, s in pairs.items() if s >= t}, truth) for t in SWEEP},
        "true_pair_jaccard": {"p10": sims[len(sims) // 10], "median": statistics.median(sims)},
        "ms_per_search": {"mean": round(statistics.fmean(ms), 2), **percentiles(ms)},
        **storage(),
    })


def common_step(args: argparse.Namespace) -> None:
    """Boilerplate shingles of the cases just added (as `fengqiao dedup index` computes them), or none."""
    from fengqiao.intelligence import dedup
    from fengqiao.intelligence.models import CommonShingles

    CommonShingles.objects.all().delete()
    dedup.forget_common()
    common = dedup.refresh_common(share=args.common_share) if args.common_share > 0 else None
    emit({"step": "common_shingles", "share": args.common_share, "count": len(common.shingles) if common else 0,
          "sample": common.sample_cases if common else 0, "examples": (common.shingles[:20] if common else [])})


def storage() -> dict[str, Any]:
    from django.db import connection

    from fengqiao.intelligence.models import CaseBand

    out: dict[str, Any] = {"band_rows": CaseBand.objects.count()}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [CaseBand._meta.db_table])
            out["band_table_mb_with_indexes"] = round(cursor.fetchone()[0] / 2**20, 1)
    return out


def _street_name(address: str) -> str:
    first = address.split(",")[0].upper()
    return re.sub(r"^\d+[A-Z]?\s+", "", first).strip()


def baltimore(args: argparse.Namespace, engine: str) -> None:
    from fengqiao.intelligence import dedup

    with BALTIMORE.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["CreatedDate"] and r["SRType"]]
    parse = lambda s: dt.datetime.strptime(s, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=dt.UTC)  # noqa: E731
    hoods = sorted({r["Neighborhood"] or "(none)" for r in rows})
    world = World("99", hoods)
    data = [(r["SRType"], f"{r['SRType']} {_street_name(r['Address'])}", parse(r["CreatedDate"]),
             r["Neighborhood"] or "(none)") for r in rows]
    cases = world.add_cases(data)
    common_step(args)
    labelled = {c.pk for c, r in zip(cases, rows, strict=True) if "Duplicate" in r["SRStatus"]}
    at = {c.pk: c.registered_at for c in cases}
    found, ms = search_all(cases, limit=5)
    flagged = {q for q, cs in found.items() if any(at[c.case_id] < at[q] for c in cs)}
    window = dt.timedelta(days=dedup.window_days())
    earlier_same: set[int] = set()
    by_key: dict[tuple[str, int], list[Any]] = {}
    for case in sorted(cases, key=lambda c: c.registered_at):
        group = by_key.setdefault((case.title, case.street_id), [])
        if any(case.registered_at - other.registered_at <= window for other in group):
            earlier_same.add(case.pk)
        group.append(case)
    emit({
        "set": "baltimore311 sample 10k", "engine": engine, "cases": len(cases), "labelled_duplicates": len(labelled),
        "labelled_with_an_earlier_same_type_row_in_window_and_area": len(labelled & earlier_same),
        "window_days": dedup.window_days(), "threshold": args.threshold,
        "minhash_lsh": prf(flagged, labelled),
        "baseline_same_type_same_neighbourhood": prf(earlier_same, labelled),
        "ms_per_search": {"mean": round(statistics.fmean(ms), 2), **percentiles(ms)},
    })


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--paraphrases", type=int, default=1000)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--common-share", type=float, default=None,
                        help="boilerplate share (default: the product's; 0 = no boilerplate removal)")
    args = parser.parse_args()
    if args.engine == "both":
        extra = ["--paraphrases", str(args.paraphrases), "--threshold", str(args.threshold)]
        if args.common_share is not None:
            extra += ["--common-share", str(args.common_share)]
        return run_per_engine(__file__, ["sqlite", "postgres"], extra)
    setup_django(fresh_database(args.engine, "dedup"))
    if args.common_share is None:
        from fengqiao.intelligence import dedup

        args.common_share = dedup.COMMON_SHARE
    chinese(args, args.engine)
    baltimore(args, args.engine)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
