"""What the JSON APIs of a record with a state table share (a risk entry's /api/risks, an assessment's
/api/stability): the input types, a page of a list, the events, and the record's actions.

The actions are the pages' own: :func:`add_actions` registers ``POST /{code}/{action}`` for each name of the
record's ``SPECS`` (kit/action_spec.py) and calls that spec's ``perform`` with the body's fields and its
``expected_version`` — the same service, roles, state table and version check as the page's form (a stale
version is a 409, a refusal its DomainError's status) — then answers the record's detail.  Each API only says
which body and summary an action takes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Self, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from pydantic import AfterValidator
from pydantic import Field as PydField

from fengqiao.accounts.models import User
from fengqiao.kit.action_spec import ActionSpec
from fengqiao.kit.pagination import Page

T = TypeVar("T")
M = TypeVar("M", bound=Model)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含空字符（NUL）")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]  # PostgreSQL cannot store a NUL: a 422 naming the field, not a 500
Id = Annotated[int, PydField(ge=1, le=2**63 - 1)]  # a row's id: anything else is refused before the database


def code_path(description: str) -> Any:
    """The ``{code}`` path parameter of a record's URL."""
    return Path(..., pattern=r"^[A-Za-z0-9-]{1,40}$", description=description)


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- lists -------------------------------------------------------------------------------------------------

class PageOut(Schema, Generic[T]):
    """One page of a list; subclass it with the item's schema (``class EntryPageOut(PageOut[EntryOut])``)."""

    items: list[T]
    page: int
    per_page: int
    total: int
    total_capped: bool

    @classmethod
    def of(cls, result: Page, item: Callable[[Any], T]) -> Self:
        return cls(items=[item(row) for row in result.items], page=result.number, per_page=result.per_page,
                   total=result.total, total_capped=result.total_capped)


class ListQuery(Schema):
    """A list's query string: these, and its own filters in a subclass."""

    q: Text = Field("", max_length=100, description="part of the title, or the code")
    page: int = 1
    per_page: int = Field(25, description="at most 200")


def matching(qs: QuerySet[M], q: str, **equal: Any) -> QuerySet[M]:
    """The rows whose fields are the values given (a None: any) and, with a ``q``, whose title holds it or
    whose code is it."""
    qs = qs.filter(**{name: getattr(v, "value", v) for name, v in equal.items() if v is not None})
    q = q.strip()
    return qs.filter(Q(title__icontains=q) | Q(code__iexact=q)) if q else qs


# --- events ------------------------------------------------------------------------------------------------

class RecordEventOut(Schema):
    seq: int
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str | None = Field(description="null when no account acted (a citizen's opinion from the public page)")
    at: dt.datetime
    note: str
    facts: list[str]


def events_out(timeline: Iterable[dict[str, Any]]) -> list[RecordEventOut]:
    """A presenter's timeline (rows of ``event``, ``label``, ``facts`` and, where it hides some, ``note``)."""
    rows = []
    for row in timeline:
        e = row["event"]
        rows.append(RecordEventOut(seq=e.seq, action=e.action, label=row["label"], from_state=e.from_state,
                             to_state=e.to_state, actor=str(e.actor) if e.actor else None, at=e.at,
                             note=row.get("note", e.note), facts=[str(f) for f in row["facts"]]))
    return rows


# --- actions -----------------------------------------------------------------------------------------------

class ActIn(Schema):
    """An action's body: its fields are the action form's, by name, and the version the caller saw."""

    expected_version: int = Field(description="the record's version as the caller saw it (409 if it changed)")


@dataclass(frozen=True)
class Endpoint:
    """``POST /{code}/{name}`` for the spec ``name``: its body and summary.  ``view`` names the endpoint (its
    URL name and operationId end) where a bare action name would not do (``list``)."""

    name: str
    body: type[ActIn]
    summary: str
    view: str = ""


def add_actions(router: Router, specs: Mapping[str, ActionSpec[Any, Any]], endpoints: Sequence[Endpoint], *,
                code: Any, response: type[Schema], detail: Callable[[User, str], Schema], module: str) -> None:
    """One endpoint per spec, in the order of ``endpoints``; every spec has one, so that what a page can do
    the API can.  ``detail(user, code)`` is the answer; ``module`` the API's, for the operationIds."""
    names = [e.name for e in endpoints]
    if sorted(names) != sorted(specs):
        raise ImproperlyConfigured(f"{module}: the action endpoints {names} are not the specs {list(specs)}")
    for endpoint in endpoints:
        view_name = endpoint.view or endpoint.name
        router.post(f"/{{code}}/{endpoint.name}", response=response, summary=endpoint.summary,
                    operation_id=f"{module}_{view_name}".replace(".", "_"), url_name=view_name)(
            _action_view(specs[endpoint.name], endpoint.body, response, code, detail, view_name))


def _action_view(spec: ActionSpec[Any, Any], body: type[ActIn], response: type[Schema], code_param: Any,
                 detail: Callable[[User, str], Schema], name: str) -> Callable[..., Schema]:
    def view(request: HttpRequest, payload: ActIn, code: str = code_param) -> Schema:
        # (no docstring: ninja would publish it as the operation's description)
        user = user_of(request)
        spec.perform(user, code, payload.model_dump(exclude={"expected_version"}), payload.expected_version)
        return detail(user, code)

    # ninja reads the body's schema from the annotation: the action's own, not ActIn
    view.__annotations__ = {"request": HttpRequest, "payload": body, "code": str, "return": response}
    view.__name__ = view.__qualname__ = name
    return view
