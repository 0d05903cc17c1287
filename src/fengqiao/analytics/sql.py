"""A timestamp as seconds since the epoch (a float), computed by the database.

Reading 400,000 timestamps through the driver costs seconds (parsing, time zones); the rollup only
compares them, so it reads plain numbers instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import FloatField, Func


class Epoch(Func):
    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8",
                           **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # Django keeps UTC text ('YYYY-MM-DD HH:MM:SS[.ffffff]'); julianday() reads it
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra_context)
