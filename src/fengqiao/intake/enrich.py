"""Enrichment on the way in: classify, locate, index for duplicates — each optional.

The router, the gazetteer and the duplicate index are other modules (fengqiao.intelligence.router,
fengqiao.intake.gazetteer, fengqiao.intelligence.dedup).  They are imported lazily; when one is missing
(not installed yet, no trained model, no match) the row goes on without that enrichment, and a failure
inside one of them is logged once and skipped — an import never stops because a suggestion failed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)
_warned: set[str] = set()


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return found
    except (ImportError, AttributeError):
        return None


def _guarded(what: str, fn: Callable[..., Any] | None, *args: Any) -> Any:
    if fn is None:
        return None
    try:
        with transaction.atomic():  # a savepoint: a failed query inside must not poison our transaction
            return fn(*args)
    except Exception:  # another module's failure must not stop an import; logged (no personal data)
        if what not in _warned:
            _warned.add(what)
            logger.exception("intake enrichment %s failed; continuing without it", what)
        return None


def classify_many(texts: Sequence[str]) -> list[int | None]:
    """A confident category id per text, or None (no model, not confident, or no router)."""
    if not texts:
        return []
    fn = _function("fengqiao.intelligence.router", "suggest_many")
    found = _guarded("classify", fn, list(texts), [{} for _ in texts])
    if not found:
        return [None] * len(texts)
    result: list[int | None] = []
    for suggestion in found:
        if suggestion is not None and suggestion.confident and suggestion.categories:
            result.append(int(suggestion.categories[0][0]))
        else:
            result.append(None)
    return result


def locate_many(addresses: Sequence[str]) -> list[Any]:
    """A ``Located`` (district/street/community/grid ids, lng, lat) per address text, or None."""
    if not addresses:
        return []
    fn = _function("fengqiao.intake.gazetteer", "locate_many")
    found = _guarded("locate", fn, list(addresses))
    return list(found) if found else [None] * len(addresses)


def index_new(cases: Sequence[Any]) -> None:
    """Add the just-registered cases' fingerprints to the duplicate index (when it exists), from the
    values in hand: no read-back."""
    if cases:
        rows = [(c.pk, c.title, c.description, c.registered_at, c.street_id) for c in cases]
        _guarded("dedup", _function("fengqiao.intelligence.dedup", "index_new"), rows)
