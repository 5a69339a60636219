"""The trace: what the evaluator looked at and why it decided, as plain data.

Steps are frozen dataclasses; the engine records them through a `Tracer`
observer. With tracing off the engine gets a `NullTracer`, and never builds
the per-statement verdicts at all (the fast path for large batches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Authorization = Literal["allow", "implicit_deny", "explicit_deny"]
# How a resource policy named the caller (drives R1.14).
PrincipalKind = Literal["any", "account", "user", "role", "session", "service", "root"]


@dataclass(frozen=True, slots=True)
class ElementVerdict:
    """Whether one element of a statement (Principal, Action, ...) matched."""

    element: str
    matched: bool
    detail: str
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class ConditionVerdict:
    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    passed: bool
    reason: str
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class StatementVerdict:
    """One statement of one policy, element by element."""

    index: int
    sid: str | None
    effect: str
    applies: bool
    pointer: str
    elements: tuple[ElementVerdict, ...] = ()
    conditions: tuple[ConditionVerdict, ...] = ()
    principal_kind: PrincipalKind | None = None

    @property
    def label(self) -> str:
        return f"statement '{self.sid}'" if self.sid else f"statement {self.index + 1}"


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """Which policy a step read: its type, owner and place in the document."""

    type: str  # "key policy", "identity policy", "SCP", ...
    owner: str  # ARN or id of the node the policy is attached to
    name: str
    pointer: str
    node: str = ""  # canvas node reference


@dataclass(frozen=True, slots=True)
class ContextValue:
    key: str
    values: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the evaluation, in order."""

    kind: str  # "request", "policy", "rule", "key", "grant", "crypto", "assume", "nested", ...
    title: str
    verdict: str  # allow | implicit_deny | explicit_deny | pass | fail | info | error | skip
    detail: str = ""
    rule: str | None = None
    policy: PolicyRef | None = None
    statements: tuple[StatementVerdict, ...] = ()
    context: tuple[ContextValue, ...] = ()
    children: tuple[Step, ...] = ()
    nodes: tuple[str, ...] = ()  # canvas nodes this step concerns
    assumption: bool = False  # a modelled assumption of the semantics reference


@dataclass(frozen=True, slots=True)
class Decision:
    """The final word on one attempt."""

    authorization: Authorization
    outcome: str
    reason: str
    fixes: tuple[str, ...] = ()
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptResult:
    id: str
    title: str
    action: str
    authorization: Authorization
    outcome: str
    expect: str | None
    passed: bool | None
    warnings: tuple[str, ...]
    trace: tuple[Step, ...]
    decision: Decision
    output: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, *, trace: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "authorization": self.authorization,
            "outcome": self.outcome,
        }
        if self.passed is not None:
            out["passed"] = self.passed
        out["warnings"] = list(self.warnings)
        out["trace"] = [step_dict(s) for s in self.trace] if trace else []
        if self.output:
            out["output"] = dict(self.output)
        if trace:  # the explanation goes with the trace; --no-trace is the fast path
            d = self.decision  # by hand: dataclasses.asdict is slow on 12,000 results
            out["decision"] = {
                "authorization": d.authorization,
                "outcome": d.outcome,
                "reason": d.reason,
                "fixes": list(d.fixes),
                "rule": d.rule,
            }
        return out


def step_dict(step: Step) -> dict[str, Any]:
    """JSON form of a step, leaving out empty members to keep traces readable."""
    raw = asdict(step)
    return _prune(raw)


def _empty(value: Any) -> bool:
    # Identity, not equality: 0 (the first statement's index) is not "empty".
    return (
        value is None
        or value is False
        or (isinstance(value, str | list | tuple | dict) and not value)
    )


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if not _empty(v)}
    if isinstance(value, list | tuple):
        return [_prune(v) for v in value]
    return value


class Tracer:
    """Collects steps. `on` lets hot paths skip building what nobody reads."""

    on = True

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(self, step: Step) -> None:
        self.steps.append(step)

    def extend(self, steps: Iterable[Step]) -> None:
        self.steps.extend(steps)

    def child(self) -> Tracer:
        return Tracer()


class NullTracer(Tracer):
    on = False

    def add(self, step: Step) -> None:
        return None

    def extend(self, steps: Iterable[Step]) -> None:
        return None

    def child(self) -> Tracer:
        return self


NULL_TRACER = NullTracer()
