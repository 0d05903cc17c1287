"""The OpenAPI document (/api/openapi.json) names each schema after one class only.

django-ninja names a component after its class's ``__name__`` and merges every operation's definitions into
one dict, the last one written winning: two classes of one name (an ``EventOut`` of the cases API and one of
the citizen app) silently became one component, and the docs showed the other's shape for some operations.
Here every class an operation reads or answers (and every class those refer to) is walked: one class per
component name, every ``$ref`` resolves, every component is exactly the schema of its class, and every
``Schema`` of the API's modules has a name of its own (a class not yet in the document, like the patrol
visit's report, would clash the day it is).
"""

from __future__ import annotations

import enum
import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from ninja import Schema
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from fengqiao.api import api

REF_PREFIX = REF_TEMPLATE.removesuffix("{model}")
Named = type[BaseModel] | type[enum.Enum]


def component_name(cls: type) -> str:
    """The name pydantic gives a class's definition (a parametrized generic's brackets become ``_``)."""
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", cls.__name__)


def _reachable(annotation: Any, found: set[Named]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _reachable(field.annotation, found)
    else:
        for arg in typing.get_args(annotation):
            _reachable(arg, found)


def _fields_of(model: type[BaseModel]) -> set[Named]:
    """The classes a ninja wrapper (an operation's parameters, or its response) refers to, not the wrapper."""
    found: set[Named] = set()
    for field in model.model_fields.values():
        _reachable(field.annotation, found)
    return found


def used_classes() -> dict[Named, set[JsonSchemaMode]]:
    """Every class the operations of the API read (validation) or answer (serialization), with the modes."""
    used: dict[Named, set[JsonSchemaMode]] = defaultdict(set)
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                for model in operation.models:
                    for cls in _fields_of(model):
                        used[cls].add("validation")
                for response in operation.response_models.values():
                    if isinstance(response, type) and issubclass(response, BaseModel):
                        for cls in _fields_of(response):
                            used[cls].add("serialization")
    assert used, "no operation was found: the walk over the API is broken"
    return used


def own_schema(cls: Named, mode: JsonSchemaMode) -> dict[str, Any]:
    """The class's schema as ninja writes it, on its own: what its component must be."""
    schema = TypeAdapter(cls).json_schema(ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema,
                                          mode=mode)
    schema.pop("$defs", None)
    return schema


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.json()
    return served


def test_each_component_name_is_one_class() -> None:
    classes: dict[str, set[str]] = defaultdict(set)
    for cls in used_classes():
        classes[component_name(cls)].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(owners) for name, owners in classes.items() if len(owners) > 1}
    assert shared == {}, f"one component name, several classes (one hides the others): {shared}"


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    found = list(refs(document))
    assert found, "the document has no $ref at all: the walk is broken"
    outside = sorted({ref for ref in found if not ref.startswith(REF_PREFIX)})
    assert outside == []
    dangling = sorted({ref for ref in found if ref.removeprefix(REF_PREFIX) not in components})
    assert dangling == []


def test_every_component_is_the_schema_of_its_class(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    used = used_classes()
    assert set(components) == {component_name(cls) for cls in used}, "the walk and the document disagree"
    wrong = []
    for cls, modes in used.items():
        published = components[component_name(cls)]
        for mode in sorted(modes):
            if published != own_schema(cls, mode):
                wrong.append(f"{cls.__module__}.{cls.__qualname__} ({mode})")
    assert wrong == [], f"components that show another shape than their class's: {sorted(wrong)}"


def test_every_operation_refers_to_the_shape_it_answers(document: dict[str, Any]) -> None:
    """The 200/201 body of each operation, as published, has the properties of the class it answers."""
    components = document["components"]["schemas"]
    checked = 0
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for status, response in operation.response_models.items():
                    if status not in (200, 201) or not (isinstance(response, type)
                                                        and issubclass(response, BaseModel)):
                        continue
                    answered = response.model_fields["response"].annotation
                    while typing.get_origin(answered) is list:
                        answered = typing.get_args(answered)[0]
                    if not (isinstance(answered, type) and issubclass(answered, BaseModel)):
                        continue
                    published = components[component_name(answered)]
                    expected = own_schema(answered, "serialization")
                    operation_id = operation.operation_id or api.get_openapi_operation_id(operation)
                    assert published.get("properties") == expected.get("properties"), (
                        f"{operation_id}: {component_name(answered)} is not "
                        f"{answered.__module__}.{answered.__qualname__}")
                    checked += 1
    assert checked > 20, f"only {checked} answers were checked: the walk over the API is broken"


def test_every_schema_of_the_api_has_a_name_of_its_own() -> None:
    classes: dict[str, set[str]] = defaultdict(set)
    pending: list[type] = [Schema]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("fengqiao.") and "[" not in cls.__name__:  # not PageOut[EntryOut]
            classes[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert len(classes) > 50, "too few schemas were found: the walk is broken"
    shared = {name: sorted(owners) for name, owners in classes.items() if len(owners) > 1}
    assert shared == {}, f"Schema classes of one name: {shared}"
