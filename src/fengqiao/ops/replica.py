"""Reads of the cockpit, the reports and the public board from a read replica (``FENGQIAO_REPLICA_URL``).

Two conditions send a read to the ``replica`` database, both needed (docs/adr/0016-read-replica-router.md):

* **the request asked for it**: the view runs under :func:`reading_from_replica` (the :func:`replica_reads`
  decorator): the cockpit page, its data and its drill-down, the reports' list and downloads, the public
  board;
* **the table tolerates lag**: the model is in :data:`REPLICA_MODELS`, the rollups written by the workers
  (``cockpit_fact``, the assessment's unit months, hot issues) and reference data changed rarely by
  administrators (areas, units, categories, assessment formulas).

Everything else goes to the primary, inside those views too: the session, the user, her roles and scope
(a role taken away must stop working at once, not after the replica's lag), cases, risk entries, audit
records — whatever a request writes or must read back.  Every write goes to the primary, and so does every
read while the primary's connection is inside a transaction.

When the replica cannot be reached as a view starts, the view reads from the primary and a warning is
logged; the replica is not tried again for :data:`RETRY_SECONDS`.  A replica that fails in the middle of a
view raises ``OperationalError``, which ``ops.dbdown`` answers with a 503 like any database outage.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from fengqiao.ops.dbdown import DATABASE_ERRORS

log = logging.getLogger(__name__)

REPLICA = "replica"
RETRY_SECONDS = 30.0  # a replica found down is not tried again before this, so no request waits for it

# ``app_label.model_name`` of the tables read from the replica under ``reading_from_replica``: written only
# by the workers' rollups or rarely by administrators, so seconds of lag change nothing a reader sees.
REPLICA_MODELS = frozenset({
    "cockpit.fact", "cockpit.factmonth",  # the cockpit's and the reports' figures (cockpit/rollup.py)
    "analytics.unitmonth", "analytics.rollupmonth", "analytics.assessmentformula",  # the rankings
    "intelligence.hotissuerun", "intelligence.hotissue", "intelligence.hotissuecase",  # the hot issues
    "jurisdictions.area", "jurisdictions.unit", "cases.category",  # names, outlines, the category tree
})

_reading: ContextVar[bool] = ContextVar("fengqiao_replica_reads", default=False)
_lock = threading.Lock()
_down_until = 0.0  # time.monotonic() before which the replica is taken as down


def configured() -> bool:
    """Whether this process has a replica database (``FENGQIAO_REPLICA_URL``)."""
    return REPLICA in connections.settings


def active() -> bool:
    """Whether reads of :data:`REPLICA_MODELS` go to the replica now."""
    return _reading.get()


def alias_for_reads(model: type[Model] | None = None) -> str:
    """The database a read of ``model`` (of the replica's tables when ``None``) goes to now; for raw SQL:
    ``connections[alias_for_reads()]``."""
    if not _reading.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if model is not None and model._meta.label_lower not in REPLICA_MODELS:
        return DEFAULT_DB_ALIAS
    return REPLICA


def forget_failure() -> None:
    """Try the replica again at the next view (tests; an operator would just wait ``RETRY_SECONDS``)."""
    global _down_until
    with _lock:
        _down_until = 0.0


def usable() -> bool:
    """Whether the replica answers now (its kept connection checked, or a new one opened).  A failure is
    logged once and remembered for ``RETRY_SECONDS``."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()  # a kept connection the replica's restart killed
        connection.ensure_connection()
    except DATABASE_ERRORS as error:
        with _lock:
            _down_until = time.monotonic() + RETRY_SECONDS
        log.warning("read replica unavailable, reading from the primary for %gs: %s", RETRY_SECONDS, error)
        connection.close()
        return False
    return True


@contextmanager
def reading_from_replica() -> Iterator[bool]:
    """Within the block, reads of :data:`REPLICA_MODELS` go to the replica if one is configured and
    answers (and the primary's connection is not inside a transaction); yields whether they do."""
    use = configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block and usable()
    token = _reading.set(use)
    try:
        yield use
    finally:
        _reading.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def replica_reads(view: Callable[P, R]) -> Callable[P, R]:
    """A view decorator: the view's reads of the replica's tables go to the replica (see the module)."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with reading_from_replica():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads as :func:`alias_for_reads` says, writes and migrations on the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return alias_for_reads(model)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # one database, copied

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
