"""An evaluation result, ready to show: badge, output, and the trace as steps.

The evaluator's trace is a tree of steps; the stepper walks it flat, in
order. For each step that reads a policy, the policy's text is laid out here
as the editor will show it, and the statement and elements the step judged
are turned into line numbers (via the JSON pointer -> position map), so the
browser only has to paint lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import evaluator
from playground import document_nodes

BADGES = {
    "allow": ("allowed", "Allowed", "✓"),
    "implicit_deny": ("implicit", "Implicit deny", "✗"),
    "explicit_deny": ("explicit", "Explicit deny", "⊘"),
}
VERDICT_LABELS = {
    "allow": "✓ allows",
    "implicit_deny": "– no allow",
    "explicit_deny": "⊘ denies",
    "pass": "✓ passes",
    "fail": "✗ fails",
    "info": "· info",
    "error": "✗ error",
    "skip": "↷ skipped",
}


@dataclass
class StepView:
    index: int
    depth: int
    kind: str
    title: str
    verdict: str
    verdict_label: str
    detail: str
    rule: str | None
    nodes: list[str]
    policy_label: str = ""
    policy_text: str = ""
    marks: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    context: list[dict] = field(default_factory=list)
    assumption: bool = False

    @property
    def nodes_json(self) -> str:
        return json.dumps(self.nodes)

    @property
    def marks_json(self) -> str:
        return json.dumps(self.marks)


@dataclass
class ResultView:
    id: str
    title: str
    action: str
    authorization: str
    outcome: str
    badge_class: str
    badge_label: str
    badge_icon: str
    passed: bool | None
    expect: str | None
    warnings: list[str]
    output: list[tuple[str, str]]
    decision: dict
    steps: list[StepView]


def badge(authorization: str, outcome: str) -> tuple[str, str, str]:
    """(css class, text, icon) of the result badge; an error code is shown as itself."""
    if outcome and outcome != "Success" and not evaluator.is_denial(outcome):
        return "error", outcome, "⚠"
    return BADGES.get(authorization, ("error", outcome, "⚠"))


def summary(result) -> dict:
    """What the attempts list remembers of a run (stored on the working copy)."""
    cls, label, icon = badge(result.authorization, result.outcome)
    return {
        "authorization": result.authorization,
        "outcome": result.outcome,
        "passed": result.passed,
        "badge_class": cls,
        "badge_label": label,
        "badge_icon": icon,
    }


def result_view(result, document: dict) -> ResultView:
    cls, label, icon = badge(result.authorization, result.outcome)
    steps: list[StepView] = []
    texts: dict[str, tuple[str, dict]] = {}
    for depth, step in _flatten(result.trace, 0):
        steps.append(_step_view(len(steps), depth, step, document, texts))
    output = [
        (k, v if isinstance(v, str) else json.dumps(v))
        for k, v in (result.output or {}).items()
        if k not in ("material", "key_material")
    ]
    d = result.decision
    return ResultView(
        id=result.id,
        title=result.title or result.id,
        action=result.action,
        authorization=result.authorization,
        outcome=result.outcome,
        badge_class=cls,
        badge_label=label,
        badge_icon=icon,
        passed=result.passed,
        expect=result.expect,
        warnings=list(result.warnings),
        output=output,
        decision={
            "authorization": d.authorization,
            "outcome": d.outcome,
            "reason": d.reason,
            "fixes": list(d.fixes),
            "rule": d.rule,
        },
        steps=steps,
    )


def _flatten(steps, depth):
    for step in steps:
        yield depth, step
        yield from _flatten(step.children, depth + 1)


def pretty_with_spans(value: object) -> tuple[str, dict[str, tuple[int, int]]]:
    """JSON text indented by 2, and pointer -> (first line, last line) of each value.

    Mirrors json.dumps(indent=2): a non-empty object or array opens on its
    member's line, puts each child on the next lines and closes on a line of
    its own; everything else takes one line.
    """
    spans: dict[str, tuple[int, int]] = {}

    def walk(v: object, ptr: str, line: int) -> int:
        used = 1
        if isinstance(v, dict) and v:
            for k, child in v.items():
                used += walk(child, evaluator.pointer_join(ptr, k), line + used)
            used += 1
        elif isinstance(v, list) and v:
            for i, child in enumerate(v):
                used += walk(child, f"{ptr}/{i}", line + used)
            used += 1
        spans[ptr] = (line, line + used - 1)
        return used

    walk(value, "", 1)
    return json.dumps(value, indent=2, ensure_ascii=False), spans


def _policy_layout(document: dict, pointer: str, cache: dict):
    """(text, spans) of the policy at `pointer`, as the trace's editor shows it."""
    if pointer not in cache:
        try:
            value = document_nodes.get_pointer(document, pointer)
            if isinstance(value, str):
                value = json.loads(value)
            cache[pointer] = pretty_with_spans(value)
        except (KeyError, ValueError, IndexError):
            cache[pointer] = None
    return cache[pointer]


