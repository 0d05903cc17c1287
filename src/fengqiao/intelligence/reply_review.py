"""答复质量审核: a reply is scored when a handler sends it; a weak one is held for the unit's reviewer.

The reviewer of a unit is a user with the **leader** role (领导) whose membership names that unit: there is
no separate reviewer role, and a unit leader signing off a department's answer is how 12345 offices work.
A unit with no such leader has no hold: its weak replies go out and are recorded as flagged.

The hold needs no new case state: the case stays 办理中 (accepted) and the held reply is an *internal* note
event the citizen never sees.  Approval writes the reply event (audience: parties) exactly as a reply would;
sending back writes an internal note with the reviewer's reason, and the handler replies again.
"""

from __future__ import annotations

import os

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import Audience
from fengqiao.cases import deadlines
from fengqiao.cases.models import AssignmentStatus, Case, CaseEvent
from fengqiao.cases.services import handling
from fengqiao.cases.services._core import (
    Acting,
    access_case,
    authorize,
    check_version,
    lead_assignment,
    lock_case,
    record,
    require_text,
    save,
    transition,
)
from fengqiao.cases.states import Action, State
from fengqiao.intelligence import reply_quality
from fengqiao.intelligence.models import ReplyReview, ReplyReviewStatus
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied

REVIEWER_ROLE = Role.LEADER


def hold_enabled() -> bool:
    return (os.environ.get("FENGQIAO_REPLY_QUALITY_HOLD") or "1").strip().lower() in {"1", "true", "yes", "on"}


def message_of(case: Case) -> str:
    return f"{case.title}。{case.description}"


def check_reply_text(text: str) -> str:
    return require_text(text, "text", _("答复内容"), max_length=handling.REPLY_MAX_LENGTH, min_length=10)


def reviewer_units(user: User) -> list[int]:
    return list(Membership.objects.filter(user=user, role=REVIEWER_ROLE, unit__isnull=False)
                .values_list("unit_id", flat=True))


def is_reviewer(user: User) -> bool:
    return bool(user.is_authenticated and reviewer_units(user))


def has_reviewer(unit_id: int | None) -> bool:
    return unit_id is not None and Membership.objects.filter(role=REVIEWER_ROLE, unit_id=unit_id).exists()


def pending_reviews(user: User) -> QuerySet[ReplyReview]:
    """The 答复待审 queue: held replies of the units the user reviews, oldest first."""
    units = reviewer_units(user)
    if not units:
        raise PermissionDenied(_("只有本单位的审核人（单位领导）可以查看答复待审。"))
    # a held reply whose case has since left the unit (re-dispatched) cannot go out: not in the queue
    return (ReplyReview.objects.filter(unit_id__in=units, status=ReplyReviewStatus.PENDING,
                                       case__status=State.ACCEPTED, case__lead_unit_id=F("unit_id"))
            .select_related("case", "unit", "author").order_by("submitted_at", "pk"))


def _scores_data(scores: reply_quality.ReplyScores) -> dict[str, object]:
    return {"relevance": scores.relevance, "completeness": scores.completeness, "explanation": scores.explanation,
            "weak": scores.weak, "reasons": scores.reasons}


