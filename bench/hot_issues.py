"""Hot issues on tipdm2020 ``messages_with_votes.csv`` (4,303 messages): pairwise precision / recall / F1 of
our grouping on the 400 pairs we labelled (bench/data/hot_pairs.csv: message ids and our labels only),
beside baselines measured in the same run, then the run time and the top-5 table.

* ours: TF-IDF cosine graph + place evidence + split of loose components (fengqiao.intelligence.hot_cluster);
* baseline "tfidf": the same TF-IDF cosine graph, plain connected components, no place, no split — at the
  threshold that is best for it on the dev half (so the baseline is not handicapped);
* baseline "subject": messages with an identical (normalised) subject are one group.

The thresholds of ours were chosen on the dev half (even rows of the pairs file); the test half (odd rows)
was not used to choose anything.  Figures for both halves and for all 400 pairs are printed.

    uv run python bench/hot_issues.py [--data PATH] [--pairs PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_with_votes.csv"
BASELINE_THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--pairs", default=str(ROOT / "bench" / "data" / "hot_pairs.csv"))
    parser.add_argument("--scale", type=int, default=0,
                        help="also time the system's grouping on N messages: the file's messages copied, each "
                             "copy given a random community of 400 (blocks), as the job groups a city")
    args = parser.parse_args()
    if not Path(args.data).exists():
        print(f"skipped: {args.data} is not here (the shared data sits beside the checkout)", file=sys.stderr)
        return 0
    from fengqiao.intelligence import hot_cluster as hc
    from fengqiao.intelligence import hot_csv, hot_gold

    messages = hot_csv.read_messages(Path(args.data))
    pairs = hot_gold.read_pairs(Path(args.pairs))
    halves = {"dev": pairs[0::2], "test": pairs[1::2], "all": pairs}

    def timed(fn: Callable[[], list[list[int]]]) -> tuple[list[list[int]], float]:
        started = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - started

    started = time.perf_counter()
    feats = hc.features(messages)
    vector_s = time.perf_counter() - started
    ours, ours_s = timed(lambda: hc.group(messages, f=feats))
    best_t = max(BASELINE_THRESHOLDS, key=lambda t: hot_gold.pairwise(
        messages, hc.baseline_groups(messages, feats, t), halves["dev"]).f1)
    tfidf, tfidf_s = timed(lambda: hc.baseline_groups(messages, feats, best_t))
    subject, subject_s = timed(lambda: _same_subject(messages, hc.normalise))

    print(f"hot issues on {len(messages)} messages; {len(pairs)} labelled pairs "
          f"({sum(1 for p in pairs if p.label)} same problem); vectors {vector_s:.1f} s")
    print(f"{'method':<28}{'half':<6}{'pairs':>6}{'P':>7}{'R':>7}{'F1':>7}{'groups≥2':>10}{'largest':>9}{'s':>7}")
    table = [("ours", ours, vector_s + ours_s), (f"tfidf cosine ≥ {best_t} (no place)", tfidf, vector_s + tfidf_s),
             ("identical subject", subject, subject_s)]
    scores: dict[str, dict[str, float]] = {}
    for name, groups, seconds in table:
        for half, subset in halves.items():
            s = hot_gold.pairwise(messages, groups, subset)
            scores.setdefault(name, {})[half] = s.f1
            print(f"{name:<28}{half:<6}{s.pairs:>6}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
                  f"{sum(1 for g in groups if len(g) > 1):>10}{max(len(g) for g in groups):>9}{seconds:>7.1f}")
    base = table[1][0]
    for half in ("test", "all"):
        print(f"F1 ratio ours / {base} ({half}): {scores['ours'][half] / scores[base][half]:.3f}")

    started = time.perf_counter()
    rows = hot_csv.top_rows(messages, 5)
    print(f"\ntop 5 (grouping + heat, end to end: {time.perf_counter() - started:.1f} s)")
    print(hot_csv.format_table(rows))
    if args.scale:
        _scale(messages, args.scale)
    return 0


def _scale(messages: list[Any], n: int) -> None:
    """Synthetic load, said so: the file's texts repeated to ``n`` messages with random community keys."""
    import dataclasses
    import random

    from fengqiao.intelligence import hot_cluster as hc

    rng = random.Random(7)
    many = [dataclasses.replace(messages[k % len(messages)], id=str(k), place_key=f"c{rng.randrange(400)}")
            for k in range(n)]
    started = time.perf_counter()
    feats = hc.features(many)
    vec_s = time.perf_counter() - started
    groups = hc.group(many, f=feats)
    group_s = time.perf_counter() - started - vec_s
    ranked = hc.rank(many, groups, f=feats, min_size=2)
    total = time.perf_counter() - started
    print(f"\nscale (synthetic: {n} messages = the file's texts repeated, 400 random communities): "
          f"vectors {vec_s:.1f} s, grouping {group_s:.1f} s, total with heat {total:.1f} s; "
          f"{len(ranked)} groups of 2 or more")


def _same_subject(messages: Sequence[Any], normalise: Callable[[str], str]) -> list[list[int]]:
    by: dict[str, list[int]] = {}
    for k, m in enumerate(messages):
        by.setdefault(normalise(m.subject), []).append(k)
    return list(by.values())


if __name__ == "__main__":
    raise SystemExit(main())
