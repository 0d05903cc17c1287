"""GeoReport v2 responses in JSON or XML (xml.etree), and its error list format."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse

from fengqiao.kit import clock

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return iso(value)
    return str(value)


def iso(value: dt.datetime) -> str:
    return clock.localtime(value).isoformat(timespec="seconds")


def _append(parent: ET.Element, tag: str, value: Any, item_tags: Mapping[str, str]) -> None:
    node = ET.SubElement(parent, tag)
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _append(node, key, inner, item_tags)
    elif isinstance(value, list | tuple):
        child = item_tags.get(tag, tag.rstrip("s"))
        for inner in value:
            _append(node, child, inner, item_tags)
    else:
        node.text = _text(value)


def to_xml(root: str, item: str | None, body: Any, item_tags: Mapping[str, str] | None = None) -> bytes:
    """``<root><item>…</item>…</root>`` for a list, ``<root>…</root>`` for a mapping."""
    tags = dict(item_tags or {})
    element = ET.Element(root)
    if isinstance(body, Sequence) and item is not None:
        for entry in body:
            _append(element, item, entry, tags)
    else:
        for key, value in body.items():
            _append(element, key, value, tags)
    return bytes(ET.tostring(element, encoding="utf-8", xml_declaration=True))


def respond(fmt: str, body: Any, *, root: str, item: str | None = None, status: int = 200,
            item_tags: Mapping[str, str] | None = None) -> HttpResponse:
    if fmt == "xml":
        content = to_xml(root, item, body, item_tags)
    else:
        content = json.dumps(body, ensure_ascii=False, default=_text).encode()
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error list: ``[{"code": 400, "description": "…"}]`` / ``<errors><error>…``."""
    body = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt if fmt in FORMATS else "json", body, root="errors", item="error", status=status)
