"""One run's memo: answers about compiled policies, worked out once and reused.

A batch asks the same questions thousands of times (which statements cover
this action, which name this caller, does this Resource cover this ARN).
Policies are shared by every run of a cached scenario, so they carry none of
this: each run (an `Env`) has its own memo, dropped with it.

Entries are keyed by the identity of a policy or statement; the memo holds
every object it keys, so an id cannot be reused while the memo lives.
"""

from __future__ import annotations

from typing import Any


class Memo:
    __slots__ = ("_held", "by_action", "by_caller", "resource", "warnings", "nothing")

    def __init__(self) -> None:
        self._held: list[object] = []
        # id(policy) -> action -> statements whose Action/NotAction covers it
        self.by_action: dict[int, dict[str, Any]] = {}
        # id(policy) -> (action,) or (caller ARN, has boundary) -> candidates / kinds
        self.by_caller: dict[int, dict[tuple[object, ...], Any]] = {}
        # id(statement) -> resource ARN -> does Resource/NotResource cover it
        self.resource: dict[int, dict[str, bool]] = {}
        # id(policy) -> action -> (statement, condition key, warning if it is absent)
        self.warnings: dict[int, dict[str, Any]] = {}
        # id(policy) -> its "no statement applies" result
        self.nothing: dict[int, Any] = {}

    def of(self, table: dict[int, dict[Any, Any]], obj: object) -> dict[Any, Any]:
        """`obj`'s own dict in `table`, made (and `obj` held) on first use."""
        found = table.get(id(obj))
        if found is None:
            found = table[id(obj)] = {}
            self._held.append(obj)
        return found

    def hold(self, obj: object) -> int:
        """`id(obj)`, with `obj` kept alive as long as the memo."""
        self._held.append(obj)
        return id(obj)
