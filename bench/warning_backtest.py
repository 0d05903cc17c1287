"""Escalation scores: the backtest's figures beside a baseline measured in the same run, and their ratio.

    uv run python bench/warning_backtest.py [--cases N] [--horizon 90]

Builds a small demo city (``--cases``, default 20000; its escalations are SIMULATED, see docs/warning.md)
in a fresh SQLite database, runs ``fengqiao warning backtest --json`` on it, then on the real Baltimore 311
sample in ``../shared/data/baltimore311/`` (skipped with a message when absent).  Prints one JSON line per
source and a readable line with model / baseline ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import fresh_database, setup_django


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}×"


def run(source: str, horizon: int) -> dict[str, Any] | None:
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("warning", "backtest", "--json", "--source", source, "--horizon", str(horizon), stdout=out)
    except CommandError as error:
        print(f"{source}: skipped — {error}")
        return None
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--horizon", type=int, default=90)
    args = parser.parse_args()
    setup_django(fresh_database("sqlite", "warning"))
    from django.core.management import call_command

    call_command("demo", "--scale", "small", "--cases", str(args.cases), "--workers", "1", stdout=io.StringIO())
    for source in ("city", "baltimore"):
        result = run(source, args.horizon)
        if result is None:
            continue
        print(json.dumps(result, ensure_ascii=False))
        base = result["baseline"]
        print(f"{source}: AUC {result['auc']} vs baseline {base['auc']} ({ratio(result['auc'], base['auc'])}), "
              f"precision@100 {result['precision_at_100']} vs {base['precision_at_100']} "
              f"({ratio(result['precision_at_100'], base['precision_at_100'])}), ECE {result['calibration_error']} "
              f"vs {base['calibration_error']}; test rows {result['test_rows']} ({result['test_escalated']} escalated)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
