"""One entry point from a named action and its fields to its service, shared by the API and the forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases import services
from fengqiao.kit.errors import ValidationFailed


def _int(fields: Mapping[str, Any], name: str, label: str) -> int:
    value = fields.get(name)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed(_("请填写%(label)s。") % {"label": label},
                               fields={name: _("请填写%(label)s") % {"label": label}}) from None


def run_action(user: User, code: str, action: str, fields: Mapping[str, Any]) -> None:
    version = fields.get("expected_version")
    v = int(version) if version not in (None, "") else None
    text = str(fields.get("text") or "")
    if action == "dispatch":
        assisting = [int(i) for i in fields.get("assisting_unit_ids") or [] if str(i).strip()]
        services.dispatch(user, code, lead_unit_id=_int(fields, "lead_unit_id", _("主办单位")),
                          assisting_unit_ids=assisting, note=text, expected_version=v,
                          propose_rule=bool(fields.get("propose_rule")))
    elif action == "accept":
        services.accept(user, code, expected_version=v)
    elif action == "return":
        services.return_case(user, code, reason=text, expected_version=v)
    elif action == "dispute":
        services.dispute(user, code, reason=text, expected_version=v)
    elif action == "dismiss_dispute":
        services.dismiss_dispute(user, code, note=text, expected_version=v)
    elif action == "note":
        services.add_note(user, code, text=text, visible_to_parties=bool(fields.get("visible_to_parties")),
                          expected_version=v)
    elif action == "request_extension":
        services.request_extension(user, code, working_days=_int(fields, "working_days", _("延期天数")),
                                   reason=text, expected_version=v)
    elif action in ("approve_extension", "refuse_extension"):
        services.decide_extension(user, code, approve=action == "approve_extension", note=text,
                                  expected_version=v)
    elif action == "reply":
        # scored first; a weak reply is held for the unit's reviewer (intelligence.reply_review)
        from fengqiao.intelligence import reply_review

        reply_review.submit_reply(user, code, text=text, expected_version=v)
    elif action == "evaluate":
        services.evaluate(user, code, rating=str(fields.get("rating") or ""), comment=text, expected_version=v)
    elif action == "resend_evaluation":
        services.resend_evaluation(user, code, expected_version=v)
    elif action == "merge":
        services.merge(user, code, into=str(fields.get("other") or "").strip(), expected_version=v)
    elif action == "cancel":
        services.cancel(user, code, reason=text, expected_version=v)
    elif action == "escalate":
        services.escalate(user, code, note=text, expected_version=v)
    elif action == "list_supervision":
        services.list_supervision(user, code, note=text, expected_version=v)
    elif action == "link":
        services.link(user, code, other=str(fields.get("other") or "").strip(), expected_version=v)
    else:
        raise ValidationFailed(_("未知的操作：%(action)s") % {"action": action}, fields={"action": _("未知的操作")})
