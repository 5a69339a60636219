"""Linear-time `*` / `?` matching, as IAM uses it in policies.

`*` matches any run of characters (also empty, also across `/` and `:`),
`?` matches exactly one character. Policy-variable escapes (`${*}`, `${?}`)
become the private-use characters LITERAL_STAR and LITERAL_QMARK, which
match a plain `*` or `?` in the text and nothing else.

No regular expressions: a pattern like `*a*a*a*b` against a long run of `a`
must not backtrack exponentially, so matching is the classic two-pointer
scan, O(len(pattern) * len(text)) at worst and usually linear.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

LITERAL_STAR = "\ue000"
LITERAL_QMARK = "\ue001"

_UNMARK = str.maketrans({LITERAL_STAR: "*", LITERAL_QMARK: "?"})


def has_wildcards(pattern: str) -> bool:
    """True when `pattern` contains a wildcard `*` or `?` (not an escaped one)."""
    return "*" in pattern or "?" in pattern


def unmark(text: str) -> str:
    """Turn literal markers back into the plain `*` and `?` they stand for."""
    return text.translate(_UNMARK)


def glob_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """Does `text` match `pattern` as a whole (`*` any run, `?` one character)?"""
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    return _scan(pattern, text)


def _scan(p: str, t: str) -> bool:
    # Greedy scan remembering only the last `*`: retrying from the last star is
    # enough, because an earlier star can never need to absorb more text.
    np, nt = len(p), len(t)
    i = j = 0
    star = -1  # index in p just after the last `*` seen
    resume = 0  # where in t that star's run currently ends
    while j < nt:
        if i < np:
            c = p[i]
            if c == "*":
                star, resume = i + 1, j
                i += 1
                continue
            if c == "?" or _same(c, t[j]):
                i += 1
                j += 1
                continue
        if star < 0:
            return False
        # Let the last star swallow one more character and try again from there.
        resume += 1
        i, j = star, resume
    while i < np and p[i] == "*":
        i += 1
    return i == np


def _same(c: str, ch: str) -> bool:
    if c == LITERAL_STAR:
        return ch == "*"
    if c == LITERAL_QMARK:
        return ch == "?"
    return c == ch


class GlobMatcher(Protocol):
    """A compiled pattern: `.match(text)` says whether the whole text matches."""

    pattern: str

    def match(self, text: str) -> bool: ...


class _Everything:
    __slots__ = ("pattern",)

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def match(self, text: str) -> bool:
        return True


class _Exact:
    __slots__ = ("pattern", "_want", "_fold")

    def __init__(self, pattern: str, fold: bool) -> None:
        self.pattern = pattern
        self._want = unmark(pattern.lower() if fold else pattern)
        self._fold = fold

    def match(self, text: str) -> bool:
        return (text.lower() if self._fold else text) == self._want


class _Prefix:
    __slots__ = ("pattern", "_prefix", "_fold")

    def __init__(self, pattern: str, fold: bool) -> None:
        self.pattern = pattern
        body = pattern.rstrip("*")
        self._prefix = unmark(body.lower() if fold else body)
        self._fold = fold

    def match(self, text: str) -> bool:
        return (text.lower() if self._fold else text).startswith(self._prefix)


class _Stars:
    """Only `*` wildcards: anchored ends, then leftmost search for the middle parts."""

    __slots__ = ("pattern", "_head", "_tail", "_middle", "_min", "_fold")

    def __init__(self, pattern: str, fold: bool) -> None:
        self.pattern = pattern
        parts = [unmark(s) for s in (pattern.lower() if fold else pattern).split("*")]
        self._head, self._tail = parts[0], parts[-1]
        self._middle = tuple(s for s in parts[1:-1] if s)
        self._min = sum(len(s) for s in parts)
        self._fold = fold

    def match(self, text: str) -> bool:
        t = text.lower() if self._fold else text
        if len(t) < self._min or not t.startswith(self._head) or not t.endswith(self._tail):
            return False
        pos, end = len(self._head), len(t) - len(self._tail)
        for part in self._middle:
            # Taking the leftmost occurrence is always safe when only `*` separates parts.
            found = t.find(part, pos, end)
            if found < 0:
                return False
            pos = found + len(part)
        return True


class _General:
    __slots__ = ("pattern", "_body", "_fold")

    def __init__(self, pattern: str, fold: bool) -> None:
        self.pattern = pattern
        self._body = pattern.lower() if fold else pattern
        self._fold = fold

    def match(self, text: str) -> bool:
        return _scan(self._body, text.lower() if self._fold else text)


@lru_cache(maxsize=8192)
def compile_glob(pattern: str, ignore_case: bool = False) -> GlobMatcher:
    """A cached matcher for `pattern`, with fast paths for the common shapes."""
    if pattern and pattern.strip("*") == "":
        return _Everything(pattern)
    if "?" in pattern:
        return _General(pattern, ignore_case)
    stars = pattern.count("*")
    if stars == 0:
        return _Exact(pattern, ignore_case)
    if pattern.endswith("*") and "*" not in pattern.rstrip("*"):
        return _Prefix(pattern, ignore_case)
    return _Stars(pattern, ignore_case)
