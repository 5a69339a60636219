"""Challenges: a scenario's `goals`, graded by the evaluator against a student's copy.

A challenge is a saved Scenario whose document has `goals` (see
docs/scenario-format.md): tasks that say which attempts must end how, and
optionally the least-privilege rule. A student works on a copy without the
answers (`student_document`); "Check" runs the challenge's own attempts (the
student cannot change what is graded) against the student's policies, and,
under the least-privilege rule, compares who can use which key with the
access the challenge started from: any new access a goal did not ask for
fails the check.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from playground import document_nodes, engine, tracing, verdicts

_ATTEMPT_POINTER = re.compile(r"^/attempts/(\d+)(?:/|$)")


@dataclass
class GoalResult:
    number: int
    task: str
    passed: bool
    reason: str


@dataclass
class Grade:
    goals: list[GoalResult] = field(default_factory=list)
    least_privilege: bool = False
    widened: list[str] = field(default_factory=list)
    problem: str = ""

    @property
    def solved(self) -> bool:
        return (
            not self.problem
            and all(g.passed for g in self.goals)
            and not (self.least_privilege and self.widened)
        )

    @property
    def failed(self) -> int:
        return sum(1 for g in self.goals if not g.passed) + (1 if self.widened else 0)


def goals_of(document: dict) -> dict | None:
    goals = document.get("goals") if isinstance(document, dict) else None
    return goals if isinstance(goals, dict) and goals.get("tasks") else None


def tasks(document: dict) -> list[dict]:
    """The goals as a student sees them: the task text only, never the expected answer."""
    goals = goals_of(document) or {}
    return [{"number": i, "task": t.get("task", "")} for i, t in enumerate(goals["tasks"], 1)]


def student_document(document: dict) -> dict:
    """The challenge without its answers: no goals, no attempt expectations."""
    doc = copy.deepcopy(document)
    doc.pop("goals", None)
    for attempt in doc.get("attempts") or []:
        attempt.pop("expect", None)
    return doc


# ----------------------------------------------------------------------------- grading


def _graded_document(challenge: dict, student: dict) -> dict:
    """The student's scenario with the challenge's own attempts (without expectations)."""
    doc = copy.deepcopy(student)
    doc.pop("goals", None)
    doc["attempts"] = student_document(challenge).get("attempts") or []
    return doc


def _load_dropping_broken(doc: dict) -> tuple[object | None, dict[str, str]]:
    """Load `doc`; attempts the student's changes broke are dropped, with the reason."""
    broken: dict[str, str] = {}
    for _ in range(3):  # dropping one attempt can break a later one that used its output
        loaded = engine.load(doc)
        if loaded.ok:
            return loaded.scenario, broken
        attempts = doc.get("attempts") or []
        bad: set[int] = set()
        for p in loaded.errors:
            m = _ATTEMPT_POINTER.match(p.pointer)
            if not m or int(m.group(1)) >= len(attempts):
                return None, {"": f"{p.where()}: {p.message}"}
            index = int(m.group(1))
            bad.add(index)
            broken.setdefault(attempts[index].get("id", ""), p.message)
        doc["attempts"] = [a for i, a in enumerate(attempts) if i not in bad]
    return None, {"": "the scenario could not be loaded"}


def _key_refs(steps, keys: set[str], found: set[str]) -> set[str]:
    for step in steps:
        found.update(n for n in step.nodes if n in keys)
        if step.policy is not None and step.policy.owner in keys:
            found.add(step.policy.owner)
        _key_refs(step.children, keys, found)
    return found


def _edge_actions(action: str) -> tuple[str, ...]:
    """The cells of key access an attempt's action stands for: the matrix's
    kms:Encrypt / kms:Decrypt (which S3 calls stand for too) and the probed
    operations by their own name. A task asking for kms:GenerateDataKey does
    not excuse a new kms:Encrypt, nor the reverse."""
    a = action.lower()
    if a in ("s3:copyobject", "s3:replicateobject"):
        return ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")
    if a == "s3:getobject" or a in ("kms:decrypt", "kms:reencryptfrom"):
        return ("kms:Decrypt",)
    if a == "s3:putobject":
        return ("kms:Encrypt", "kms:GenerateDataKey")
    if a in ("kms:encrypt", "kms:reencryptto"):
        return ("kms:Encrypt",)
    return tuple(op for op in PROBED if op.lower() == a)


def _caller(attempt: dict) -> str:
    chain = attempt.get("assume") or []
    return chain[-1].get("role", "") if chain else attempt.get("principal", "")


def _assumptions(attempt: dict) -> set[tuple[str, str, str]]:
    """The trust edges an attempt's assume chain uses: (who, role, sts:AssumeRole)."""
    out = set()
    who = attempt.get("principal", "")
    for step in attempt.get("assume") or []:
        role = step.get("role", "")
        out.add((who, role, "sts:AssumeRole"))
        who = role
    return out


def _allowed(document: dict, lineage: str) -> set[tuple[str, str, str]]:
    """Allowed cells: the access matrix's key use and role assumption, by any
    path, and the probed operations called directly."""
    matrix = verdicts.of_document(document, lineage).matrix
    cells = {
        (e.source, e.target, e.operation)
        for e in matrix.edges  # type: ignore[attr-defined]
        if e.kind in ("key", "trust") and e.authorization == "allow"
    }
    return cells | _probed(document, lineage)


