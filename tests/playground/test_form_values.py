"""playground/form_values.py: the forms offer the evaluator's value sets, and build grants."""

from __future__ import annotations

import pytest

from evaluator import load_scenario, vocabulary
from playground.attempt_form import AttemptForm
from playground.form_values import grant_document
from playground.forms import GrantForm, KeyForm


def _offered(form, field: str) -> list[str]:
    return [value for value, _ in form.base_fields[field].choices if value]


@pytest.mark.parametrize(
    ("form", "field", "values"),
    [
        pytest.param(KeyForm, "state", vocabulary.KEY_STATES, id="key-states"),
        pytest.param(KeyForm, "manager", vocabulary.KEY_MANAGERS, id="key-managers"),
        pytest.param(KeyForm, "origin", vocabulary.KEY_ORIGINS, id="key-origins"),
        pytest.param(AttemptForm, "expect", vocabulary.EXPECTATIONS, id="expectations"),
    ],
)
def test_a_form_offers_exactly_what_the_loader_accepts(form, field, values):
    assert _offered(form, field) == list(values)


@pytest.mark.parametrize("form", [GrantForm, AttemptForm], ids=["grant", "attempt"])
def test_grant_forms_offer_only_operations_a_grant_may_carry(form):
    field = "operations" if form is GrantForm else "grant_operations"
    offered = _offered(form, field)
    assert offered == list(vocabulary.MODELLED_GRANT_OPERATIONS)
    assert set(offered) <= set(vocabulary.GRANT_OPERATIONS)


def test_a_grant_document_from_the_form_loads_as_a_grant():
    grant = grant_document(
        "arn:aws:iam::111122223333:role/app",
        ["Decrypt"],
        constraint="subset",
        context={"team": "blue"},
        retiring="arn:aws:iam::111122223333:root",
    )
    key = {
        "id": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "account": "111122223333",
        "policy": {"Version": "2012-10-17", "Statement": []},
    }
    doc = {"format": 1, "accounts": [{"id": "111122223333"}], "keys": [{**key, "grants": []}]}
    doc["keys"][0]["grants"].append({"id": "g1", **grant})
    loaded = load_scenario(doc)
    assert loaded.ok, [str(p) for p in loaded.problems]
    (loaded_grant,) = loaded.scenario.keys[0].grants
    assert loaded_grant.constraints is not None
    assert (loaded_grant.constraints.kind, dict(loaded_grant.constraints.context)) == (
        "subset",
        {"team": "blue"},
    )
    assert loaded_grant.retiring == "arn:aws:iam::111122223333:root"


def test_a_grant_document_leaves_empty_members_out():
    assert grant_document("arn:aws:iam::111122223333:user/a", ["Encrypt"]) == {
        "grantee": "arn:aws:iam::111122223333:user/a",
        "operations": ["Encrypt"],
    }
