"""回避: a mediator may not mediate a dispute she is tied to — she is a party herself, or she declared a
tie (relative, employer, former client …) to a party's phone or ID number.  Compared by keyed hashes only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fengqiao.mediation.models import Mediator, MediatorTie


@dataclass(frozen=True)
class Tie:
    mediator_id: int
    relation: str  # "本人是当事人" or the declared relation


def ties(mediator_ids: Iterable[int], phone_hashes: Iterable[str], id_hashes: Iterable[str]) -> dict[int, Tie]:
    """The mediators among ``mediator_ids`` tied to any party (given by their phone and ID hashes)."""
    wanted = list(mediator_ids)
    phones = {h for h in phone_hashes if h}
    ids = {h for h in id_hashes if h}
    if not wanted or not (phones or ids):
        return {}
    found: dict[int, Tie] = {}
    for pk, phone_hash, id_hash in Mediator.objects.filter(pk__in=wanted).values_list("pk", "phone_hash",
                                                                                      "id_hash"):
        if (phone_hash and phone_hash in phones) or (id_hash and id_hash in ids):
            found[pk] = Tie(pk, "本人是当事人")
    for tie in MediatorTie.objects.filter(mediator_id__in=wanted).only("mediator_id", "relation", "phone_hash",
                                                                       "id_hash"):
        if tie.mediator_id not in found and ((tie.phone_hash and tie.phone_hash in phones)
                                             or (tie.id_hash and tie.id_hash in ids)):
            found[tie.mediator_id] = Tie(tie.mediator_id, tie.relation)
    return found
