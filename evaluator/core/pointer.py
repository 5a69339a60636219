"""JSON pointers (RFC 6901): building them, taking them apart, following them.

Every problem, trace step and editor mark names its place in a document with
one of these; this is the one place that escapes `~` and `/`.
"""

from __future__ import annotations

import re

_INDEX = re.compile(r"0|[1-9][0-9]*")  # RFC 6901: decimal, no leading zeros ("-" names none)


def pointer_join(base: str, *parts: str | int) -> str:
    """JSON pointer `base/part/...` with RFC 6901 escaping of each part."""
    out = base
    for part in parts:
        out += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return out


def pointer_parts(pointer: str) -> list[str]:
    """The unescaped reference tokens of a pointer; KeyError if it is not one."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer[1:].split("/")]


def value_at(doc: object, pointer: str) -> object:
    """The value at an RFC 6901 pointer; KeyError if there is none."""
    node = doc
    for part in pointer_parts(pointer):
        if isinstance(node, dict):
            if part not in node:
                raise KeyError(pointer)
            node = node[part]
        elif isinstance(node, list):
            if not _INDEX.fullmatch(part) or int(part) >= len(node):
                raise KeyError(pointer)
            node = node[int(part)]
        else:
            raise KeyError(pointer)
    return node
