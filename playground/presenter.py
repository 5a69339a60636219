"""The presenter view's geometry: the path a request takes across the canvas.

The path starts at the caller and visits, in trace order, every node the
trace's steps are about (the roles it assumes, the key, the bucket, the
guardrail), and it ends at the gate that decided: the node of the last step
whose verdict is the final answer. Only the points are computed here; the
template draws the path and a small script moves a dot along it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from playground.layout import Box

FINAL = {
    "allow": ("allow", "pass"),
    "implicit_deny": ("implicit_deny", "fail"),
    "explicit_deny": ("explicit_deny",),
}
SPEED = 260.0  # canvas units per second: long paths take longer, but not forever
MIN_SECONDS, MAX_SECONDS = 1.2, 4.0


@dataclass(frozen=True)
class RequestPath:
    points: tuple[tuple[float, float], ...]
    refs: tuple[str, ...]
    gate: str
    gate_box: Box
    status: str  # allowed | implicit | explicit | error: the gate's ring colour

    @property
    def d(self) -> str:
        """The SVG path data (M x y L x y ...)."""
        head, *rest = self.points
        return f"M{head[0]:.1f},{head[1]:.1f}" + "".join(f" L{x:.1f},{y:.1f}" for x, y in rest)

    @property
    def length(self) -> float:
        return sum(math.dist(a, b) for a, b in zip(self.points, self.points[1:], strict=False))

    @property
    def seconds(self) -> str:
        return f"{min(MAX_SECONDS, max(MIN_SECONDS, self.length / SPEED)):.1f}s"

    @property
    def ring(self) -> Box:
        return self.gate_box.inflate(6)


def _flatten(steps):
    for step in steps:
        yield step
        yield from _flatten(step.children)


def _step_refs(step) -> list[str]:
    refs = list(step.nodes)
    policy = step.policy
    if policy is not None:
        refs += [r for r in (policy.owner, policy.node) if r]
    return refs


def _caller_ref(attempt: dict | None, boxes: dict[str, Box]) -> str | None:
    if not attempt:
        return None
    principal = attempt.get("principal", "")
    if principal in boxes:
        return principal
    if principal.endswith(":root"):
        account = principal.split(":")[4]
        return account if account in boxes else None
    return None


def request_path(result, attempt: dict | None, geometry, status: str) -> RequestPath | None:
    """The caller-to-gate path of `result` on the canvas, or None when it has no two nodes."""
    boxes: dict[str, Box] = {
        **{r: p.box for r, p in geometry.accounts.items()},
        **{r: p.box for r, p in geometry.chips.items()},
        **{r: p.box for r, p in geometry.nodes.items()},
    }
    steps = [s for s in _flatten(result.trace) if s.kind != "decision"]
    caller = _caller_ref(attempt, boxes)
    final = ("fail",) if status == "error" else FINAL.get(result.authorization, ())
    # The gate: a step giving the final answer about something other than the caller
    # (the key policy before the caller's own IAM); else the caller itself.
    deciding = [i for i, s in enumerate(steps) if s.verdict in final and _placed(s, boxes)]
    # An allowed request goes all the way (the last gate it passes); a denied one
    # stops at the first gate that refuses it.
    order = deciding[::-1] if result.authorization == "allow" and status != "error" else deciding
    gate_index = next(
        (i for i in order if any(r != caller for r in _step_refs(steps[i]) if r in boxes)),
        order[0] if order else None,
    )
    refs: list[str] = [caller] if caller else []
    upto = steps if gate_index is None else steps[: gate_index + 1]
    for step in upto:
        for ref in _step_refs(step):
            if ref in boxes and ref not in refs:
                refs.append(ref)
    if gate_index is not None:
        placed = [r for r in _step_refs(steps[gate_index]) if r in boxes]
        gate = next((r for r in placed if r != caller), placed[0])
        if refs[-1] != gate:
            refs.append(gate)
    if len(refs) < 2:
        return None
    points = tuple((round(boxes[r].cx, 1), round(boxes[r].cy, 1)) for r in refs)
    return RequestPath(points, tuple(refs), refs[-1], boxes[refs[-1]], status)


def _placed(step, boxes) -> bool:
    return any(r in boxes for r in _step_refs(step))
