"""`*` / `?` matching: a table of cases, agreement with a regex reference, and no blow-up."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.core import wildcard
from evaluator.core.budget import Budget, BudgetExceeded
from evaluator.core.wildcard import (
    LITERAL_QMARK,
    LITERAL_STAR,
    compile_glob,
    glob_match,
    has_wildcards,
    unmark,
)

CASES = [
    # (id, pattern, text, expected)
    ("exact", "kms:Decrypt", "kms:Decrypt", True),
    ("exact_differs", "kms:Decrypt", "kms:Encrypt", False),
    ("exact_is_case_sensitive", "kms:Decrypt", "kms:decrypt", False),
    ("empty_pattern_matches_empty_text", "", "", True),
    ("empty_pattern_rejects_text", "", "a", False),
    ("star_alone_matches_empty", "*", "", True),
    ("star_alone_matches_anything", "*", "a:b/c", True),
    ("double_star", "**", "xyz", True),
    ("star_spans_slash", "key/*", "key/a/b/c", True),
    ("star_spans_colon", "arn:*", "arn:aws:kms:us-east-1:1:key/x", True),
    ("trailing_star_prefix", "kms:Generate*", "kms:GenerateDataKey", True),
    ("trailing_star_empty_rest", "kms:Generate*", "kms:Generate", True),
    ("trailing_star_wrong_prefix", "kms:Generate*", "kms:Decrypt", False),
    ("leading_star", "*Key", "GenerateDataKey", True),
    ("leading_star_miss", "*Key", "GenerateDataKeyPair", False),
    ("middle_star", "kms:*DataKey", "kms:GenerateDataKey", True),
    ("middle_star_no_overlap", "ab*ba", "aba", False),
    ("several_stars", "a*b*c", "aXXbYYc", True),
    ("several_stars_order_matters", "a*b*c", "acb", False),
    ("qmark_one_char", "user?", "user1", True),
    ("qmark_not_zero_chars", "user?", "user", False),
    ("qmark_not_two_chars", "user?", "user12", False),
    ("qmark_and_star", "?*?", "ab", True),
    ("qmark_and_star_too_short", "?*?", "a", False),
    ("star_then_qmark_backtracks", "*a?", "xxaab", True),
    ("literal_star_matches_star", f"a{LITERAL_STAR}b", "a*b", True),
    ("literal_star_not_wildcard", f"a{LITERAL_STAR}b", "axxb", False),
    ("literal_qmark_matches_qmark", f"a{LITERAL_QMARK}", "a?", True),
    ("literal_qmark_not_wildcard", f"a{LITERAL_QMARK}", "ab", False),
    ("literal_star_with_real_star", f"{LITERAL_STAR}*", "*anything", True),
    ("pathological_false", "*a*a*a*a*a*b", "a" * 10000, False),
    ("pathological_true", "*a*a*a*a*a*b", "a" * 10000 + "b", True),
]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_glob_match_table(pattern: str, text: str, expected: bool) -> None:
    assert glob_match(pattern, text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_compiled_glob_agrees_with_glob_match(pattern: str, text: str, expected: bool) -> None:
    assert compile_glob(pattern).match(text) is expected


def test_ignore_case_folds_both_sides() -> None:
    assert glob_match("KMS:generate*", "kms:GenerateDataKey", ignore_case=True)
    assert compile_glob("KMS:generate*", ignore_case=True).match("kms:GenerateDataKey")
    assert not glob_match("KMS:generate*", "kms:GenerateDataKey")


def test_compile_glob_is_cached() -> None:
    assert compile_glob("a*b?c") is compile_glob("a*b?c")


def test_unmark_restores_plain_characters() -> None:
    assert unmark(f"a{LITERAL_STAR}b{LITERAL_QMARK}") == "a*b?"


def test_has_wildcards_ignores_literal_markers() -> None:
    assert has_wildcards("a*")
    assert has_wildcards("a?")
    assert not has_wildcards(f"a{LITERAL_STAR}{LITERAL_QMARK}")


def test_pathological_pattern_returns_false_for_long_run() -> None:
    # Correctness only: a backtracking matcher would not finish this in reasonable time.
    assert not glob_match("*a*a*a*a*a*b", "a" * 10000)
    assert not compile_glob("*a*a*a*a*a*b").match("a" * 10000)
    assert not glob_match("*?*?*?*?*b", "a" * 10000)


def reference(pattern: str, text: str) -> bool:
    """Translate to a regex: `*` -> `.*`, `?` -> `.`, markers -> the escaped literal."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == LITERAL_STAR:
            out.append(re.escape("*"))
        elif ch == LITERAL_QMARK:
            out.append(re.escape("?"))
        else:
            out.append(re.escape(ch))
    return re.fullmatch("".join(out), text, flags=re.DOTALL) is not None


