"""Fast inserts for the big tables: one prepared INSERT, ``executemany`` over plain tuples.

``bulk_create`` builds a model instance and runs every field's preparation for each row; for a million
case events that alone takes longer than the insert.  Here the caller gives values that are already what
the column holds (encrypted text already encrypted), and only datetimes and JSON are adapted, by the
backend's own adapters, so SQLite and PostgreSQL both work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import DateTimeField, JSONField


def _sqlite_utc(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, ``str``), without its checks."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, DateTimeField):
        if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
            return _sqlite_utc
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


class Inserter:
    """Inserts rows of ``columns`` (attribute names, e.g. ``case_id``) into ``model``'s table."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        quote = connection.ops.quote_name
        fields = [model._meta.get_field(name) for name in columns]
        self.columns = list(columns)
        self.convert = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]  # type: ignore[arg-type]
        names = ", ".join(quote(str(f.column)) for f in fields)  # type: ignore[union-attr]
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"

    def prepare(self, row: Sequence[Any]) -> tuple[Any, ...]:
        if not self.convert:
            return tuple(row)
        values = list(row)
        for index, convert in self.convert:
            if values[index] is not None:
                values[index] = convert(values[index])
        return tuple(values)

    def insert(self, rows: Sequence[Sequence[Any]], chunk: int = 5000, *, prepared: bool = False) -> int:
        """Insert ``rows``; ``prepared`` when they already went through :meth:`prepare`."""
        with connection.cursor() as cursor:
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                cursor.executemany(self.sql, part if prepared else [self.prepare(r) for r in part])
        return len(rows)


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """After inserting explicit primary keys: move PostgreSQL's sequences past them (no-op on SQLite)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
