"""The demo's mediation, as the login table tells it: mediators with work, the judge with applications to
rule on, and dispute codes with their applicants' phones to track in the citizen app (a file in the data
directory, printed after the logins by ``people.login_table``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from fengqiao.accounts.models import User
from fengqiao.mediation.models import Confirmation, ConfirmationStatus, Mediation, Mediator
from fengqiao.mediation.states import OPEN, STATE_LABELS, MState

if TYPE_CHECKING:
    from fengqiao.demo.mediation_steps import Shown

FILE = "demo-mediation.txt"
HINTS = {
    MState.APPLIED: "可在线选择调解员",
    MState.SCHEDULED: "已安排线下调解，可上传证据",
    MState.AGREED: "可查看调解协议书、评价，或申请司法确认",
}


def _base() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") or f"http://127.0.0.1:{os.environ.get('FENGQIAO_PORT', '8000')}"


def _mediators(pks: list[int]) -> list[str]:
    """The live mediations' mediators: the first three, and the first of each other kind."""
    found = {m.pk: m for m in Mediator.objects.filter(pk__in=pks).select_related("user", "unit")}
    kinds: set[str] = set()
    lines: list[str] = []
    for pk in pks:
        mediator = found[pk]
        if mediator.user is None or (len(lines) >= 3 and mediator.kind in kinds):
            continue
        kinds.add(mediator.kind)
        open_ = Mediation.objects.filter(mediator=mediator, status__in=[s.value for s in OPEN]).count()
        lines.append(f"  {mediator.user.username:<26}{mediator.name}（{mediator.get_kind_display()}，"
                     f"{mediator.unit.name}）：进行中的调解 {open_} 件")
    return lines


def _judge() -> list[str]:
    pending = (Confirmation.objects.filter(status=ConfirmationStatus.PENDING, court__code__endswith="-FY")
               .values_list("court_id", flat=True))
    courts = sorted(set(pending))
    if not courts:
        return []
    court = courts[0]
    judge = User.objects.filter(memberships__unit_id=court, memberships__role="judge").order_by("pk").first()
    if judge is None:
        return []
    count = sum(1 for c in pending if c == court)
    return [f"  {judge.username:<26}法官：待审查的司法确认申请 {count} 件 — {_base()}/mediation/confirmations/"]


def write_file(shown: Shown) -> Path:
    path = Path(settings.DATA_DIR) / FILE
    if not shown.codes:
        path.unlink(missing_ok=True)
        return path
    base = _base()
    lines = ["调解（解纷码）演示：调解员的工作台 /mediation/，专家库 /mediation/mediators/，"
             "统计 /mediation/figures/，个案补贴 /mediation/subsidies/"]
    lines += _mediators(shown.mediators)
    lines += _judge()
    lines.append(f"  群众凭解纷码查询（{base}/portal/）。验证手机的短信验证码："
                 f"开发模式（FENGQIAO_DEBUG=1）下显示在验证页上；"
                 f"发送前也可在 {base}/admin/notifications/outbox/ 查看（类别 verification）：")
    for state, code, phone in shown.codes:
        hint = HINTS.get(MState(state), "") if state in MState._value2member_map_ else ""
        label = STATE_LABELS[MState(state)] if state in MState._value2member_map_ else state
        lines.append(f"    {base}/portal/track/{code}/ 　申请人手机 {phone}（{label}{'：' + hint if hint else ''}）")
    if shown.tie is not None:
        lines.append(f"    其中 {shown.tie[0]} 的申请人与调解员{shown.tie[1]}有亲属关系：在线选择他会因回避被拒绝。")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
