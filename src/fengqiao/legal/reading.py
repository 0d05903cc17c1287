"""What the detector reads of a case (its text, categories, channel, respondents) and what its history
says (repeat contacts, unsatisfied evaluations, reopenings) — in bulk for many cases at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count

from fengqiao.cases.models import Case, Category, Evaluation, Party, PartyRole, Satisfaction
from fengqiao.legal.detector import Matter, Signals


def category_paths() -> dict[int, tuple[str, ...]]:
    """Each category's name and its ancestors' names."""
    rows = {pk: (name, parent) for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")}
    paths: dict[int, tuple[str, ...]] = {}
    for pk in rows:
        names, node, seen = [], pk, 0
        while node is not None and seen < 6:
            name, parent = rows[node]
            names.append(name)
            node, seen = parent, seen + 1
        paths[pk] = tuple(names)
    return paths


def respondents(case_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    for party in Party.objects.filter(case_id__in=list(case_ids), role=PartyRole.RESPONDENT).only("case_id", "name"):
        found[party.case_id].append(party.name or "")
    return {k: tuple(v) for k, v in found.items()}


def matter_of(case: Case, paths: dict[int, tuple[str, ...]] | None = None,
              names: tuple[str, ...] | None = None) -> Matter:
    paths = paths if paths is not None else category_paths()
    names = names if names is not None else respondents([case.pk]).get(case.pk, ())
    return Matter(title=case.title, text=case.description, categories=paths.get(case.category_id or 0, ()),
                  channel=case.channel, respondents=names)


def signals_of(case_ids: list[int]) -> dict[int, Signals]:
    """Repeat contacts (other cases of the same reporter's phone, reports merged into the case),
    unsatisfied evaluations and reopenings of each case."""
    phones: dict[int, set[str]] = defaultdict(set)
    for case_id, phone_hash in Party.objects.filter(case_id__in=case_ids).exclude(phone_hash="").values_list(
            "case_id", "phone_hash"):
        phones[case_id].add(phone_hash)
    wanted = sorted({h for hs in phones.values() for h in hs})
    by_phone: dict[str, set[int]] = defaultdict(set)
    for start in range(0, len(wanted), 500):
        for case_id, phone_hash in Party.objects.filter(phone_hash__in=wanted[start:start + 500]).values_list(
                "case_id", "phone_hash"):
            by_phone[phone_hash].add(case_id)
    merged = dict(Case.objects.filter(duplicate_of_id__in=case_ids).values_list("duplicate_of_id")
                  .annotate(n=Count("pk")))
    unsatisfied = dict(Evaluation.objects.filter(case_id__in=case_ids, rating=Satisfaction.UNSATISFIED)
                       .values_list("case_id").annotate(n=Count("pk")))
    reopened = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reopen_count"))
    result = {}
    for case_id in case_ids:
        others: set[int] = set()
        for phone_hash in phones.get(case_id, ()):
            others |= by_phone[phone_hash]
        others.discard(case_id)
        result[case_id] = Signals(repeat_contacts=len(others) + merged.get(case_id, 0),
                                  unsatisfied=unsatisfied.get(case_id, 0), reopened=reopened.get(case_id, 0))
    return result