# Key access beyond the matrix's Encrypt/Decrypt that the rule also watches:
# data keys, handing access on (grants), and taking the key over or away.
PROBED = (
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
)
_OP_ORDER = {op.split(":")[1]: i for i, op in enumerate(("kms:Encrypt", "kms:Decrypt", *PROBED))}
# A challenge is a classroom scenario; past this many calls only the matrix counts.
PROBE_LIMIT = 5000


def _probe_shapes(doc: dict, key: str) -> list[dict]:
    """How the scenario's own attempts call `key` (encryption context, calling
    service), so a condition that needs them is met; and a bare call."""
    shapes: list[dict] = [{}]
    for a in doc.get("attempts") or []:
        if a.get("resource") != key:
            continue
        shape = {k: a[k] for k in ("encryption_context", "via_service") if a.get(k) is not None}
        if shape not in shapes and len(shapes) < 4:
            shapes.append(shape)
    return shapes


def _probed(document: dict, lineage: str) -> set[tuple[str, str, str]]:
    """Each user and role (as its session) x key x PROBED operation, called
    directly and decided by the evaluator: (principal, key, operation) allowed."""
    doc = copy.deepcopy(document)
    doc.pop("goals", None)
    nodes = list(document_nodes.iter_nodes(doc))
    callers = [n.ref for n in nodes if n.kind in ("user", "role")]
    keys = [n.ref for n in nodes if n.kind == "key"]
    probes, cells = [], []
    for key in keys:
        shapes = _probe_shapes(doc, key)
        for who in callers:
            for op in PROBED:
                for shape in shapes:
                    probes.append(
                        {"id": f"probe-{len(probes)}", "principal": who, "action": op}
                        | {"resource": key}
                        | shape
                    )
                    cells.append((who, key, op))
    if not probes or len(probes) > PROBE_LIMIT:
        return set()
    doc["attempts"] = probes
    loaded = engine.load(doc)
    if not loaded.ok:
        return set()
    results = engine.evaluate(loaded.scenario, lineage, trace=False).results
    return {cell for cell, r in zip(cells, results, strict=True) if r.authorization == "allow"}


def _names(doc: dict) -> dict[str, str]:
    return {n.ref: n.label for n in document_nodes.iter_nodes(doc)}


def grade(challenge: dict, student: dict, lineage: str) -> Grade:
    goals = goals_of(challenge)
    if goals is None:
        return Grade(problem="This scenario has no goals to check.")
    grade = Grade(least_privilege=bool(goals.get("least_privilege")))
    doc = _graded_document(challenge, student)
    scenario, broken = _load_dropping_broken(doc)
    if scenario is None:
        grade.problem = f"Your scenario cannot be checked: {broken.get('', '')}"
        return grade
    evaluation = engine.evaluate(scenario, lineage)
    results = {r.id: r for r in evaluation.results}
    attempts = {a["id"]: a for a in doc.get("attempts") or []}
    keys = {k.arn for k in scenario.keys}
    asked: set[tuple[str, str, str]] = set()
    for number, goal in enumerate(goals["tasks"], 1):
        result = results.get(goal["attempt"])
        if result is None:
            why = broken.get(goal["attempt"], "its attempt no longer runs")
            grade.goals.append(GoalResult(number, goal["task"], False, f"It cannot run: {why}."))
            continue
        holds = engine.expectation_holds(goal["expect"], result.authorization, result.outcome)
        _, label, _ = tracing.badge(result.authorization, result.outcome)
        if holds:
            reason = f"Done: it ends {label} ({result.outcome})."
        else:
            reason = f"Not yet: it ends {label} ({result.outcome}). {result.decision.reason}"
        grade.goals.append(GoalResult(number, goal["task"], bool(holds), reason))
        if goal["expect"] in ("allow", "Success") and holds:
            attempt = attempts[goal["attempt"]]
            asked |= _assumptions(attempt)
            for key in _key_refs(result.trace, keys, set()):
                for action in _edge_actions(attempt.get("action", "")):
                    asked.add((_caller(attempt), key, action))
    if grade.least_privilege:
        grade.widened = _widened(challenge, student, lineage, asked)
    return grade


def _widened(challenge: dict, student: dict, lineage: str, asked: set) -> list[str]:
    """New access, beyond the challenge's starting matrix and what the goals ask for."""
    before = _allowed(student_document(challenge), lineage)
    now = _allowed(student, lineage)
    names = _names(student)
    out: list[str] = []
    verbs: dict[tuple[str, str], list[str]] = {}
    for source, target, operation in sorted(now - before - asked):
        who = names.get(source, source.rsplit("/", 1)[-1])
        what = names.get(target, target.rsplit("/", 1)[-1])
        if operation == "sts:AssumeRole":
            out.append(f"{who} can now assume {what}, which no task asks for.")
        else:
            verbs.setdefault((who, what), []).append(operation.split(":")[-1])
    for (who, what), ops in verbs.items():
        ops.sort(key=_OP_ORDER.get)
        listed = ", ".join(ops[:-1]) + f" and {ops[-1]}" if len(ops) > 1 else ops[0]
        out.append(f"{who} can now {listed} with {what}, which no task asks for.")
    return out