@transaction.atomic
def submit_reply(user: User, case_id: int | str, *, text: str, expected_version: int | None = None) -> ReplyReview:
    """The handler sends a reply: scored; a good one (or one from a unit with no reviewer) goes out through
    ``cases.services.reply``; a weak one is held for the unit's reviewer."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.REPLY)  # the checks in the order cases.services.reply makes them
    transition(case, Action.REPLY)
    body = check_reply_text(text)
    scores = reply_quality.score(message_of(case), body)
    now = clock.now()
    fields = {"relevance": scores.relevance, "completeness": scores.completeness, "explanation": scores.explanation,
              "reasons": scores.reasons, "flagged": scores.weak, "text": body, "case": case, "submitted_at": now}
    unit_id = acting.unit.pk if acting.unit else None
    if not (scores.weak and case.state == State.ACCEPTED and hold_enabled() and has_reviewer(unit_id)):
        handling.reply(user, case.pk, text=body)
        event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
        return ReplyReview.objects.create(unit_id=unit_id, author=user, status=ReplyReviewStatus.SENT,
                                          event=event, **fields)
    ReplyReview.objects.filter(case=case, status=ReplyReviewStatus.PENDING).update(
        status=ReplyReviewStatus.SUPERSEDED)
    review = ReplyReview.objects.create(unit_id=unit_id, author=user, status=ReplyReviewStatus.PENDING, **fields)
    before, after = transition(case, Action.NOTE)
    note = "答复质量偏低，已提交本单位审核，审核通过后发送给群众。" + "；".join(scores.reasons)
    event = record(case, Action.NOTE, before, after, acting, at=now, note=note[:2000], audience=Audience.INTERNAL,
                   data={"reply_review": review.pk, "kind": "reply_held", "scores": _scores_data(scores)})
    save(case, event)
    review.event = event
    review.save(update_fields=["event"])
    return review


def access_review(user: User, review_id: int) -> ReplyReview:
    """The only loader of a review to decide on: the user must review its unit; locked; still pending."""
    units = reviewer_units(user)
    if not units:
        raise PermissionDenied(_("只有本单位的审核人（单位领导）可以审核答复。"))
    review = (ReplyReview.objects.select_for_update(of=("self",)) if _lock_of() else ReplyReview.objects) \
        .filter(pk=review_id, unit_id__in=units).first()
    if review is None:
        raise NotFound(_("没有找到待审答复 %(id)s，或它不属于您审核的单位。") % {"id": review_id})
    if review.status != ReplyReviewStatus.PENDING:
        raise Conflict(_("这份答复已%(status)s，不能再次审核。") % {"status": review.get_status_display()})
    return review


def _lock_of() -> bool:
    from django.db import connection

    return bool(connection.features.has_select_for_update_of)


def _held_case(review: ReplyReview) -> Case:
    case = lock_case(review.case_id)
    lead = lead_assignment(case)
    if case.state != State.ACCEPTED or lead is None or lead.unit_id != review.unit_id:
        raise Conflict(_("案件已不在本单位办理中（可能已改派或已答复），这份答复不能再发送。"))
    return case


@transaction.atomic
def approve(user: User, review_id: int, *, note: str = "") -> ReplyReview:
    """审核通过: the held reply goes to the citizen (the reply event, as ``cases.services.reply`` writes it)."""
    review = access_review(user, review_id)
    case = _held_case(review)
    acting = Acting(user, REVIEWER_ROLE, review.unit)
    before, after = transition(case, Action.REPLY)
    now = clock.now()
    terms = deadlines.policy_for(case.category, case.urgency)
    case.assignments.filter(status=AssignmentStatus.ACCEPTED).update(status=AssignmentStatus.DONE, closed_at=now)
    case.reply = review.text
    case.replied_at = now
    case.evaluation_deadline = deadlines.evaluation_deadline(now, terms)
    event = record(case, Action.REPLY, before, after, acting, at=now, note=review.text, data={
        "unit_name": review.unit.name if review.unit else "", "reply_review": review.pk,
        "written_by": review.author_id, "approved_by": user.pk, "review_note": note.strip()[:1000]})
    save(case, event, ["reply", "replied_at", "evaluation_deadline"])
    return _decided(review, user, ReplyReviewStatus.APPROVED, note.strip()[:1000], event)


@transaction.atomic
def send_back(user: User, review_id: int, *, note: str) -> ReplyReview:
    """退回修改: the reply does not go out; the handler sees the reviewer's note and replies again."""
    review = access_review(user, review_id)
    text = require_text(note, "note", _("退回意见"), max_length=1000, min_length=2)
    case = _held_case(review)
    acting = Acting(user, REVIEWER_ROLE, review.unit)
    before, after = transition(case, Action.NOTE)
    event = record(case, Action.NOTE, before, after, acting, note=f"答复退回修改：{text}", audience=Audience.INTERNAL,
                   data={"reply_review": review.pk, "kind": "reply_returned"})
    save(case, event)
    return _decided(review, user, ReplyReviewStatus.RETURNED, text, event)


def _decided(review: ReplyReview, user: User, status: str, note: str, event: CaseEvent) -> ReplyReview:
    review.status = status
    review.reviewed_by = user
    review.reviewed_at = event.at
    review.decision_note = note
    review.decision_event = event
    review.save(update_fields=["status", "reviewed_by", "reviewed_at", "decision_note", "decision_event"])
    return review
