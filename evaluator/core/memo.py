"""One run's memo: answers about compiled policies, worked out once and reused.

A batch asks the same questions thousands of times (which statements cover
this action, which name this caller, does this Resource cover this ARN).
Policies are shared by every run of a cached scenario, so they carry none of
this: each run (an `Env`) has its own memo, dropped with it.

Entries are keyed by (id of a policy or statement, question): flat tuples are
the cheapest keys on the hot path. Whoever adds an entry for an object calls
`hold` on it first, so an id cannot be reused while the memo lives.
"""

from __future__ import annotations

from typing import Any


class Memo:
    __slots__ = ("_held", "by_action", "by_caller", "resource", "warnings", "warnable", "nothing")

    def __init__(self) -> None:
        self._held: dict[int, object] = {}
        # (id(policy), action) -> statements whose Action/NotAction covers it
        self.by_action: dict[tuple[int, str], Any] = {}
        # (id(policy), action), (id(policy), caller ARN, has boundary) or that and the
        # action -> candidates, the statements that name the caller, candidates
        self.by_caller: dict[tuple[object, ...], Any] = {}
        # (id(statement), resource ARN) -> does Resource/NotResource cover it
        self.resource: dict[tuple[int, str], bool] = {}
        # (id(policy), action) -> (statement, condition key, warning if it is absent)
        self.warnings: dict[tuple[int, str], Any] = {}
        # (id(policy), action, caller ARN) -> those of them about this caller
        self.warnable: dict[tuple[object, ...], Any] = {}
        # id(policy) -> its "no statement applies" result
        self.nothing: dict[int, Any] = {}

    def hold(self, obj: object) -> int:
        """`id(obj)`, with `obj` kept alive as long as the memo."""
        key = id(obj)
        self._held[key] = obj
        return key
