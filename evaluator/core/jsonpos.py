"""JSON text -> value, and JSON pointer -> (line, column) in that text.

Parsing goes through the stdlib decoder, which is fast and correct. The
decoder's own error messages are terse ("Expecting ',' delimiter") and it
forgets where values were, so this module also has a small hand-written
scanner. The scanner only runs when something needs locating: a syntax error
(to explain it in plain English), a problem to mark in the editor's gutter,
or duplicate keys. Lines and columns are 1-based and count code points.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import replace
from typing import NoReturn

from evaluator.core.problems import Problem, pointer_join, problem

__all__ = [
    "JsonTextError",
    "decode_text",
    "duplicate_keys",
    "parse_json",
    "positions",
    "positions_and_duplicates",
    "unstorable",
]

# Beyond this depth the stdlib decoder runs out of stack; nothing a person
# draws on a canvas comes close, so a deeper document is reported as an error.
MAX_DEPTH = 200

_WS = re.compile(r"[ \t\n\r]*")
# A complete, valid string token. Anything else starting with '"' is diagnosed
# character by character (error path only).
_STRING = re.compile(r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_LITERALS = ("true", "false", "null")
# Characters JSON can escape but no database stores as text: NUL (PostgreSQL
# refuses it) and lone UTF-16 surrogates (not characters; UTF-8 cannot hold them).
_UNSTORABLE_CHAR = re.compile("[\x00\ud800-\udfff]")
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_NOT_NUMBERS = {"NaN", "Infinity"}


class JsonTextError(ValueError):
    """The text is not valid JSON. Carries a `json.syntax` Problem with its place."""

    def __init__(
        self,
        message: str,
        line: int,
        column: int,
        *,
        code: str = "json.syntax",
        limit: bool = False,
    ) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column
        # json.syntax: not JSON; json.unsupported: JSON, but beyond what the playground keeps.
        self.code = code
        # True when the text is JSON but over a limit (depth, number range or length,
        # a character no database stores): never worth reading as plain text instead.
        self.limit = limit or code == "json.unsupported"
        self.problem: Problem = replace(problem(code, message), line=line, column=column)


# --------------------------------------------------------------------------- decoding


def decode_text(data: str | bytes) -> str:
    """Bytes as UTF-8 (a byte order mark is dropped); text with its BOM dropped."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            # Place the error using the part that did decode, so the column is
            # what an editor would show for the same bytes.
            before = raw[: exc.start].decode("utf-8", errors="replace")
            line, column = _line_col(before, len(before))
            bad = raw[exc.start : exc.start + 1].hex().upper()
            raise JsonTextError(
                f"The file is not valid UTF-8 text (byte 0x{bad} cannot start or continue "
                "a character); save it as UTF-8",
                line,
                column,
            ) from None
    # Editors on Windows may leave a BOM on pasted text; json.loads refuses it.
    return data[1:] if data.startswith("\ufeff") else data


# --------------------------------------------------------------------------- parsing


class _ConstantRejected(Exception):
    """Raised from parse_constant: NaN and Infinity are not JSON."""


def _reject_constant(name: str) -> NoReturn:
    raise _ConstantRejected(name)


class _OutOfRange(Exception):
    """Raised from parse_float: a number such as 1e999 that no float holds."""


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise _OutOfRange(literal)
    return value


def parse_json(text: str | bytes, *, duplicates: list[str] | None = None) -> object:
    """Parse JSON text strictly, raising JsonTextError with a plain message and place.

    If `duplicates` is given, the name of every key that occurs twice in one
    object is appended to it (the later value wins, as in browsers), so a caller
    can decide whether to run the slower `duplicate_keys` scan for positions.
    """
    source = decode_text(text)
    hook = None
    if duplicates is not None:
        seen_twice = duplicates

        def hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
            out = dict(pairs)
            if len(out) != len(pairs):
                names: set[str] = set()
                for name, _ in pairs:
                    if name in names:
                        seen_twice.append(name)
                    names.add(name)
            return out

    try:
        value = json.loads(
            source,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=hook,
        )
    except json.JSONDecodeError as exc:
        # The scanner finds the same error and can say what was expected where.
        _Scanner(source).run()
        line, column = exc.lineno, exc.colno
        raise JsonTextError(_plain(exc.msg), line, column) from None
    except _ConstantRejected:
        _Scanner(source).run()
        raise JsonTextError("NaN and Infinity are not valid JSON numbers", 1, 1) from None
    except _OutOfRange as exc:
        line, column = _line_col(source, max(source.find(str(exc)), 0))
        message = f"The number {exc} is out of range (beyond about 1.8e308)"
        raise JsonTextError(message, line, column, code="json.unsupported") from None
    except RecursionError:
        _too_deep(source)
    except ValueError:
        # The only other ValueError is Python's cap on digits in an integer.
        match = re.search(r"[0-9]{1000,}", source)
        line, column = _line_col(source, match.start() if match else 0)
        message = "Number too long: Python reads at most 4300 digits"
        raise JsonTextError(message, line, column, limit=True) from None
    if _depth_over(value, MAX_DEPTH):
        _too_deep(source)
    if _may_be_unstorable(source):
        found = unstorable(value)
        if found is not None:
            line, column = positions(source).get(found.pointer, (1, 1))
            raise JsonTextError(found.message, line, column, code="json.unsupported")
    return value


