"""evaluator/core/vocabulary.py: the value sets of format 1 and what they mean."""

from __future__ import annotations

import pytest

from evaluator import expectation_holds, is_denial, vocabulary


@pytest.mark.parametrize(
    ("outcome", "denial"),
    [
        pytest.param("AccessDeniedException", True, id="kms-denial"),
        pytest.param("AccessDenied", True, id="s3-and-sts-denial"),
        pytest.param("Success", False, id="success"),
        pytest.param("DisabledException", False, id="service-refusal"),
        pytest.param("ValidationException", False, id="bad-request"),
    ],
)
def test_only_access_denied_outcomes_are_denials(outcome, denial):
    assert is_denial(outcome) is denial


def test_every_denial_outcome_is_an_outcome_of_the_format():
    assert set(vocabulary.OUTCOMES) >= vocabulary.DENIAL_OUTCOMES


@pytest.mark.parametrize("auth", vocabulary.DENY_AUTHORIZATIONS)
def test_deny_expects_either_kind_of_deny(auth):
    assert expectation_holds("deny", auth, "AccessDeniedException") is True
    assert expectation_holds("deny", "allow", "Success") is False
