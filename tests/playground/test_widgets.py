"""QuickSelect writes exactly the HTML Django's Select writes."""

from __future__ import annotations

import pytest
from django import forms

from playground.widgets import QuickSelect

CHOICES = [
    ("", "(decide from the paste)"),
    ("arn:aws:iam::111122223333:role/a<b", 'A & "B"'),
    ("x", "X"),
    (3, "three"),
    ("Group", [("g1", "G1"), ("g2", "G2")]),
]


@pytest.mark.parametrize("value", ["", "x", 3, "g2", "missing", None, ["x", "g1"]])
@pytest.mark.parametrize(
    "attrs", [None, {"id": 'paste-"target'}, {"disabled": True, "hidden": False, "data-n": 2}]
)
def test_quick_select_draws_what_django_draws(value, attrs):
    django_html = forms.Select(choices=CHOICES).render("t<arget", value, attrs=attrs)
    quick_html = QuickSelect(choices=CHOICES).render("t<arget", value, attrs=attrs)
    assert quick_html == django_html


def test_a_form_field_with_quick_select_draws_what_django_draws():
    class Plain(forms.Form):
        target = forms.ChoiceField(choices=CHOICES, required=False)

    class Quick(forms.Form):
        target = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    for data in ({"target": "x"}, {"target": "nope"}, None):
        plain, quick = Plain(data, auto_id="paste-%s"), Quick(data, auto_id="paste-%s")
        assert str(quick["target"]) == str(plain["target"])
