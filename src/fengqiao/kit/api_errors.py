"""The JSON API's error body, as api.py's handlers and ``DomainError.as_dict`` write it: one class for every
router that declares its 4xx answers (evaluations, the citizen app, intake).  django-ninja names an OpenAPI
component after its class, so one copy of this class per router made as many ``ErrorOut`` components, each
replacing the others in /api/openapi.json."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """``error``: a code (validation_failed, not_found, unauthenticated …); ``detail``: the message;
    ``fields``: the fields at fault and why (absent when no field is)."""

    error: str
    detail: str
    fields: dict[str, str] = {}
