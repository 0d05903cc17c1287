"""Small portable SQL helpers."""

from __future__ import annotations

from typing import Any

from django.db.models import Func


class Unindexed(Func):
    """Order by a column without letting SQLite's planner walk that column's index.

    For a small filtered set (the open cases waiting for a dispatcher, the overdue ones) SQLite, which
    knows only average selectivities, prefers walking the ORDER BY column's index over the whole table
    (170 ms over 200,000 cases) to using the status index and sorting a few hundred rows (under 3 ms).
    The unary ``+`` is SQLite's documented way to take an index out of consideration; PostgreSQL has
    real statistics and gets the plain column.
    """

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)