def _too_deep(source: str) -> NoReturn:
    try:
        _Scanner(source, max_depth=MAX_DEPTH).run()
    except JsonTextError as exc:
        raise JsonTextError(exc.message, exc.line, exc.column, limit=True) from None
    raise JsonTextError("The document is nested too deeply", 1, 1, limit=True)


def _may_be_unstorable(source: str) -> bool:
    """Can the text hold NUL or half a surrogate pair, raw or escaped? (Quick
    tests first: an ASCII text has no raw surrogate, a text without \\u no escape.)"""
    if "\\u" in source and _UNSTORABLE_ESCAPE.search(source):
        return True
    return "\x00" in source if source.isascii() else bool(_UNSTORABLE_CHAR.search(source))


def _depth_over(value: object, limit: int) -> bool:
    """Is any container nested more than `limit` deep? (Level by level: no recursion.)"""
    if not isinstance(value, (dict, list)):
        return False
    level: list[dict | list] = [value]
    depth = 1
    while level:
        if depth > limit:
            return True
        below: list[dict | list] = []
        for node in level:
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, (dict, list)):
                    below.append(child)
        level, depth = below, depth + 1
    return False


_INF = float("inf")


def plain_json(value: object) -> bool:
    """Is `value` made of exact JSON types only (dict, list, str, int, bool, None,
    finite float), storable, and no deeper than MAX_DEPTH? A quick test that
    never says yes where `unstorable` would find something; it may say no where
    `unstorable` finds nothing (a dict subclass), which then decides."""
    if type(value) is not dict and type(value) is not list:
        return False
    search = _UNSTORABLE_CHAR.search
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return False
        if type(node) is dict:
            for key in node:
                if type(key) is not str or search(key):
                    return False
            children = node.values()
        else:
            children = node  # type: ignore[assignment]
        for child in children:
            kind = type(child)
            if kind is str:
                if search(child):
                    return False
            elif kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is float:
                if child != child or child == _INF or child == -_INF:
                    return False
            elif child is not None and kind is not bool and kind is not int:
                return False
    return True


def unstorable(value: object, pointer: str = "") -> Problem | None:
    """The first thing in an already-parsed value that is not storable JSON, or None:
    nesting deeper than MAX_DEPTH, a number that is not finite, a string or key
    holding NUL or a lone surrogate, a value that is not a JSON type."""
    if plain_json(value):
        return None  # the common case, without working out a pointer per value
    stack: list[tuple[object, str, int]] = [(value, pointer, 0)]
    while stack:
        node, ptr, depth = stack.pop()
        if isinstance(node, str):
            if _UNSTORABLE_CHAR.search(node):
                return _bad_text(node, ptr)
        elif isinstance(node, bool) or node is None or isinstance(node, int):
            continue
        elif isinstance(node, float):
            if node != node or node in (float("inf"), float("-inf")):
                return problem(
                    "json.unsupported", f"The number {node} is not a finite JSON number", ptr
                )
        elif isinstance(node, dict | list):
            if depth >= MAX_DEPTH:
                return problem("json.unsupported", "The document is nested too deeply", ptr)
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                if isinstance(node, dict):
                    if not isinstance(key, str):
                        return problem("json.unsupported", "An object key is not a string", ptr)
                    if _UNSTORABLE_CHAR.search(key):
                        return _bad_text(key, pointer_join(ptr, key), key=True)
                stack.append((child, pointer_join(ptr, key), depth + 1))
        else:
            return problem("json.unsupported", f"{type(node).__name__} is not a JSON value", ptr)
    return None


def _bad_text(text: str, ptr: str, *, key: bool = False) -> Problem:
    found = _UNSTORABLE_CHAR.search(text)
    assert found is not None
    char = found.group()
    what = "A property name" if key else "A string"
    if char == "\x00":
        why = "holds the NUL character (\\u0000), which cannot be stored"
    else:
        why = (
            f"holds \\u{ord(char):04x}, half of a UTF-16 surrogate pair without its other "
            "half: that is not a character"
        )
    return problem("json.unsupported", f"{what} {why}", ptr)


