"""JSON pointers (RFC 6901): one helper builds, splits and follows them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluator.core.pointer import pointer_join, pointer_parts, value_at


def test_value_at_follows_rfc6901_pointers():
    doc = {"a/b": {"~": [10, 20]}, "": 5}
    assert value_at(doc, "") is doc
    assert value_at(doc, "/a~1b/~0/1") == 20
    assert value_at(doc, "/") == 5


@pytest.mark.parametrize("pointer", ["/nope", "/a~1b/~0/2", "/a~1b/~0/01", "/a~1b/~0/-", "x"])
def test_value_at_raises_key_error_for_a_missing_place(pointer):
    with pytest.raises(KeyError):
        value_at({"a/b": {"~": [10, 20]}}, pointer)


@given(st.lists(st.text(st.sampled_from("a/~0 1"), max_size=4), max_size=4))
def test_a_joined_pointer_splits_back_into_its_parts(parts):
    assert pointer_parts(pointer_join("", *parts)) == parts


def test_a_joined_pointer_leads_to_the_value():
    doc = {"Statement": [{"Condition": {"StringLike": {"aws:PrincipalTag/a~b": "x"}}}]}
    where = pointer_join("/Statement", 0, "Condition", "StringLike", "aws:PrincipalTag/a~b")
    assert where == "/Statement/0/Condition/StringLike/aws:PrincipalTag~1a~0b"
    assert value_at(doc, where) == "x"
