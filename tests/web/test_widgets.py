"""The fast choice widgets (web/widgets.py) write exactly the HTML Django's own templates write."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from fengqiao.web.widgets import FastCheckboxSelectMultiple, FastRadioSelect, FastSelect, FastSelectMultiple

FLAT = [("", "请选择"), (1, "市公安局"), (2, 'A&B "单位" <x>'), (3, gettext_lazy("全部单位"))]
GROUPED = [("", "请选择主办单位"), ("承办该类事项的单位", [(1, "市住建局"), (2, "海陵区城管局")]),
           ("全部单位", [(1, "市住建局"), (2, "海陵区城管局"), (3, "O'Brien & 子")])]

CASES: list[tuple[type[forms.Widget], type[forms.Widget], Any, Any, dict[str, Any]]] = [
    (FastSelect, forms.Select, FLAT, None, {}),
    (FastSelect, forms.Select, FLAT, 2, {"id": "id_unit", "data-units": "1", "required": True}),
    (FastSelect, forms.Select, GROUPED, "2", {"id": "id_lead", "class": "wide", "disabled": False}),
    (FastSelectMultiple, forms.SelectMultiple, GROUPED, ["1", "3"], {"id": "id_many"}),
    (FastCheckboxSelectMultiple, forms.CheckboxSelectMultiple, GROUPED[1:], [1, 3], {"id": "id_assist"}),
    (FastCheckboxSelectMultiple, forms.CheckboxSelectMultiple, FLAT[1:], [], {}),
    (FastCheckboxSelectMultiple, forms.CheckboxSelectMultiple, FLAT[1:], ["2"], {"class": "tight", "id": "id_c"}),
    (FastRadioSelect, forms.RadioSelect, FLAT, "3", {"id": "id_rating", "required": True}),
    (FastRadioSelect, forms.RadioSelect, GROUPED, None, {}),
]


@pytest.mark.parametrize(("fast", "django_widget", "choices", "value", "attrs"), CASES)
def test_the_html_is_djangos_own(fast: type[forms.Widget], django_widget: type[forms.Widget], choices: Any,
                                 value: Any, attrs: dict[str, Any]) -> None:
    ours = fast(attrs=dict(attrs), choices=choices).render("unit", value, attrs={})  # type: ignore[call-arg]
    theirs = django_widget(attrs=dict(attrs), choices=choices).render("unit", value, attrs={})  # type: ignore[call-arg]
    assert ours == theirs
    assert "&lt;x&gt;" in ours or "<x>" not in str(choices)  # labels escaped as the templates escape them


def test_a_bound_form_field_renders_the_same_through_either_widget() -> None:
    class Form(forms.Form):
        lead = forms.TypedChoiceField(choices=GROUPED, coerce=int, widget=FastSelect(attrs={"data-units": "1"}))
        assist = forms.TypedMultipleChoiceField(choices=GROUPED[1:], coerce=int, required=False,
                                                widget=FastCheckboxSelectMultiple)

    class Plain(forms.Form):
        lead = forms.TypedChoiceField(choices=GROUPED, coerce=int, widget=forms.Select(attrs={"data-units": "1"}))
        assist = forms.TypedMultipleChoiceField(choices=GROUPED[1:], coerce=int, required=False,
                                                widget=forms.CheckboxSelectMultiple)

    data = {"lead": "2", "assist": ["1", "3"]}
    assert str(Form(data, prefix="dispatch")) == str(Plain(data, prefix="dispatch"))
    bound = Form(data)
    assert bound.is_valid()
    assert bound.cleaned_data == {"lead": 2, "assist": [1, 3]}