def _step_view(index: int, depth: int, step, document: dict, texts: dict) -> StepView:
    nodes = list(step.nodes)
    view = StepView(
        index=index,
        depth=depth,
        kind=step.kind,
        title=step.title,
        verdict=step.verdict,
        verdict_label=VERDICT_LABELS.get(step.verdict, step.verdict),
        detail=step.detail,
        rule=step.rule,
        nodes=nodes,
        assumption=step.assumption,
        context=[
            {"key": c.key, "values": ", ".join(c.values), "source": c.source} for c in step.context
        ],
    )
    policy = step.policy
    if policy is not None:
        if policy.owner and policy.owner not in nodes:
            nodes.append(policy.owner)
        if policy.node and policy.node not in nodes:
            nodes.append(policy.node)
        name = "" if policy.name == policy.type else policy.name
        view.policy_label = f"{policy.type.capitalize()} {name}".strip()
        laid = _policy_layout(document, policy.pointer, texts) if policy.pointer else None
        if laid is not None:
            view.policy_text, spans = laid
            for st in step.statements:
                view.statements.append(_statement(st))
                span = spans.get(_relative(st.pointer, policy.pointer))
                if span and st.applies:
                    view.marks.append({"from": span[0], "to": span[1], "cls": "stmt"})
                for el in st.elements:
                    el_span = spans.get(_relative(el.pointer, policy.pointer))
                    if el_span and (st.applies or not el.matched):
                        cls = "match" if el.matched else "fail"
                        view.marks.append({"from": el_span[0], "to": el_span[1], "cls": cls})
                for c in st.conditions:
                    c_span = spans.get(_relative(c.pointer, policy.pointer))
                    if c_span:
                        cls = "match" if c.passed else "fail"
                        view.marks.append({"from": c_span[0], "to": c_span[0], "cls": cls})
            view.marks.sort(key=lambda m: m["cls"] != "stmt")  # the editor scrolls to the first
        else:
            view.statements = [_statement(st) for st in step.statements]
    return view


def _relative(pointer: str, base: str) -> str | None:
    if not pointer:
        return None
    if pointer.startswith(base + "/") or pointer == base:
        return pointer[len(base) :]
    return pointer if not base else None


def _statement(st) -> dict:
    return {
        "label": st.label,
        "effect": st.effect,
        "applies": st.applies,
        "elements": [
            {"element": e.element, "matched": e.matched, "detail": e.detail} for e in st.elements
        ],
        "conditions": [
            {
                "operator": c.operator,
                "key": c.key,
                "policy_values": ", ".join(c.policy_values),
                "request_values": "(absent)"
                if c.request_values is None
                else ", ".join(c.request_values) or "(empty)",
                "passed": c.passed,
                "reason": c.reason,
            }
            for c in st.conditions
        ],
    }
