"""What an import did: counts and the bad rows, by number, with the reason (DESIGN rule 8)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.utils.translation import gettext as _

T = TypeVar("T")
Progress = Callable[[int], object]  # called with the number of records just handled (tqdm's update)


@dataclass(frozen=True)
class BadRow:
    number: int
    code: str
    message: str

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return _("第 %(n)s 行%(code)s：%(msg)s") % {"n": self.number, "code": code, "msg": self.message}


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[BadRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def bad(self, number: int, code: str, message: str) -> None:
        self.errors.append(BadRow(number, code, message))

    def summary(self) -> str:
        head = _("（试运行，未写入）") if self.dry_run else ""
        return head + _(
            "共 %(total)s 行：新建 %(created)s，更新 %(updated)s，未变 %(unchanged)s，错误 %(bad)s"
        ) % {"total": self.total, "created": self.created, "updated": self.updated,
             "unchanged": self.unchanged, "bad": len(self.errors)}

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "dry_run": self.dry_run,
                "errors": [{"row": e.number, "code": e.code, "message": e.message}
                           for e in sorted(self.errors, key=lambda e: e.number)]}


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def text(fields: dict[str, Any], key: str) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    return str(value).strip()


def parse_population(raw: Any) -> int | None:
    """Empty → None; a non-negative whole number (``12,000`` and ``12000.0`` accepted) or ValueError."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        value = raw
    else:
        number = float(str(raw).replace(",", "").strip())
        if not number.is_integer():
            raise ValueError
        value = int(number)
    if value < 0:
        raise ValueError
    return value


class RowError(ValueError):
    """One CSV row refused, with the reason shown to the importer (the import keeps its good rows)."""


_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f"}


def parse_bool(raw: str, name: str, default: bool) -> bool:
    """A yes/no cell of an import file: 1/0, true/false, yes/no, 是/否; empty → ``default``."""
    value = raw.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowError(_("%(name)s“%(raw)s”应为 1/0、是/否") % {"name": name, "raw": raw})
