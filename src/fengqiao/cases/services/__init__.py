"""Case actions: one function per action, each writing one case event in the same transaction."""

from fengqiao.cases.services._core import access_case, authorize
from fengqiao.cases.services.attachments import attach
from fengqiao.cases.services.closing import (
    cancel,
    close_unevaluated,
    escalate,
    evaluate,
    link,
    list_supervision,
    merge,
)
from fengqiao.cases.services.dispatch import accept, dispatch, return_case
from fengqiao.cases.services.disputes import dismiss_dispute, dispute
from fengqiao.cases.services.evaluation import resend_evaluation
from fengqiao.cases.services.handling import add_note, decide_extension, reply, request_extension
from fengqiao.cases.services.register import PartyInput, Registered, RegisterInput, register

__all__ = [
    "PartyInput",
    "RegisterInput",
    "Registered",
    "accept",
    "access_case",
    "add_note",
    "attach",
    "authorize",
    "cancel",
    "close_unevaluated",
    "decide_extension",
    "dismiss_dispute",
    "dispatch",
    "dispute",
    "escalate",
    "evaluate",
    "link",
    "list_supervision",
    "merge",
    "register",
    "reply",
    "request_extension",
    "resend_evaluation",
    "return_case",
]
