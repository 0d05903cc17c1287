"""个案补贴: what a concluded mediation earns its mediator, from the schedule (SubsidyRate: kind ×
difficulty → amount, and the share paid when the mediation fails).  One function decides it, so the
workflow (which stores Mediation.subsidy at the conclusion) and the monthly statements agree."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from fengqiao.mediation.models import Agreement, Mediation, SubsidyRate
from fengqiao.mediation.states import CONCLUDED, SUCCEEDED, MState

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# (kind id, difficulty) → (amount, failed share)
Rates = dict[tuple[int, str], tuple[Decimal, Decimal]]


def rate_table() -> Rates:
    """The whole schedule in one query, for callers that price many mediations (statements)."""
    return {(kind_id, difficulty): (amount, share) for kind_id, difficulty, amount, share
            in SubsidyRate.objects.values_list("kind_id", "difficulty", "amount", "failed_share")}


def succeeded(mediation: Mediation) -> bool:
    """Concluded with an agreement: the agreed states, and a referral after the court refused to confirm
    the agreement (the mediator's work produced one)."""
    if mediation.state in SUCCEEDED:
        return True
    return mediation.state == MState.REFERRED and Agreement.objects.filter(mediation_id=mediation.pk).exists()


def price(kind_id: int, difficulty: str, *, agreed: bool, rates: Rates | None = None) -> Decimal:
    """The schedule's amount for a kind and difficulty: in full with an agreement, × the failed share
    without; nothing when the schedule has no rate for them."""
    found = (rates if rates is not None else rate_table()).get((kind_id, difficulty))
    if found is None:
        return ZERO
    amount, share = found
    return (amount if agreed else amount * share).quantize(CENT, rounding=ROUND_HALF_UP)


def subsidy_for(mediation: Mediation, *, rates: Rates | None = None, agreed: bool | None = None) -> Decimal:
    """The subsidy in yuan of a concluded mediation: the rate of its kind and difficulty when it succeeded,
    that rate × its failed share when it concluded without an agreement, nothing when it did not conclude
    (declined, withdrawn, still open).  ``agreed`` spares the agreement look-up."""
    if mediation.state not in CONCLUDED:
        return ZERO
    success = succeeded(mediation) if agreed is None else agreed
    return price(mediation.kind_id, mediation.difficulty, agreed=success, rates=rates)
