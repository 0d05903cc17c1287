"""统一受理登记, in bulk: many validated matters in one transaction, each with its ``register`` event.

The same case, parties and event as :func:`fengqiao.cases.services.register.register` writes, built the
same way (``record`` makes the event: seq 1, prev_hash GENESIS, the chain fields), but three multi-row
INSERTs per batch instead of a few statements per case.  Ids are allocated first, so each event's hash
(which covers the case id) is computed before anything is written.  Idempotent on (channel, external
reference): references already registered — or repeated within the batch — are skipped and reported;
the unique constraint is the last guard against a concurrent writer.  The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, OperationalError, connection, transaction

from fengqiao.accounts.models import User
from fengqiao.cases import deadlines
from fengqiao.cases.models import Case, CaseEvent, Category, Party
from fengqiao.cases.services._core import Acting, record
from fengqiao.cases.services.register import PartyInput, _party
from fengqiao.cases.states import Action, State, next_state
from fengqiao.kit import bulk, clock, ids

REGISTERED = next_state(State.NEW, Action.REGISTER)


@dataclass
class BulkCase:
    """One validated matter, located (grid and its ancestors, when known)."""

    row: int
    channel: str
    title: str
    description: str
    external_ref: str | None = None
    category_id: int | None = None
    urgency: str = "normal"
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    grid_id: int | None = None
    community_id: int | None = None
    street_id: int | None = None
    district_id: int | None = None
    registered_at: dt.datetime | None = None
    parties: list[PartyInput] = field(default_factory=list)


@dataclass
class BulkResult:
    created: list[tuple[int, int]]  # (row, case id)
    duplicates: list[tuple[int, str]]  # (row, external reference)
    cases: list[Case] = field(default_factory=list)  # the created cases, as written


class TermsCache:
    """Deadline terms per (category, urgency), looked up once per job, not once per row."""

    def __init__(self) -> None:
        self._terms: dict[tuple[int | None, str], deadlines.Terms] = {}

    def get(self, category_id: int | None, urgency: str) -> deadlines.Terms:
        key = (category_id, urgency)
        if key not in self._terms:
            category = (Category.objects.select_related("parent__parent").filter(pk=category_id).first()
                        if category_id else None)
            self._terms[key] = deadlines.policy_for(category, urgency)
        return self._terms[key]


def register_bulk(user: User, acting: Acting, items: list[BulkCase], terms: TermsCache) -> BulkResult:
    """Register ``items`` (already validated and authorised as ``acting``); skip known references."""
    for _attempt in range(3):
        fresh, duplicates = _split_known(items)
        try:
            with transaction.atomic():  # a savepoint: a lost race rolls back this attempt only
                cases = _write(user, acting, fresh, terms)
            created = [(item.row, case.pk) for item, case in zip(fresh, cases, strict=True)]
            return BulkResult(created=created, duplicates=duplicates, cases=cases)
        except IntegrityError:
            continue  # another writer registered one of our references (or a code clashed): look again
        except OperationalError as e:
            if "deadlock" not in str(e).lower():
                raise
            continue  # two import workers each waited on a reference the other was writing: look again
    raise IntegrityError("批量登记多次与并发写入冲突，请重试。")


def _split_known(items: list[BulkCase]) -> tuple[list[BulkCase], list[tuple[int, str]]]:
    refs_typed: set[tuple[str, str]] = {(i.channel, i.external_ref) for i in items if i.external_ref is not None}
    known: set[tuple[str, str]] = set()
    for channel in {c for c, _r in refs_typed}:
        wanted = [r for c, r in refs_typed if c == channel]
        known |= {(channel, str(r)) for r in Case.objects.filter(channel=channel, external_ref__in=wanted)
                  .values_list("external_ref", flat=True)}
    fresh, duplicates = [], []
    for item in items:
        key = (item.channel, item.external_ref or "")
        if item.external_ref and key in known:
            duplicates.append((item.row, item.external_ref))
            continue
        if item.external_ref:
            known.add(key)  # a repeat later in the same batch is a duplicate too
        fresh.append(item)
    return fresh, duplicates


def _codes(items: list[BulkCase], now: dt.datetime) -> list[str]:
    codes = [ids.tracking_code(clock.localtime(i.registered_at or now).date()) for i in items]
    while True:
        taken = set(Case.objects.filter(code__in=codes).values_list("code", flat=True))
        seen: set[str] = set()
        clash = False
        for n, code in enumerate(codes):
            if code in taken or code in seen:
                codes[n] = ids.tracking_code(clock.localtime(items[n].registered_at or now).date())
                clash = True
            seen.add(codes[n])
        if not clash:
            return codes


def allocate_ids(model: type[Case] | type[CaseEvent], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, reserved before the INSERT (we hold the write lock on
    SQLite — transactions are IMMEDIATE — and PostgreSQL sequences never hand out a value twice)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f'SELECT MAX(id) FROM "{table}"')
        top = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
        return list(range(top + 1, top + 1 + count))


def _write(user: User, acting: Acting, items: list[BulkCase], terms: TermsCache) -> list[Case]:
    if not items:
        return []
    now = clock.now()
    codes = _codes(items, now)
    pks = allocate_ids(Case, len(items))
    cases: list[Case] = []
    parties: list[Party] = []
    events: list[CaseEvent] = []
    for item, code, pk in zip(items, codes, pks, strict=True):
        at = item.registered_at or now
        agreed = terms.get(item.category_id, item.urgency)
        case = Case(
            pk=pk, code=code, channel=item.channel, external_ref=item.external_ref or None,
            title=item.title, description=item.description, category_id=item.category_id,
            urgency=item.urgency, status=REGISTERED.value, address=item.address[:200],
            lng=item.lng, lat=item.lat, grid_id=item.grid_id, community_id=item.community_id,
            street_id=item.street_id, district_id=item.district_id, registered_by=user,
            registered_unit=acting.unit, citizen=None, registered_at=at,
            deadline=deadlines.resolve_deadline(at, agreed),
        )
        events.append(record(case, Action.REGISTER, State.NEW, REGISTERED, acting, at=at,
                             data={"channel": item.channel, "terms": agreed.describe()}))
        parties.extend(_party(case, p) for p in item.parties)
        cases.append(case)
    bulk.insert(Case, cases)
    bulk.insert(Party, parties)
    bulk.insert(CaseEvent, events)
    for case in cases:  # written: the objects now stand for saved rows
        case._state.adding, case._state.db = False, connection.alias
    return cases