PATTERN_CHARS = st.sampled_from(["a", "b", ":", "/", "*", "?", LITERAL_STAR, LITERAL_QMARK])
TEXT_CHARS = st.sampled_from(["a", "b", ":", "/", "*", "?"])


@settings(max_examples=600, deadline=None)
@given(st.text(PATTERN_CHARS, max_size=8), st.text(TEXT_CHARS, max_size=10))
def test_glob_match_agrees_with_regex_reference(pattern: str, text: str) -> None:
    expected = reference(pattern, text)
    assert glob_match(pattern, text) is expected
    assert compile_glob(pattern).match(text) is expected


@settings(max_examples=300, deadline=None)
@given(
    st.text(PATTERN_CHARS, max_size=6), st.text(st.sampled_from(["a", "A", "b", "B"]), max_size=8)
)
def test_ignore_case_agrees_with_lowercased_reference(pattern: str, text: str) -> None:
    expected = reference(pattern.lower(), text.lower())
    assert glob_match(pattern, text, ignore_case=True) is expected
    assert compile_glob(pattern, ignore_case=True).match(text) is expected


@settings(max_examples=600, deadline=None)
@given(
    st.text(st.sampled_from(["a", "b", "*", "?", LITERAL_QMARK]), max_size=9),
    st.text(st.sampled_from(["a", "b", "?"]), max_size=40),
)
def test_windowed_search_agrees_with_regex_reference(pattern: str, text: str) -> None:
    # Windows of twice the segment's length, so the overlap between windows is reached.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wildcard, "_MIN_WINDOW", 1)
        assert glob_match(pattern, text) is reference(pattern, text)


HOSTILE = [
    # (id, pattern, text, expected): shapes that made the old scan quadratic
    ("star_run_qmark_tail", "*" + "a" * 3000 + "?b", "a" * 6000, False),
    ("star_run_qmark_tail_hit", "*" + "a" * 3000 + "?b", "a" * 6000 + "b", True),
    ("run_qmark_middle", "*" + "a" * 3000 + "?b*", "a" * 6000, False),
    ("run_qmark_middle_hit", "*" + "a" * 3000 + "?b*", "a" * 6000 + "cb" + "a" * 10, True),
    ("many_qmark_segments", "*a?*" * 200 + "b", "a" * 6000, False),
    ("qmarks_then_missing_char", "*" + "?" * 100 + "b*", "a" * 6000, False),
    ("alternating_runs", "*" + "ab?" * 500 + "*", "ab" * 3000, False),
    ("alternating_runs_hit", "*" + "ab?" * 500 + "*", "abx" * 600, True),
]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_hostile_patterns_give_the_right_answer(pattern: str, text: str, expected: bool) -> None:
    # Correctness on long inputs; their cost is measured by bench/wildcard.py.
    assert glob_match(pattern, text) is expected
    assert compile_glob(pattern, ignore_case=True).match(text.upper()) is expected


@pytest.mark.parametrize("offset", range(0, 24))
def test_windowed_search_finds_a_match_at_every_offset(offset: int) -> None:
    # A 3-character segment gets 6-character windows: offsets 0..23 cross several borders.
    text = "c" * offset + "axb" + "c" * 3
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wildcard, "_MIN_WINDOW", 1)
        assert glob_match("*a?b*", text)
        assert glob_match("c*a?b*c", text) is (offset > 0)


# The worst shape: a middle segment of many runs and `?`s, against a long text.
SLOW_PATTERN, SLOW_TEXT = "*" + "a?" * 4000 + "b*", "a" * 400_000


def test_a_long_question_mark_search_polls_the_running_budget() -> None:
    readings: list[float] = []
    budget = Budget(seconds=1e9, clock=lambda: readings.append(0.0) or 0.0)
    with budget.watching():
        assert glob_match(SLOW_PATTERN, SLOW_TEXT) is False
    assert len(readings) > 10  # read from inside the one match, many times


def test_a_long_question_mark_search_stops_when_the_budget_time_is_up() -> None:
    ticks = itertools.count()  # one second passes at every reading
    budget = Budget(seconds=3, clock=lambda: float(next(ticks)))
    with budget.watching(), pytest.raises(BudgetExceeded, match="longer than 3 seconds"):
        glob_match(SLOW_PATTERN, SLOW_TEXT)
    assert next(ticks) == 5  # it stopped at the first reading past the limit


def test_without_a_running_evaluation_a_search_reads_no_clock() -> None:
    readings: list[float] = []
    Budget(seconds=1, clock=lambda: readings.append(0.0) or 0.0)
    assert glob_match(SLOW_PATTERN, SLOW_TEXT) is False
    assert readings == []
