"""How well does the administrative-dispute detector find matters against an administrative act?

Measured on our own hand labels (tests/legal/gold_labels.csv: message_id → 1 if the message contests a
specific act or omission of an administrative body affecting the writer, else 0) of a random sample of 300
messages of ../shared/data/tipdm2020/messages_labeled.csv, beside a naive baseline measured in the same run:
flag every message whose text contains "行政".

    uv run python bench/legal_detector.py [--json] [--errors]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
import django

django.setup()

from fengqiao.legal.detector import Matter, detect  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_labeled.csv"
GOLD = ROOT / "tests" / "legal" / "gold_labels.csv"


def scores(predicted: dict[str, bool], gold: dict[str, bool]) -> dict[str, float]:
    tp = sum(1 for k, g in gold.items() if g and predicted[k])
    fp = sum(1 for k, g in gold.items() if not g and predicted[k])
    fn = sum(1 for k, g in gold.items() if g and not predicted[k])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "tp": tp, "fp": fp, "fn": fn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON line")
    parser.add_argument("--errors", action="store_true", help="list the misclassified message ids")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent (see ../shared/data/README.md)")
        return 0
    with GOLD.open(encoding="utf-8") as f:
        gold = {row["message_id"]: row["administrative_act"] == "1" for row in csv.DictReader(f)}
    with DATA.open(encoding="utf-8") as f:
        messages = {row["message_id"]: row for row in csv.DictReader(f) if row["message_id"] in gold}
    missing = set(gold) - set(messages)
    if missing:
        print(f"error: {len(missing)} gold ids are not in {DATA.name}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    ours = {k: detect(Matter(title=m["subject"], text=m["text"], channel="message_board")) is not None
            for k, m in messages.items()}
    seconds = time.perf_counter() - started
    baseline = {k: "行政" in f"{m['subject']}{m['text']}" for k, m in messages.items()}
    result = {"n": len(gold), "positives": sum(gold.values()), "detector": scores(ours, gold),
              "baseline_keyword_行政": scores(baseline, gold), "ms_per_message": round(seconds * 1000 / len(gold), 3)}
    b = result["baseline_keyword_行政"]["f1"]
    result["f1_ratio_vs_baseline"] = round(result["detector"]["f1"] / b, 2) if b else None
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"gold: {result['n']} messages, {result['positives']} about an administrative act (our labels)")
        for name in ("detector", "baseline_keyword_行政"):
            s = result[name]
            print(f"{name:<22} precision {s['precision']:.3f}  recall {s['recall']:.3f}  F1 {s['f1']:.3f}"
                  f"  (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
        ratio = result["f1_ratio_vs_baseline"]
        print(f"F1 ratio detector / baseline: {ratio if ratio is not None else '∞ (baseline F1 is 0)'}")
        print(f"detector: {result['ms_per_message']} ms per message")
    if args.errors:
        print("false positives:", sorted(k for k in gold if ours[k] and not gold[k]))
        print("false negatives:", sorted(k for k in gold if gold[k] and not ours[k]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
