"""Records that change by actions (a dispute, a risk entry, an assessment, a screening campaign): the
abstract event row each change writes (its history and audit trail), the optimistic save of a step, and the
row lock a scoped loader takes.  No domain knowledge: each app names its parent, its messages and its table.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, Self, TypeVar

from django.conf import settings
from django.db import connection, models
from django.db.models import Max, QuerySet

from fengqiao.kit.errors import Conflict, DomainError

M = TypeVar("M", bound=models.Model)


class RecordEvent(models.Model):
    """One change of a record.  A concrete subclass adds the foreign key to its record, named by
    ``parent_field`` (``related_name="events"``), and its own Meta (ordering, a unique (parent, seq))."""

    parent_field: ClassVar[str]

    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, f'{self.parent_field}_id')}#{self.seq} {self.action}"

    @classmethod
    def append(cls, parent: models.Model, **values: Any) -> Self:
        """The parent's next event (its ``seq`` one past the last); the caller holds the parent's row lock."""
        rows = cls._default_manager.filter(**{cls.parent_field: parent})
        last = rows.aggregate(last=Max("seq"))["last"] or 0
        data = values.pop("data", None) or {}
        return cls._default_manager.create(**{cls.parent_field: parent}, seq=last + 1, data=data, **values)


class StateEvent(RecordEvent):
    """A change of a record with a state machine: the state before and after."""

    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)

    class Meta:
        abstract = True


class Versioned(Protocol):
    pk: Any
    version: int


def check_version(record: Versioned, expected_version: int | None, message: str) -> None:
    """Refuse (409) an action taken on a page older than the record: ``expected_version`` is what she saw."""
    if expected_version is not None and expected_version != record.version:
        raise Conflict(message)


def save_versioned(record: Versioned, fields: set[str], message: str) -> None:
    """Save ``fields`` and bump ``version`` only if nobody changed the record since it was read (409 with
    ``message`` otherwise)."""
    values = {name: getattr(record, name) for name in fields}
    manager = type(record)._default_manager  # type: ignore[attr-defined]
    updated = manager.filter(pk=record.pk, version=record.version).update(version=record.version + 1, **values)
    if updated != 1:
        raise Conflict(message)
    record.version += 1


def locked(qs: QuerySet[M]) -> QuerySet[M]:
    """``qs`` with a row lock on its own table's rows (not the joined ones, where the database can say so)."""
    return qs.select_for_update(of=("self",)) if connection.features.has_select_for_update_of else (
        qs.select_for_update())


def first_or(qs: QuerySet[M], missing: DomainError, *, for_update: bool = False) -> M:
    """The first row of ``qs`` (locked if asked), or ``missing`` raised."""
    found = (locked(qs) if for_update else qs).first()
    if found is None:
        raise missing
    return found
