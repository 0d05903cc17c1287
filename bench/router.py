"""Routing model on tipdm2020 ``messages_labeled.csv``: 5-fold figures for our model beside a TF-IDF +
LinearSVC baseline (rjieba words, sklearn defaults) on the same folds in the same run, then the
throughput of ``suggest_many`` (model installed in DATA_DIR/models, labels mapped to Category rows) on
10,000 texts, and single-text ``suggest`` latency.

    uv run python bench/router.py [--folds 5] [--texts 10000] [--data PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _db import ROOT, emit, fresh_database, percentiles, setup_django

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_labeled.csv"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args()
    setup_django(fresh_database("sqlite", "router"))

    import joblib
    from django.conf import settings

    from fengqiao.cases.models import Category
    from fengqiao.intelligence import router, training

    data = training.read_csv(args.data, "subject,text", "label")
    cv = training.cross_validate(data, args.folds)
    emit({"bench": "router_cv", "data": Path(args.data).name, **cv})

    started = time.perf_counter()
    model = training.train(data)
    train_seconds = time.perf_counter() - started
    for i, label in enumerate(model.labels):
        Category.objects.create(code=f"B{i:03d}", name=label, level=1)
    models = Path(settings.DATA_DIR) / "models"
    models.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, models / "category.joblib")
    router.forget()
    texts = [data.texts[i % len(data.texts)] for i in range(args.texts)]
    router.suggest(texts[0])  # load once
    started = time.perf_counter()
    batch = 1000
    results = []
    for i in range(0, len(texts), batch):
        results.extend(router.suggest_many(texts[i:i + batch]))
    elapsed = time.perf_counter() - started
    single = []
    for text in texts[:300]:
        t0 = time.perf_counter()
        router.suggest(text)
        single.append(1000 * (time.perf_counter() - t0))
    emit({"bench": "router_serving", "train_full_seconds": round(train_seconds, 1),
          "features": model.meta["features"], "temperature": round(model.temperature, 3),
          "suggest_many_texts": len(results), "suggest_many_per_s": round(len(results) / elapsed, 1),
          "suggest_single": percentiles(single),
          "confident_share": round(sum(1 for r in results if r and r.confident) / len(results), 3)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
