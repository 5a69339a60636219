"""What one evaluation run carries (the compiled world, time, randomness, key
material, what earlier attempts produced, its memo), who is calling, and what a
service call answers: `CallResult`, with the helpers every service uses to make
one (deny, fail, merge)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .budget import Budget
from .condition_values import ContextEntry
from .crypto import KeyMaterial, Random
from .decide import Outcome, PolicySet
from .match import Caller, Request
from .memo import Memo
from .model import Grant, Principal
from .problems import Problem
from .trace import Authorization, Step, Tracer
from .world import World


@dataclass
class Env:
    world: World
    now: datetime
    material: KeyMaterial
    rng: Random
    trace: bool
    explain: bool = True  # build fixes for denials (a batch without traces skips them)
    produced: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Grants created by CreateGrant attempts earlier in the run, per key ARN.
    new_grants: dict[str, list[Grant]] = field(default_factory=dict)
    # SSE-KMS objects written by attempts earlier in the run: (bucket, key) -> key ARN.
    s3_written: dict[tuple[str, str], str] = field(default_factory=dict)
    # Context built once per (caller, resource) for the whole run.
    cache: dict[tuple[object, ...], dict[str, ContextEntry]] = field(default_factory=dict)
    policy_sets: dict[tuple[object, ...], PolicySet] = field(default_factory=dict)
    resolved: dict[tuple[object, ...], Any] = field(default_factory=dict)
    # Answers about compiled policies this run works out once (never stored on them).
    memo: Memo = field(default_factory=Memo)
    # Problems found while running (session policies), reported with this run's results.
    problems: list[Problem] = field(default_factory=list)
    # The request's budget: charged per attempt, AssumeRole hop and authorization.
    budget: Budget = field(default_factory=Budget)


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller and the policies that go with it."""

    caller: Caller
    entity: Principal | None
    sessions: tuple = ()  # session policies (compiled) of the current session
    # What an assume step gave the session (additions to format 1): its session tags
    # (inherited transitive ones included), which of them pass on, its source identity.
    session_tags: Mapping[str, str] = field(default_factory=dict)
    transitive: tuple[str, ...] = ()
    source_identity: str | None = None

    @property
    def context_key(self) -> tuple[object, ...]:
        """What, besides the caller's ARN, changes the caller's condition keys."""
        if not self.session_tags and self.source_identity is None:
            return ()
        return (tuple(sorted(self.session_tags.items())), self.source_identity)

    def principal_tags(self) -> Mapping[str, str] | None:
        """aws:PrincipalTag: the entity's tags, overridden by session tags whatever
        their case (IAM user guide, session tags)."""
        base = self.entity.tags if self.entity is not None else None
        if not self.session_tags:
            return base
        merged = dict(base or {})
        for key, value in self.session_tags.items():
            for old in [k for k in merged if k.lower() == key.lower()]:
                del merged[old]
            merged[key] = value
        return merged

    @property
    def account(self) -> str | None:
        return self.caller.account


@dataclass
class CallResult:
    """One service call's answer (a KMS call, an S3 request, an AssumeRole)."""

    authorization: Authorization
    outcome: str
    reason: str
    rule: str | None = None
    fixes: list[str] = field(default_factory=list)
    output: dict[str, Any] = field(default_factory=dict)
    # What a Decrypt recovered, for ReEncrypt's destination key; never part of the output.
    plaintext: bytes | None = None
    warnings: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # What the authorization rested on, for building fixes.
    request: Request | None = None
    policies: PolicySet | None = None
    decided: Outcome | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "Success"


# ----------------------------------------------------------------------------- call results


def deny(
    code: str, reason: str, tr: Tracer, rule: str | None, auth: Authorization = "implicit_deny"
) -> CallResult:
    if tr.on:
        tr.add(Step(kind="error", title=code, verdict=auth, detail=reason, rule=rule))
    return CallResult(auth, code, reason, rule)


def fail(code: str, reason: str, tr: Tracer, rule: str | None) -> CallResult:
    """An authorized call that the service still refuses (state, usage, crypto)."""
    if tr.on:
        tr.add(Step(kind="error", title=code, verdict="error", detail=reason, rule=rule))
    return CallResult("allow", code, reason, rule)


def merge(auth: CallResult, done: CallResult) -> CallResult:
    """The authorization's result, carrying the operation's outcome and output."""
    auth.outcome = done.outcome
    if done.outcome != "Success":
        auth.reason = done.reason
        auth.rule = done.rule
    auth.output.update(done.output)
    auth.plaintext = done.plaintext
    return auth
