"""Demo data for early warning: legal (filled by its owner; see build.py's early-warning phase)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from typing import Any


def create(org: Any, staff: Any, areas: dict[str, Any], rng: random.Random, now: dt.datetime,
           say: Callable[[str], None]) -> Counter[str]:
    """Write this part's demo rows; returns counts for the build report."""
    return Counter()


def wipe(say: Callable[[str], None]) -> None:
    """Delete this part's demo rows (runs first in the demo's wipe)."""
