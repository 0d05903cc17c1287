"""Choice widgets that write their options in Python, for lists of hundreds of options.

Django renders every ``<option>`` and every checkbox of a choice widget through its own template include
(``select_option.html``, ``input_option.html``, ``input.html``, ``attrs.html``): about 1 ms per option.  The
dispatch form offers all of a city's units twice (主办单位 and 协办单位, 329 each in the demo city) and the inbox
filter all categories, so those includes were most of the case page's and the inbox's time (bench/load.py).
These widgets produce the very same HTML as Django's templates (tests/web/test_widgets.py compares them,
option by option, with the parent classes' output) from one pass in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.widgets import ChoiceWidget
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: `` name="value"``, a bare `` name`` for True, nothing for False."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items() if value is not False
    )


def _value(value: Any) -> str:
    return conditional_escape(str(value))


class FastSelect(forms.Select):
    """``forms.Select`` (and its optgroups), rendered without a template per option."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: BaseRenderer | None = None) -> SafeString:
        context = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', context["name"]), _attrs(context["attrs"]), ">"]
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(f'\n  <option value="{_value(option["value"])}"{_attrs(option["attrs"])}>'
                             f'{conditional_escape(option["label"])}</option>\n')
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every piece above is escaped


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """``forms.SelectMultiple``, rendered as ``FastSelect`` renders."""


class _FastInputs(ChoiceWidget):
    """``django/forms/widgets/multiple_input.html`` with ``input_option.html`` for each choice."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: BaseRenderer | None = None) -> SafeString:
        context = self.get_context(name, value, attrs)["widget"]
        own = context["attrs"]
        parts = ["<div", format_html(' id="{}"', own["id"]) if own.get("id") else "",
                 format_html(' class="{}"', own["class"]) if own.get("class") else "", ">"]
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(format_html("\n  <div><label>{}</label>", group_name))
            for option in options:
                parts.append("<div>\n    " + self._option(option) + "</div>")
            if group_name:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))  # every piece above is escaped

    @staticmethod
    def _option(option: dict[str, Any]) -> str:
        value = "" if option["value"] is None else f' value="{_value(option["value"])}"'
        tag = f'<input type="{option["type"]}" name="{_value(option["name"])}"{value}{_attrs(option["attrs"])}>'
        if not option["wrap_label"]:
            return tag + "\n\n"
        label_for = format_html(' for="{}"', option["attrs"]["id"]) if option["attrs"].get("id") else ""
        return f"<label{label_for}>{tag}\n {conditional_escape(option['label'])}</label>\n\n"


class FastCheckboxSelectMultiple(_FastInputs, forms.CheckboxSelectMultiple):
    """``forms.CheckboxSelectMultiple``, without a template per checkbox."""


class FastRadioSelect(_FastInputs, forms.RadioSelect):
    """``forms.RadioSelect``, without a template per radio button."""
