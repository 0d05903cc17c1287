"""Reply quality on tipdm2020 ``messages_with_replies.csv`` (2,790 replies): k-fold figures for each score
beside a baseline on the same folds in the same run, then ms per reply with the model trained on all rows.

* explanation (可解释性) vs ``syu_可解释性`` (all rows): ours (char n-grams + rule features, logistic
  regression), the rules alone, a reply-length logistic regression and the majority class; ours' out-of-fold
  predictions also against the second annotator's ``rollbear_可解释性`` (99 rows).
* completeness vs ``rollbear_完整性`` (99 rows): the rules, rules + learned (k-fold), reply length.
* relevance (no labels): a reply against its own message vs the same reply against another message — AUC of
  telling them apart, ours vs word-set Jaccard.

    uv run python bench/reply_quality.py [--folds 5] [--data PATH]
Single-threaded (OMP/OpenBLAS threads = 1); about 90 s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

from _db import ROOT, emit, fresh_database, setup_django  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args()
    if not Path(args.data).exists():
        print(f"skipped: {args.data} is not here (the shared data sits beside the checkout)", file=sys.stderr)
        return 0
    setup_django(fresh_database("sqlite", "reply_quality"))
    from fengqiao.intelligence import reply_quality_train as rqt

    rows = rqt.read_csv(args.data)
    emit({"bench": "reply_quality", **rqt.measure(rows, args.folds)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
