"""ARN parsing, ArnLike matching (R5.13) and Resource matching (R5.5)."""

from __future__ import annotations

import pytest

from evaluator.core.arn import Arn, account_of, arn_like, compile_arn, parse_arn, resource_match
from evaluator.core.wildcard import LITERAL_STAR

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_parse_arn_splits_six_parts() -> None:
    assert parse_arn(KEY) == Arn(
        "aws", "kms", "us-east-1", "111122223333", "key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )


def test_parse_arn_keeps_colons_in_the_resource() -> None:
    parsed = parse_arn("arn:aws:logs:us-east-1:111122223333:log-group:my-group:*")
    assert parsed is not None
    assert parsed.resource == "log-group:my-group:*"


def test_parse_arn_allows_empty_region_and_account() -> None:
    parsed = parse_arn("arn:aws:s3:::my-bucket/key")
    assert parsed == Arn("aws", "s3", "", "", "my-bucket/key")


def test_arn_round_trips_through_str() -> None:
    assert str(parse_arn(KEY)) == KEY


@pytest.mark.parametrize(
    "text",
    ["", "*", "kms:Decrypt", "arn:aws:kms", "arn:aws:kms:us-east-1:111122223333", "ARN:aws:s3:::b"],
    ids=["empty", "star", "action", "three_parts", "five_parts", "upper_case_prefix"],
)
def test_parse_arn_rejects_non_arns(text: str) -> None:
    assert parse_arn(text) is None


def test_account_of() -> None:
    assert account_of(KEY) == "111122223333"
    assert account_of("arn:aws:s3:::bucket") is None
    assert account_of("not-an-arn") is None


ARN_LIKE = [
    ("exact", KEY, KEY, True),
    ("star_alone_matches_any_value", "*", "anything at all", True),
    ("star_in_resource", "arn:aws:kms:us-east-1:111122223333:key/*", KEY, True),
    ("star_in_region", "arn:aws:kms:*:111122223333:key/*", KEY, True),
    ("star_in_account", "arn:aws:kms:us-east-1:*:key/*", KEY, True),
    ("qmark_in_region", "arn:aws:kms:us-east-?:111122223333:key/*", KEY, True),
    ("wrong_account", "arn:aws:kms:us-east-1:444455556666:key/*", KEY, False),
    ("case_sensitive", "arn:aws:KMS:us-east-1:111122223333:key/*", KEY, False),
    (
        "star_does_not_cross_part_boundary",
        "arn:aws:kms:*:key/*",
        KEY,
        False,
    ),
    (
        "resource_star_spans_colons",
        "arn:aws:logs:us-east-1:111122223333:log-group:*",
        "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s",
        True,
    ),
    (
        "role_session",
        "arn:aws:sts::111122223333:assumed-role/Admin/*",
        "arn:aws:sts::111122223333:assumed-role/Admin/alice",
        True,
    ),
    ("value_not_an_arn", "arn:aws:kms:*:*:key/*", "key/1234", False),
    ("pattern_too_short", "arn:aws:kms:*", KEY, False),
    ("empty_part_needs_empty", "arn:aws:s3:::bucket/*", "arn:aws:s3:us-east-1::bucket/x", False),
    ("literal_star_marker", f"arn:aws:s3:::b/{LITERAL_STAR}", "arn:aws:s3:::b/*", True),
    (
        "literal_star_marker_not_wildcard",
        f"arn:aws:s3:::b/{LITERAL_STAR}",
        "arn:aws:s3:::b/x",
        False,
    ),
]


@pytest.mark.parametrize(
    ("pattern", "value", "expected"), [c[1:] for c in ARN_LIKE], ids=[c[0] for c in ARN_LIKE]
)
def test_arn_like(pattern: str, value: str, expected: bool) -> None:
    assert arn_like(pattern, value) is expected


def test_stringlike_can_cross_colons_where_arnlike_cannot() -> None:
    # R5.13: the same pattern, read as a string glob, matches across parts.
    from evaluator.core.wildcard import glob_match

    assert glob_match("arn:aws:kms:*:key/*", KEY)
    assert not arn_like("arn:aws:kms:*:key/*", KEY)


def test_resource_star_matches_everything() -> None:
    assert resource_match("*", KEY)
    assert resource_match("*", "not an arn")


def test_resource_match_is_per_segment_and_case_sensitive() -> None:
    assert resource_match("arn:aws:kms:*:111122223333:key/*", KEY)
    assert not resource_match("arn:aws:kms:*:111122223333:KEY/*", KEY)
    assert not resource_match("arn:aws:kms:*:111122223333:alias/*", KEY)


def test_compile_arn_is_cached() -> None:
    assert compile_arn("arn:aws:kms:*:*:key/*") is compile_arn("arn:aws:kms:*:*:key/*")
