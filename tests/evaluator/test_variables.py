"""Policy variables (R5.14): references, defaults, escapes, and values made literal."""

from __future__ import annotations

import pytest

from evaluator.core.variables import (
    expand,
    has_variables,
    referenced_keys,
    variables_enabled,
)
from evaluator.core.wildcard import LITERAL_QMARK, LITERAL_STAR, glob_match

VALUES = {"aws:username": "alice", "aws:principaltag/team": "blue", "aws:principaltag/odd": "a*b?"}


def lookup(key: str) -> str | None:
    return VALUES.get(key)


def test_expand_replaces_a_variable() -> None:
    assert expand("home/${aws:username}/*", lookup) == "home/alice/*"


def test_expand_passes_key_lower_cased() -> None:
    seen: list[str] = []

    def spy(key: str) -> str | None:
        seen.append(key)
        return "x"

    assert expand("${AWS:UserName}", spy) == "x"
    assert seen == ["aws:username"]


def test_expand_returns_none_for_missing_key_without_default() -> None:
    assert expand("team-${aws:PrincipalTag/project}", lookup) is None


def test_expand_uses_default_when_key_missing() -> None:
    assert expand("${aws:PrincipalTag/project, 'shared'}", lookup) == "shared"


def test_expand_ignores_default_when_key_present() -> None:
    assert expand("${aws:PrincipalTag/team, 'shared'}", lookup) == "blue"


def test_default_may_be_empty() -> None:
    assert expand("x${aws:PrincipalTag/none,''}y", lookup) == "xy"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${*}", LITERAL_STAR),
        ("${?}", LITERAL_QMARK),
        ("${$}", "$"),
        ("a${*}b", f"a{LITERAL_STAR}b"),
    ],
    ids=["star", "qmark", "dollar", "star_inside"],
)
def test_escapes(template: str, expected: str) -> None:
    assert expand(template, lookup) == expected


def test_request_value_cannot_act_as_wildcard() -> None:
    expanded = expand("${aws:PrincipalTag/odd}", lookup)
    assert expanded == f"a{LITERAL_STAR}b{LITERAL_QMARK}"
    assert glob_match(expanded, "a*b?")
    assert not glob_match(expanded, "aXXbY")


def test_text_without_variables_is_unchanged() -> None:
    assert expand("plain * text ? $ {x}", lookup) == "plain * text ? $ {x}"


def test_malformed_reference_stays_literal() -> None:
    assert expand("${unterminated", lookup) == "${unterminated"
    assert expand("${}", lookup) == "${}"


def test_has_variables() -> None:
    assert has_variables("${aws:username}")
    assert has_variables("a${*}")
    assert not has_variables("no variables")
    assert not has_variables("${")


def test_referenced_keys_as_written_without_escapes() -> None:
    keys = referenced_keys("${aws:UserName}/${*}/${aws:PrincipalTag/team, 'x'}")
    assert keys == ["aws:UserName", "aws:PrincipalTag/team"]


@pytest.mark.parametrize(
    ("version", "enabled"),
    [("2012-10-17", True), ("2008-10-17", False), (None, False), ("2012-10-18", False)],
    ids=["current", "legacy", "missing", "unknown"],
)
def test_variables_enabled_only_for_2012_10_17(version: str | None, enabled: bool) -> None:
    assert variables_enabled(version) is enabled