def _plain(msg: str) -> str:
    """Fallback wording for a stdlib message, should the scanner not object."""
    table = {
        "Expecting value": "Expected a value",
        "Expecting property name enclosed in double quotes": "Expected a property name in "
        "double quotes",
        "Expecting ',' delimiter": "Expected ','",
        "Expecting ':' delimiter": "Expected ':' after the property name",
        "Extra data": "Unexpected text after the end of the document",
    }
    return table.get(msg, msg)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


# --------------------------------------------------------------------------- scanning


class _Scanner:
    """A linear, iterative JSON scanner that records where every value starts.

    It validates as strictly as json.loads with NaN/Infinity refused, so on
    text the decoder rejected it raises JsonTextError at the first fault,
    worded for a person. It keeps an explicit stack instead of recursing so a
    deeply nested document cannot exhaust Python's stack.
    """

    def __init__(self, text: str, *, max_depth: int | None = None) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.line_start = 0  # index where the current line begins
        self.max_depth = max_depth
        self.where: dict[str, tuple[int, int]] = {}
        self.duplicates: list[Problem] = []

    # -- low level

    def pos(self, index: int | None = None) -> tuple[int, int]:
        if index is None or index >= self.line_start:
            at = self.i if index is None else index
            return self.line, at - self.line_start + 1
        return _line_col(self.text, index)  # an earlier line: rare, error path only

    def fail(self, message: str, index: int | None = None) -> NoReturn:
        line, column = self.pos(index)
        raise JsonTextError(message, line, column)

    def skip_ws(self) -> None:
        start = self.i
        found = _WS.match(self.text, start)  # `[ \t\n\r]*` always matches
        end = found.end() if found else start
        if end != start:
            newlines = self.text.count("\n", start, end)
            if newlines:
                self.line += newlines
                self.line_start = self.text.rfind("\n", start, end) + 1
            self.i = end

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    # -- tokens

    def string(self) -> str:
        """Scan the string at self.i and return its decoded value."""
        match = _STRING.match(self.text, self.i)
        if match is None:
            self.bad_string()
        self.i = match.end()
        token = match.group()
        # Strings without escapes are the common case and need no decoding.
        return token[1:-1] if "\\" not in token else json.loads(token)

    def bad_string(self) -> NoReturn:
        start, text, k = self.i, self.text, self.i + 1
        while k < len(text):
            ch = text[k]
            if ch == '"':
                break
            if ch in "\n\r":
                self.fail("Unterminated string (a string must close on the line it opens)", start)
            if ch < " ":
                self.fail(
                    "Control character in string: write it as an escape such as \\n or \\t", k
                )
            if ch == "\\":
                nxt = text[k + 1 : k + 2]
                if nxt == "":
                    break
                if nxt == "u":
                    if not re.fullmatch(r"[0-9a-fA-F]{4}", text[k + 2 : k + 6]):
                        self.fail("Invalid \\u escape: it needs four hex digits", k)
                    k += 6
                    continue
                if nxt not in '"\\/bfnrt':
                    self.fail(f"Invalid escape sequence \\{repr(nxt)[1:-1]} in string", k)
                k += 2
                continue
            k += 1
        self.fail("Unterminated string", start)

    def value_start_error(self, after_comma: int | None) -> NoReturn:
        """Explain why no value starts at self.i."""
        ch = self.peek()
        if ch in "]}" and ch and after_comma is not None:
            self.fail("Trailing comma", after_comma)
        if ch == "":
            self.fail("Unexpected end of document: expected a value")
        if ch == "'":
            self.fail("Strings must use double quotes, not single quotes")
        if ch in "-+." or ch.isdigit():
            if self.text.startswith("-Infinity", self.i):
                self.fail("NaN and Infinity are not valid JSON numbers")
            self.fail("Invalid number")
        word = _WORD.match(self.text, self.i)
        if word is not None:
            if word.group() in _NOT_NUMBERS:
                self.fail("NaN and Infinity are not valid JSON numbers")
            for literal in _LITERALS:
                if literal.startswith(word.group()) or word.group().lower() == literal:
                    self.fail(f"Unexpected word '{word.group()}' (did you mean {literal}?)")
            self.fail(f"Unexpected word '{word.group()}': text values need double quotes")
        self.fail(f"Expected a value, found '{ch}'")

    def scalar(self, after_comma: int | None) -> None:
        ch = self.peek()
        if ch == '"':
            self.string()
            return
        if ch == "-" or ch.isdigit():
            match = _NUMBER.match(self.text, self.i)
            if match is None:
                self.value_start_error(after_comma)
            end = match.end()
            if end < len(self.text) and (self.text[end] in "0123456789.eE+-"):
                self.fail("Invalid number")
            self.i = end
            return
        for literal in _LITERALS:
            if self.text.startswith(literal, self.i):
                end = self.i + len(literal)
                # "nullx" is one bad word, not null followed by junk
                if end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
                    break
                self.i = end
                return
        self.value_start_error(after_comma)

    # -- structure

    def run(self) -> None:
        """Scan the whole text; raise JsonTextError at the first fault."""
        text = self.text
        self.skip_ws()
        if self.i >= len(text):
            self.fail("The document is empty")
        stack: list[_Frame] = []
        pointer = ""
        self.where[pointer] = self.pos()
        after_comma: int | None = None
        while True:
            # A value starts at self.i; its place is already recorded under `pointer`.
            ch = self.peek()
            if ch and ch in "{[":
                if self.max_depth is not None and len(stack) >= self.max_depth:
                    self.fail("The document is nested too deeply")
                is_object = ch == "{"
                self.i += 1
                self.skip_ws()
                if self.peek() == ("}" if is_object else "]"):
                    self.i += 1
                else:
                    frame = _Frame(is_object, pointer)
                    stack.append(frame)
                    pointer = self.member_key(frame, None) if is_object else self.element(frame)
                    after_comma = None
                    continue
            else:
                self.scalar(after_comma)
            # A value has ended: close containers until the next value is found.
            while True:
                self.skip_ws()
                if not stack:
                    if self.i < len(text):
                        self.fail("Unexpected text after the end of the document")
                    return
                frame = stack[-1]
                ch = self.peek()
                if ch == ",":
                    after_comma = self.i
                    self.i += 1
                    self.skip_ws()
                    frame.index += 1
                    if frame.is_object:
                        pointer = self.member_key(frame, after_comma)
                    else:
                        pointer = self.element(frame)
                    break
                if ch == ("}" if frame.is_object else "]"):
                    self.i += 1
                    stack.pop()
                    continue
                if frame.is_object:
                    what = "',' or '}' after a member"
                else:
                    what = "',' or ']' after an element"
                if ch == "":
                    self.fail(f"Unexpected end of document: expected {what}")
                self.fail(f"Expected {what}")

    def element(self, frame: _Frame) -> str:
        pointer = pointer_join(frame.pointer, frame.index)
        self.where[pointer] = self.pos()
        return pointer

    def member_key(self, frame: _Frame, comma: int | None) -> str:
        """Read `"key" :` at self.i; return the member's pointer, recorded at the key."""
        ch = self.peek()
        if ch != '"':
            if ch == "}" and comma is not None:
                self.fail("Trailing comma", comma)
            if ch == "":
                self.fail("Unexpected end of document: expected a property name")
            if ch == "'":
                self.fail("Property names must use double quotes, not single quotes")
            if _WORD.match(self.text, self.i):
                self.fail("Property names must be in double quotes")
            self.fail("Expected a property name in double quotes")
        key_at = self.pos()
        key = self.string()
        pointer = pointer_join(frame.pointer, key)
        if key in frame.keys:
            dup = problem(
                "json.duplicate_key", f'Duplicate key "{key}": only its last value is used', pointer
            )
            self.duplicates.append(replace(dup, line=key_at[0], column=key_at[1]))
        frame.keys.add(key)
        # The last occurrence is the one json.loads keeps, so it owns the place.
        self.where[pointer] = key_at
        self.skip_ws()
        if self.peek() != ":":
            self.fail("Expected ':' after the property name")
        self.i += 1
        self.skip_ws()
        return pointer


class _Frame:
    """One open object or array while scanning (mutable, internal)."""

    __slots__ = ("index", "is_object", "keys", "pointer")

    def __init__(self, is_object: bool, pointer: str) -> None:
        self.is_object = is_object
        self.pointer = pointer
        self.keys: set[str] = set()
        self.index = 0


def _scan(text: str) -> _Scanner:
    scanner = _Scanner(decode_text(text))
    with contextlib.suppress(JsonTextError):  # keep what was found before the fault
        scanner.run()
    return scanner


def positions(text: str) -> dict[str, tuple[int, int]]:
    """Map each JSON pointer in `text` to the 1-based (line, column) where it starts.

    An object member is placed at its key, an array element or the root at the
    value. On invalid text the map covers what comes before the first fault.
    """
    return _scan(text).where


def duplicate_keys(text: str) -> list[Problem]:
    """A `json.duplicate_key` warning for each repeated key, at the repeat."""
    return _scan(text).duplicates


def positions_and_duplicates(text: str) -> tuple[dict[str, tuple[int, int]], list[Problem]]:
    """Both of the above from one scan."""
    scanner = _scan(text)
    return scanner.where, scanner.duplicates
