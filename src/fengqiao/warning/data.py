"""Records for the features, read from the case tables: all of them (training, the backtest) or only the
history that one case is scored against (its parties, its place, its grid)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from fengqiao.cases.models import Case, Category, Evaluation, Party, Satisfaction
from fengqiao.warning.features import DAY, HISTORY_DAYS, Record, place_key, ts

FIELDS = ("id", "registered_at", "channel", "category_id", "urgency", "title", "description", "address", "grid_id",
          "deadline", "overdue_since", "replied_at", "closed_at")


def _categories() -> dict[int, tuple[str, str]]:
    """Category id → (its name, its top-level ancestor's name)."""
    rows = {pk: (name, parent) for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")}
    out = {}
    for pk, (name, parent) in rows.items():
        top = name
        seen = 0
        while parent is not None and seen < 5:
            top, parent = rows[parent]
            seen += 1
        out[pk] = (name, top)
    return out


def records(cases: QuerySet[Case], *, chunk: int = 20_000) -> list[Record]:
    """The records of ``cases`` (with their parties' hashes and unsatisfied evaluations), in id order."""
    categories = _categories()
    out: list[Record] = []
    ids: list[int] = []
    last = 0
    while True:
        rows = list(cases.filter(id__gt=last).order_by("id").values_list(*FIELDS)[:chunk])
        if not rows:
            break
        last = rows[-1][0]
        batch = [r[0] for r in rows]
        keys: dict[int, set[str]] = defaultdict(set)
        for case_id, phone, ident in Party.objects.filter(case_id__in=batch).exclude(
                role="respondent").values_list("case_id", "phone_hash", "id_hash"):
            keys[case_id] |= {f"p:{phone}"} if phone else set()
            keys[case_id] |= {f"i:{ident}"} if ident else set()
        bad: dict[int, list[float]] = defaultdict(list)
        for case_id, at in Evaluation.objects.filter(case_id__in=batch, rating=Satisfaction.UNSATISFIED).values_list(
                "case_id", "at"):
            bad[case_id].append(at.timestamp())
        for (pk, registered, channel, category, urgency, title, description, address, grid, deadline, overdue_since,
             replied, closed) in rows:
            name, top = categories.get(category, ("", "")) if category is not None else ("", "")
            record = Record(id=pk, at=registered.timestamp(), channel=channel, category=name, top=top,
                            urgency=urgency, text=f"{title} {description}", place=place_key(address), grid=grid,
                            deadline=ts(deadline), overdue_since=ts(overdue_since), replied=ts(replied),
                            closed=ts(closed), party_keys=tuple(sorted(keys.get(pk, ()))),
                            unsatisfied=tuple(sorted(bad.get(pk, ()))))
            record.analyse()
            out.append(record)
        ids += batch
    return out


def everything() -> list[Record]:
    return records(Case.objects.all())


def around(case: Case, as_of: dt.datetime) -> tuple[Record, list[Record]]:
    """The record of ``case`` and the history it is scored against: the cases of its parties, at its place
    and in its grid, from a year before ``as_of`` up to ``as_of``."""
    own = records(Case.objects.filter(pk=case.pk))[0]
    since = dt.datetime.fromtimestamp(as_of.timestamp() - (HISTORY_DAYS + 1) * DAY, tz=dt.UTC)
    q = Q(pk=case.pk)
    phones = [k[2:] for k in own.party_keys if k.startswith("p:")]
    idents = [k[2:] for k in own.party_keys if k.startswith("i:")]
    party_cases = Party.objects.filter(Q(phone_hash__in=phones) | Q(id_hash__in=idents)).values("case_id")
    if phones or idents:
        q |= Q(pk__in=party_cases)
    if own.place:
        q |= Q(address__startswith=own.place)
    if case.grid_id is not None:
        q |= Q(grid_id=case.grid_id, registered_at__gte=as_of - dt.timedelta(days=31))
    found = records(Case.objects.filter(q, registered_at__gte=since, registered_at__lte=as_of))
    return own, [r for r in found if r.id != own.id] + [own]


def place_matches(records_: Iterable[Record], place: str) -> list[Record]:
    return [r for r in records_ if r.place == place]
