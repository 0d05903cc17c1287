"""Who may take which action: data, checked by every service (DESIGN rule 5)."""

from __future__ import annotations

from fengqiao.accounts.roles import Role
from fengqiao.cases.states import Action

R, A = Role, Action
UNIT_HANDLERS = frozenset({R.HANDLER, R.MEDIATOR, R.JUDGE})

ACTION_ROLES: dict[Action, frozenset[Role]] = {
    A.REGISTER: frozenset({R.OPERATOR, R.GRID_WORKER, R.DISPATCHER, R.CITIZEN, R.ADMIN}),
    A.DISPATCH: frozenset({R.DISPATCHER, R.ADMIN}),
    A.REDISPATCH: frozenset({R.DISPATCHER, R.ADMIN}),
    A.ACCEPT: UNIT_HANDLERS,
    A.RETURN: UNIT_HANDLERS,
    A.NOTE: UNIT_HANDLERS | {R.DISPATCHER, R.GRID_WORKER},  # the grid worker: what she found on the ground
    A.REQUEST_EXTENSION: UNIT_HANDLERS,
    A.APPROVE_EXTENSION: frozenset({R.DISPATCHER, R.LEADER}),
    A.REFUSE_EXTENSION: frozenset({R.DISPATCHER, R.LEADER}),
    A.REPLY: UNIT_HANDLERS | {R.OPERATOR, R.DISPATCHER},
    A.EVALUATE: frozenset({R.CITIZEN, R.OPERATOR}),
    A.REOPEN: frozenset({R.CITIZEN, R.OPERATOR}),
    A.CLOSE_UNEVALUATED: frozenset(),  # the system only
    A.RESEND_EVALUATION: frozenset({R.OPERATOR, R.DISPATCHER}),  # 热线话务员, 分拨员: the citizen lost the SMS
    A.MERGE: frozenset({R.DISPATCHER, R.OPERATOR, R.ADMIN}),
    A.CANCEL: frozenset({R.DISPATCHER, R.ADMIN}),
    A.ESCALATE: frozenset({R.DISPATCHER, R.LEADER, R.ADMIN}),
    A.MARK_OVERDUE: frozenset(),  # the system only
    A.REMIND: frozenset(),  # the system only (the supervision ladder)
    A.LINK: frozenset({R.DISPATCHER, R.OPERATOR, R.HANDLER, R.ADMIN}),
    A.ATTACH: UNIT_HANDLERS | {R.OPERATOR, R.GRID_WORKER, R.DISPATCHER, R.CITIZEN},
    A.DISPUTE: UNIT_HANDLERS,
    A.DISMISS_DISPUTE: frozenset({R.DISPATCHER, R.ADMIN}),
    # --- 会商研判: the service checks its own rules
    # (cases/services/consultation.py: dispatchers, leaders, the lead unit's leader, participants)
    A.CONVENE: frozenset(),
    A.CONSULT_TASK: frozenset(),
    A.CONSULT_TASK_DONE: frozenset(),
    A.CONCLUDE: frozenset(),
}

# Actions that only the lead unit takes (assisting units add notes).
LEAD_UNIT_ACTIONS = frozenset({A.ACCEPT, A.RETURN, A.REQUEST_EXTENSION, A.REPLY, A.DISPUTE})
