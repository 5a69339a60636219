"""The readable text form of a result, for the command line."""

from __future__ import annotations

from .trace import AttemptResult, Step

MARKS = {
    "allow": "ALLOW",
    "pass": "ok",
    "implicit_deny": "IMPLICIT DENY",
    "explicit_deny": "EXPLICIT DENY",
    "fail": "no",
    "error": "ERROR",
    "info": "..",
    "skip": "skip",
}


def render_result(result: AttemptResult, *, trace: bool = True) -> str:
    lines = []
    status = ""
    if result.passed is not None:
        status = "  [PASS]" if result.passed else f"  [FAIL: expected {result.expect}]"
    title = f" - {result.title}" if result.title else ""
    lines.append(f"== {result.id}{title}")
    lines.append(f"   {result.authorization} / {result.outcome}{status}")
    if trace:
        for number, step in enumerate(result.trace, 1):
            lines.extend(_step(step, f"{number}.", "   "))
    else:
        lines.append(f"   {result.decision.reason}")
        for fix in result.decision.fixes:
            lines.append(f"   Fix: {fix}")
    for warning in result.warnings:
        lines.append(f"   warning: {warning}")
    return "\n".join(lines)


def _step(step: Step, number: str, indent: str) -> list[str]:
    rule = f" ({step.rule})" if step.rule else ""
    out = [f"{indent}{number} [{MARKS.get(step.verdict, step.verdict)}] {step.title}{rule}"]
    pad = indent + "   "
    if step.policy is not None:
        out.append(
            f"{pad}policy: {step.policy.type} of {step.policy.owner} at {step.policy.pointer}"
        )
    for stmt in step.statements:
        state = "applies" if stmt.applies else "does not apply"
        out.append(f"{pad}- {stmt.label} ({stmt.effect}) {state}")
        for el in stmt.elements:
            out.append(f"{pad}    {'+' if el.matched else 'x'} {el.element}: {el.detail}")
        for cond in stmt.conditions:
            mark = "+" if cond.passed else "x"
            out.append(f"{pad}    {mark} Condition {cond.operator} {cond.key}: {cond.reason}")
    for value in step.context:
        out.append(f"{pad}{value.key} = {', '.join(value.values)}  ({value.source})")
    if step.detail:
        for line in step.detail.splitlines():
            out.append(f"{pad}{line}")
    for i, child in enumerate(step.children, 1):
        out.extend(_step(child, f"{number}{i}.", pad))
    return out
