"""`*` / `?` matching as IAM uses it in policies, linear in pattern + text but for `?` segments.

`*` matches any run of characters (also empty, also across `/` and `:`),
`?` matches exactly one character. Policy-variable escapes (`${*}`, `${?}`)
become the private-use characters LITERAL_STAR and LITERAL_QMARK, which
match a plain `*` or `?` in the text and nothing else.

No regular expressions and no backtracking. A pattern is cut at its `*`s into
segments of literal pieces and `?`s. The first segment must match at the start
of the text and the last at its end; each middle segment is then found at its
leftmost place after the previous one (leftmost is always safe, since only a
`*` separates it from the next). A segment without `?` is found by `str.find`
(linear in CPython). A segment with `?` is found with bit masks over windows
of the text that double in size: one mask per distinct character, runs of one
character folded by doubling, so a window costs O(window) plus O(window / 30)
per run of the segment, all in C.

So matching is linear in pattern + text except for a middle segment with many
runs *and* `?`s, where it is a machine word per run per 30 text characters
(matching with don't-care characters has no known linear algorithm; the best
general bound is O(n log m)). Such a search polls the running evaluation's
budget (budget.poll) as it goes, so even that case ends within the request's
time limit. `bench/wildcard.py` prints the figures.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from .budget import poll

LITERAL_STAR = "\ue000"
LITERAL_QMARK = "\ue001"

_UNMARK = str.maketrans({LITERAL_STAR: "*", LITERAL_QMARK: "?"})
# A `?` segment is searched in windows that start at this many characters (or
# twice the segment) and double: a near match costs little, a far one O(distance).
_MIN_WINDOW = 64
# A window search whose masks cover more characters than this polls the budget
# every _POLL_RUNS runs (about a millisecond of work between two polls).
_POLL_WORK = 1 << 20
_POLL_RUNS = 64


def has_wildcards(pattern: str) -> bool:
    """True when `pattern` contains a wildcard `*` or `?` (not an escaped one)."""
    return "*" in pattern or "?" in pattern


def unmark(text: str) -> str:
    """Turn literal markers back into the plain `*` and `?` they stand for."""
    return text.translate(_UNMARK)


def glob_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """Does `text` match `pattern` as a whole (`*` any run, `?` one character)?"""
    return _build(pattern, ignore_case).match(text)


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


class _Segment:
    """The part of a pattern between two `*`: literal pieces at offsets, `?` between."""

    __slots__ = ("length", "pieces", "literal", "runs")

    def __init__(self, source: str) -> None:
        self.length = len(source)
        pieces: list[tuple[int, str]] = []
        start = 0
        for i, ch in enumerate(source + "?"):
            if ch == "?":
                if i > start:
                    pieces.append((start, unmark(source[start:i])))
                start = i + 1
        self.pieces = tuple(pieces)
        # A segment without `?` is one plain string, found by str.find.
        whole = len(pieces) == 1 and len(pieces[0][1]) == len(source)
        self.literal = pieces[0][1] if whole else None
        # (offset, character, count) for each run of one character, for the masks.
        runs: list[tuple[int, str, int]] = []
        for off, piece in pieces:
            i = 0
            while i < len(piece):
                j = i
                while j < len(piece) and piece[j] == piece[i]:
                    j += 1
                runs.append((off + i, piece[i], j - i))
                i = j
        self.runs = tuple(runs)

    def at(self, text: str, where: int) -> bool:
        """Does the segment match `text` at index `where` (and fit inside it)?"""
        if where < 0 or where + self.length > len(text):
            return False
        return all(text.startswith(piece, where + off) for off, piece in self.pieces)

    def find(self, text: str, start: int, end: int) -> int:
        """The leftmost index in [start, end - length] where the segment matches, or -1."""
        if self.literal is not None:
            return text.find(self.literal, start, end)
        if not self.pieces:  # only `?`: any place with room will do
            return start if start + self.length <= end else -1
        span = max(2 * self.length, _MIN_WINDOW)
        while start + self.length <= end:
            stop = min(end, start + span)
            found = self._in_window(text[start:stop])
            if found >= 0:
                return start + found
            if stop == end:
                return -1
            # The next window overlaps by length - 1, so no place is skipped.
            start = stop - self.length + 1
            span *= 2
        return -1

    def _in_window(self, window: str) -> int:
        # Bit k of a mask stands for window[k]; `starts` keeps the places still possible.
        starts = (1 << (len(window) - self.length + 1)) - 1
        zeros = dict.fromkeys(map(ord, set(window)), "0")
        chars: dict[str, int] = {}
        runs: dict[tuple[str, int], int] = {}
        watched = len(window) * len(self.runs) > _POLL_WORK
        for done, (off, ch, count) in enumerate(self.runs):
            if watched and done % _POLL_RUNS == 0:
                poll()
            mask = runs.get((ch, count))
            if mask is None:
                single = chars.get(ch)
                if single is None:
                    single = chars[ch] = _char_mask(window, ch, zeros)
                mask = runs[(ch, count)] = _run_mask(single, count)
            starts &= mask >> off
            if not starts:
                return -1
        return (starts & -starts).bit_length() - 1


def _char_mask(window: str, ch: str, zeros: dict[int, str]) -> int:
    """Bit k set where window[k] == ch (translate and int() both run in C)."""
    if ord(ch) not in zeros:
        return 0
    table = {**zeros, ord(ch): "1"}
    return int(window.translate(table)[::-1], 2)


def _run_mask(single: int, count: int) -> int:
    """Bit k set where `count` copies of the character start at k, by doubling."""
    result, result_len = -1, 0
    power, power_len = single, 1
    while count:
        if count & 1:
            result = power if result_len == 0 else result & (power >> result_len)
            result_len += power_len
        count >>= 1
        if count:
            power &= power >> power_len
            power_len *= 2
    return result


class _Segments:
    """Any mix of `*` and `?`: anchored first and last segments, leftmost middles."""

    __slots__ = ("pattern", "_head", "_tail", "_middle", "_min", "_fold")

    def __init__(self, pattern: str, fold: bool) -> None:
        self.pattern = pattern
        parts = [_Segment(s) for s in (pattern.lower() if fold else pattern).split("*")]
        self._head, self._tail = parts[0], parts[-1]
        self._middle = tuple(s for s in parts[1:-1] if s.length)
        self._min = sum(s.length for s in parts)
        self._fold = fold

    def match(self, text: str) -> bool:
        t = text.lower() if self._fold else text
        head, tail = self._head, self._tail
        if len(t) < self._min or not head.at(t, 0) or not tail.at(t, len(t) - tail.length):
            return False
        pos, end = head.length, len(t) - tail.length
        for segment in self._middle:
            found = segment.find(t, pos, end)
            if found < 0:
                return False
            pos = found + segment.length
        return True


class _Single:
    """`?` but no `*`: the text has the pattern's length and matches it in place."""

    __slots__ = ("pattern", "_segment", "_fold")

    def __init__(self, pattern: str, fold: bool) -> None:
        self.pattern = pattern
        self._segment = _Segment(pattern.lower() if fold else pattern)
        self._fold = fold

    def match(self, text: str) -> bool:
        t = text.lower() if self._fold else text
        return len(t) == self._segment.length and self._segment.at(t, 0)


def _build(pattern: str, ignore_case: bool) -> GlobMatcher:
    if pattern and pattern.strip("*") == "":
        return _Everything(pattern)
    if "*" not in pattern:
        return _Single(pattern, ignore_case) if "?" in pattern else _Exact(pattern, ignore_case)
    if "?" not in pattern and pattern.endswith("*") and "*" not in pattern.rstrip("*"):
        return _Prefix(pattern, ignore_case)
    return _Segments(pattern, ignore_case)


@lru_cache(maxsize=8192)
def compile_glob(pattern: str, ignore_case: bool = False) -> GlobMatcher:
    """A cached matcher for `pattern`, with fast paths for the common shapes."""
    return _build(pattern, ignore_case)
