"""JSON text -> value with plain-English syntax errors, and pointer -> (line, column)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluator.core.jsonpos import (
    MAX_DEPTH,
    JsonTextError,
    decode_text,
    duplicate_keys,
    parse_json,
    plain_json,
    positions,
    positions_and_duplicates,
    unstorable,
)

# (text, message start, line, column); the place is where the fault is, 1-based.
SYNTAX_ERRORS = [
    pytest.param('{"a": 1,}', "Trailing comma", 1, 8, id="trailing-comma-in-object"),
    pytest.param("[1,\n 2,\n]", "Trailing comma", 2, 3, id="trailing-comma-in-array-next-line"),
    pytest.param('{"a": 1 "b": 2}', "Expected ',' or '}' after a member", 1, 9, id="missing-comma"),
    pytest.param("[1 2]", "Expected ',' or ']' after an element", 1, 4, id="missing-comma-array"),
    pytest.param('{"a" 1}', "Expected ':' after the property name", 1, 6, id="missing-colon"),
    pytest.param('{\n  "a": "abc\n}', "Unterminated string", 2, 8, id="unterminated-string"),
    pytest.param('{"a": "x', "Unterminated string", 1, 7, id="string-runs-to-the-end"),
    pytest.param(
        '{"a": tru}', "Unexpected word 'tru' (did you mean true?)", 1, 7, id="bad-literal"
    ),
    pytest.param('{"a": NaN}', "NaN and Infinity are not valid", 1, 7, id="nan"),
    pytest.param("[1, -Infinity]", "NaN and Infinity are not valid", 1, 5, id="minus-infinity"),
    pytest.param("{'a': 1}", "Property names must use double quotes", 1, 2, id="single-quotes"),
    pytest.param("{a: 1}", "Property names must be in double quotes", 1, 2, id="bare-key"),
    pytest.param("", "The document is empty", 1, 1, id="empty"),
    pytest.param('{"a": 01}', "Invalid number", 1, 7, id="leading-zero"),
    pytest.param('{"a": "\\x"}', "Invalid escape sequence \\x", 1, 8, id="bad-escape"),
    pytest.param('{"a":\n\t{"b": "x\ty"}}', "Control character in string", 2, 10, id="raw-tab"),
    pytest.param("[1] [2]", "Unexpected text after the end", 1, 5, id="extra-data"),
    pytest.param('{"a": [1, 2', "Unexpected end of document: expected ','", 1, 12, id="truncated"),
    pytest.param("[" * 5000, "The document is nested too deeply", 1, 201, id="too-deep"),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), SYNTAX_ERRORS)
def test_syntax_error_has_plain_message_and_its_line_and_column(text, message, line, column):
    with pytest.raises(JsonTextError) as caught:
        parse_json(text)
    err = caught.value
    assert err.message.startswith(message)
    assert (err.line, err.column) == (line, column)
    assert err.problem.code == "json.syntax"
    assert (err.problem.line, err.problem.column) == (line, column)


def test_windows_line_endings_count_as_one_line_break():
    with pytest.raises(JsonTextError) as caught:
        parse_json('{\r\n  "a": 1,\r\n}')
    assert (caught.value.line, caught.value.column) == (2, 9)


def test_valid_text_parses_like_the_stdlib():
    text = '{"a": [1, 2.5e3, true, null, "\\u00e9"], "b": {}}'
    assert parse_json(text) == json.loads(text)


def test_bytes_are_read_as_utf8_with_a_bom_tolerated():
    assert parse_json('\ufeff{"é": 1}'.encode()) == {"é": 1}
    assert parse_json('\ufeff{"a": 1}') == {"a": 1}
    assert decode_text(b"\xef\xbb\xbf[]") == "[]"


def test_invalid_utf8_is_a_clear_error_at_the_bad_byte():
    with pytest.raises(JsonTextError) as caught:
        parse_json(b'{\n  "a": "\xff"}')
    assert "not valid UTF-8" in caught.value.message
    assert (caught.value.line, caught.value.column) == (2, 9)


def test_duplicate_names_are_collected_when_asked_and_the_last_value_wins():
    found: list[str] = []
    assert parse_json('{"a": 1, "b": {"a": 2}, "a": 3}', duplicates=found) == {
        "a": 3,
        "b": {"a": 2},
    }
    assert found == ["a"]


def test_positions_place_members_at_their_key_and_elements_at_their_value():
    text = '{\n  "keys": [\n    {"id": "k1"},\n    {"id": "k2", "tags": ["x",  "y"]}\n  ]\n}'
    where = positions(text)
    assert where[""] == (1, 1)
    assert where["/keys"] == (2, 3)
    assert where["/keys/0"] == (3, 5)
    assert where["/keys/0/id"] == (3, 6)
    assert where["/keys/1/id"] == (4, 6)
    assert where["/keys/1/tags/1"] == (4, 33)


def test_positions_escape_pointer_parts_and_decode_string_escapes():
    text = '{"a/b": {"~x": 1, "\\u00e9\\n": [true]}}'
    where = positions(text)
    assert where["/a~1b"] == (1, 2)
    assert where["/a~1b/~0x"] == (1, 10)
    assert where["/a~1b/é\n"] == (1, 19)
    assert where["/a~1b/é\n/0"] == (1, 32)


def test_every_pointer_of_a_document_has_a_position():
    doc = {"a": [{"b": [1, {"c": None}]}, "x"], "d/e": {"~": []}}
    text = json.dumps(doc, indent=2)
    assert set(positions(text)) == {
        "",
        "/a",
        "/a/0",
        "/a/0/b",
        "/a/0/b/0",
        "/a/0/b/1",
        "/a/0/b/1/c",
        "/a/1",
        "/d~1e",
        "/d~1e/~0",
    }


def test_positions_on_invalid_text_cover_what_comes_before_the_fault():
    where = positions('{"a": 1, "b": [1, }')
    assert where["/a"] == (1, 2)
    assert "/b" in where


def test_duplicate_keys_are_warnings_at_the_repeated_key():
    text = '{\n  "a": 1,\n  "b": {"x": 1, "x": 2},\n  "a": 3\n}'
    found = duplicate_keys(text)
    assert [(p.code, p.severity, p.pointer, p.line, p.column) for p in found] == [
        ("json.duplicate_key", "warning", "/b/x", 3, 17),
        ("json.duplicate_key", "warning", "/a", 4, 3),
    ]


def test_a_repeated_key_takes_the_position_of_its_last_occurrence():
    where, dups = positions_and_duplicates('{"a": [1],\n "a": [2]}')
    assert where["/a"] == (2, 2)
    assert where["/a/0"] == (2, 8)
    assert len(dups) == 1


# (text, words of the message, line, column): JSON that parses but cannot be kept.
UNSUPPORTED = [
    pytest.param('{"a":\n  1e999}', "The number 1e999 is out of range", 2, 3, id="huge-number"),
    pytest.param("[-1E400]", "The number -1E400 is out of range", 1, 2, id="huge-negative"),
    pytest.param('{"n": "al\\ud800ice"}', "holds \\ud800, half of a UTF-16", 1, 2, id="lone-high"),
    pytest.param('["ok", "\\udc00"]', "holds \\udc00", 1, 8, id="lone-low"),
    pytest.param('{"k\\u0000": 1}', "A property name holds the NUL", 1, 2, id="nul-in-key"),
    pytest.param('{"a": {"b": "\\u0000"}}', "A string holds the NUL", 1, 8, id="nul-in-string"),
]


@pytest.mark.parametrize(("text", "words", "line", "column"), UNSUPPORTED)
def test_json_that_no_database_keeps_is_refused_with_its_place(text, words, line, column):
    with pytest.raises(JsonTextError) as caught:
        parse_json(text)
    err = caught.value
    assert words in err.message
    assert (err.line, err.column) == (line, column)
    assert err.problem.code == "json.unsupported"
    assert err.limit


def test_surrogate_pairs_and_escaped_backslashes_are_fine():
    assert parse_json('"\\ud83d\\ude00"') == "\U0001f600"
    assert parse_json('"\\\\ud800"') == "\\ud800"


def test_nesting_past_the_limit_is_refused_even_when_the_decoder_copes():
    # 300 levels: the stdlib decoder manages, but later code would recurse that deep.
    with pytest.raises(JsonTextError) as caught:
        parse_json("[" * 300 + "]" * 300)
    assert caught.value.message == "The document is nested too deeply"
    assert (caught.value.line, caught.value.column) == (1, 201)
    assert caught.value.limit
    assert parse_json("[" * 150 + "]" * 150) is not None


def test_a_syntax_error_is_not_a_limit():
    with pytest.raises(JsonTextError) as caught:
        parse_json("[1,")
    assert not caught.value.limit


# (value, pointer of the first fault, words)
UNSTORABLE_VALUES = [
    pytest.param({"a": [1, float("inf")]}, "/a/1", "not a finite JSON number", id="inf"),
    pytest.param({"a": float("nan")}, "/a", "not a finite JSON number", id="nan"),
    pytest.param({"x/y": "a\ud800"}, "/x~1y", "surrogate", id="surrogate-in-value"),
    pytest.param({"b\x00": 1}, "/b\x00", "NUL", id="nul-in-key"),
    pytest.param({"a": {1, 2}}, "/a", "set is not a JSON value", id="not-json"),
]


@pytest.mark.parametrize(("value", "pointer", "words"), UNSTORABLE_VALUES)
def test_unstorable_finds_what_a_parsed_value_must_not_hold(value, pointer, words):
    found = unstorable(value)
    assert found is not None
    assert (found.code, found.pointer) == ("json.unsupported", pointer)
    assert words in found.message


def test_unstorable_accepts_plain_json_and_refuses_deep_nesting():
    assert unstorable({"a": [1, 2.5, "x", None, True, {"b": []}]}) is None
    deep: list = []
    node = deep
    for _ in range(MAX_DEPTH + 5):
        node.append([])
        node = node[0]
    found = unstorable(deep)
    assert found is not None and "nested too deeply" in found.message


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities included
    st.text(alphabet=st.sampled_from(["a", "\x00", "\ud800", "é", "\\"])),
    st.tuples(st.integers()),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=2) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=2), _VALUES, max_size=3))
def test_a_value_the_quick_test_passes_is_storable_json_and_unstorable_agrees(value):
    if not plain_json(value):
        return
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")  # no lone surrogate
    assert "\\u0000" not in text and json.loads(text) == value  # no NUL, nothing lost
    assert unstorable(value) is None


def test_the_quick_test_refuses_what_unstorable_finds():
    for value in ({"a": float("nan")}, {"a": "\x00"}, {1: "a"}, {"a": (1,)}, {"\ud800": 1}):
        assert not plain_json(value)
        assert unstorable(value) is not None
