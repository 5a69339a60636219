"""Policy variables: `${key}`, `${key, 'default'}` and the escapes (R5.14).

Expansion returns text in which every `*` and `?` that did not come from the
policy author is a literal marker (see wildcard.py), so a value taken from the
request (a tag, a user name) can never act as a wildcard.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from evaluator.core.wildcard import LITERAL_QMARK, LITERAL_STAR

# Policy variables exist only in this policy language version (R5.1, R5.14).
VARIABLES_VERSION = "2012-10-17"

# `${...}`: a key (no braces, quotes, commas or `$`), optionally `, 'default'`;
# or one of the single-character escapes.
_TOKEN = re.compile(
    r"\$\{\s*(?:"
    r"(?P<esc>[*?$])"
    r"|(?P<key>[^\s{}$,'](?:[^{}$,']*[^\s{}$,'])?)\s*(?:,\s*'(?P<default>[^']*)'\s*)?"
    r")\}"
)

_ESCAPES = {"*": LITERAL_STAR, "?": LITERAL_QMARK, "$": "$"}
_MARK = str.maketrans({"*": LITERAL_STAR, "?": LITERAL_QMARK})

Lookup = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Reference:
    """One `${...}` in a template: where it is and what it asks for."""

    start: int
    end: int
    key: str | None  # None for an escape
    default: str | None
    escape: str | None


def variables_enabled(version: str | None) -> bool:
    """Are `${...}` references variables (True) or literal text (False)? (R5.1)"""
    return version == VARIABLES_VERSION


def references(template: str) -> list[Reference]:
    """Every well-formed `${...}` in `template`, in order."""
    if "${" not in template:
        return []
    out = []
    for m in _TOKEN.finditer(template):
        out.append(
            Reference(m.start(), m.end(), m.group("key"), m.group("default"), m.group("esc"))
        )
    return out


def has_variables(s: str) -> bool:
    """Does `s` contain anything expand() would rewrite (a variable or an escape)?"""
    return "${" in s and _TOKEN.search(s) is not None


def referenced_keys(template: str) -> list[str]:
    """The keys `template` refers to, as written (escapes are not keys)."""
    return [r.key for r in references(template) if r.key is not None]


def literal(value: str) -> str:
    """`value` with `*` and `?` made literal, for text that must not be a wildcard."""
    return value.translate(_MARK)


# A parsed template: literal text, or (lower-cased key, default) for a variable.
Segment = str | tuple[str, str | None]


@lru_cache(maxsize=8192)
def _segments(template: str) -> tuple[Segment, ...]:
    out: list[Segment] = []
    pos = 0
    for ref in references(template):
        out.append(template[pos : ref.start])
        pos = ref.end
        if ref.escape is not None:
            out.append(_ESCAPES[ref.escape])
        else:
            default = literal(ref.default) if ref.default is not None else None
            out.append(((ref.key or "").lower(), default))
    out.append(template[pos:])
    return tuple(s for s in out if s != "")


def expand(template: str, lookup: Lookup) -> str | None:
    """Replace each `${...}`; None when a key has no value and no default.

    `lookup` receives the key lower-cased (key names are case-insensitive, R5.9).
    Substituted values and defaults have their `*`/`?` made literal (R5.14).
    """
    if "${" not in template:
        return template
    out: list[str] = []
    for seg in _segments(template):
        if isinstance(seg, str):
            out.append(seg)
            continue
        value = lookup(seg[0])
        if value is None:
            if seg[1] is None:
                # The caller decides what an unresolved variable means (R5.14).
                return None
            out.append(seg[1])
        else:
            out.append(literal(value))
    return "".join(out)
