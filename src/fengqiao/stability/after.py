"""报告 and 备案/跟踪: issuing the report, filing it, tracking the measures after the decision, ending the
tracking.  One transaction and one event each.  The report's PDF is made on its first opening (pdf.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases.services._core import require_text
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, ValidationFailed
from fengqiao.stability import services
from fengqiao.stability.models import Decision, Measure
from fengqiao.stability.states import Conclusion, DAction

A = DAction


@transaction.atomic
def issue_report(user: User, code: str, *, note: str = "", expected_version: int | None = None) -> Decision:
    """出具评估报告: the assessment's record is final from now; the PDF is made from it."""
    decision, acting = services.load(user, code, A.ISSUE_REPORT, expected_version)
    decision.reported_at = clock.now()
    return services.step(decision, A.ISSUE_REPORT, acting, note=(note or "").strip(), fields=("reported_at",))


@transaction.atomic
def file(user: User, code: str, *, note: str, expected_version: int | None = None) -> Decision:
    """备案: the report filed with the decision-making body (and the decision it took); tracking starts."""
    text = require_text(note, "note", _("备案情况"), max_length=2000)
    decision, acting = services.load(user, code, A.FILE, expected_version)
    decision.filing_note, decision.filed_at = text, clock.now()
    return services.step(decision, A.FILE, acting, note=text, fields=("filing_note", "filed_at"))


@transaction.atomic
def track(user: User, code: str, *, measure_id: int | None, progress: str, done: bool = False,
          expected_version: int | None = None) -> Measure:
    """跟踪: a measure's progress recorded (dated, appended); ``done`` marks it carried out."""
    text = require_text(progress, "progress", _("落实情况"), max_length=2000)
    decision, acting = services.load(user, code, A.TRACK, expected_version)
    measure = decision.measures.select_related("responsible_unit").filter(pk=measure_id).first() if (
        measure_id is not None) else None
    if measure is None:
        raise ValidationFailed(_("请选择要跟踪的措施。"), fields={"measure_id": _("请选择措施")})
    if measure.done_at is not None:
        raise Conflict(_("这项措施已于 %(d)s 落实完毕。") % {"d": clock.localtime(measure.done_at).date().isoformat()})
    line = f"{clock.localtime():%Y-%m-%d} {text}"
    measure.progress = f"{measure.progress}\n{line}" if measure.progress else line
    if done:
        measure.done_at = clock.now()
    measure.save(update_fields=["progress", "done_at"])
    services.step(decision, A.TRACK, acting, note=text,
                  data={"measure": measure.pk, "unit_name": measure.responsible_unit.name, "done": bool(done)})
    return measure


@transaction.atomic
def close(user: User, code: str, *, note: str, expected_version: int | None = None) -> Decision:
    """结束跟踪: the decision carried out with its measures (or postponed / stopped for good)."""
    text = require_text(note, "note", _("跟踪总结"), max_length=2000)
    decision, acting = services.load(user, code, A.CLOSE, expected_version)
    open_measures = decision.measures.filter(done_at__isnull=True).count()
    if decision.conclusion in (Conclusion.GO, Conclusion.CONDITIONAL) and open_measures:
        raise ValidationFailed(_("还有 %(n)s 项措施尚未落实，不能结束跟踪。") % {"n": open_measures},
                               fields={"note": _("措施尚未全部落实")})
    decision.closed_at = clock.now()
    return services.step(decision, A.CLOSE, acting, note=text, fields=("closed_at",))
