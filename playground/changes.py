"""The decision diff: what the last edit, undo or redo changed in the verdicts.

It compares the verdicts of two revisions (playground/verdicts.py): which
attempts changed their answer or their pass/fail, and which cells of the
access matrix gained or lost access. A pair the matrix does not list is a
denied one, so a cell that appears allowed is access gained.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground import document_nodes, tracing

_OPS = {"s3:SSE-KMS": "encrypts with"}


@dataclass
class Change:
    kind: str  # attempt | access
    gained: bool  # access gained, or an attempt that now passes / is now allowed
    text: str
    ref: str = ""  # the attempt id, or the cell's source node


def labels(*documents: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for doc in documents:
        for n in document_nodes.iter_nodes(doc):
            out.setdefault(n.ref, n.label)
    return out


def node_name(ref: str, names: dict[str, str]) -> str:
    if ref.isdigit():
        return f"account {names.get(ref, ref)}"
    return names.get(ref) or ref.rsplit("/", 1)[-1]


def edge_text(edge, gained: bool, names: dict[str, str]) -> str:
    who, what = node_name(edge.source, names), node_name(edge.target, names)
    if edge.kind == "sse":
        return f"bucket {who} {'now' if gained else 'no longer'} encrypts with {what}"
    via = f" through S3 bucket {node_name(edge.via, names)}" if edge.via else ""
    if gained:
        return f"gave {who} {edge.operation} on {what}{via}"
    return f"took {edge.operation} on {what}{via} away from {who}"


def _attempt_text(aid: str, title: str, old: dict | None, new: dict) -> tuple[str, bool] | None:
    name = f"attempt {title or aid}"
    if old is not None and old.get("passed") != new.get("passed") and new.get("passed") is not None:
        if new["passed"]:
            return f"{name} now meets its expectation", True
        return f"{name} now fails its expectation", False
    before = (old or {}).get("authorization"), (old or {}).get("outcome")
    after = new.get("authorization"), new.get("outcome")
    if old is not None and before != after:
        was = tracing.badge(*before)[1] if before[0] else "not run"  # type: ignore[arg-type]
        now = tracing.badge(*after)[1]  # type: ignore[arg-type]
        return f"{name} is now {now} (was {was})", new.get("authorization") == "allow"
    return None


def diff(before, after, before_doc: dict, after_doc: dict) -> list[Change]:
    """What changed from `before` to `after` (two verdicts.Verdicts)."""
    names = labels(after_doc, before_doc)
    out: list[Change] = []
    titles = {a["id"]: a.get("title") or "" for a in after_doc.get("attempts") or []}
    for aid, new in after.attempts.items():
        found = _attempt_text(aid, titles.get(aid, ""), before.attempts.get(aid), new)
        if found is not None:
            out.append(Change("attempt", found[1], found[0], aid))
    old_cells, new_cells = _moved_cells(before.matrix, after.matrix)
    for cell in sorted(set(old_cells) | set(new_cells)):
        was = cell in old_cells and old_cells[cell].allowed
        now = cell in new_cells and new_cells[cell].allowed
        if was != now:
            edge = new_cells.get(cell) or old_cells[cell]
            out.append(Change("access", now, edge_text(edge, now, names), edge.source))
    return out


def _moved_cells(before, after) -> tuple[dict, dict]:
    """The cells of both matrices, less those of the blocks the later one carried
    over from the earlier one unchanged (the same object: evaluator.AccessMatrix
    re-decides only what an edit can move)."""
    old, new = before.blocks, after.blocks
    if (before.edges and not old) or (after.edges and not new):
        return before.cells(), after.cells()
    old_cells: dict = {}
    new_cells: dict = {}
    for pair in old.keys() | new.keys():
        was, now = old.get(pair), new.get(pair)
        if was is now:
            continue
        old_cells.update((e.cell, e) for e in was or ())
        new_cells.update((e.cell, e) for e in now or ())
    return old_cells, new_cells


def pair_gains(before, after) -> list:
    """Matrix edges allowed in `after` and not in `before` (access an edit adds)."""
    old = before.cells()
    return [
        e
        for cell, e in after.cells().items()
        if e.allowed and not (cell in old and old[cell].allowed)
    ]
