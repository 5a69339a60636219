"""Canvas geometry: where each account, node and organization chip is drawn.

Pure computation on the document (no Django, no SVG text): the template only
draws what this module places. Positions saved in the document's `layout`
(`{node_ref: {"x": n, "y": n}}`, top-left corner) win; every other node is
placed automatically: accounts side by side (wrapping into rows), and inside
an account the principals (users, groups, roles) in the left columns and the
resources (keys, buckets, endpoints) in the right ones, so access arrows run
left to right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from playground.document_nodes import KIND_LABELS, Node, iter_nodes

NODE_W, NODE_H = 176, 60
CHIP_W, CHIP_H = 150, 40
GAP_X, GAP_Y = 32, 20
PAD = 20
ACCOUNT_HEADER = 48
ACCOUNT_GAP = 48
PER_COLUMN = 6
ROW_WIDTH = 1000  # narrow rows: accounts stack, and the canvas fits a side-by-side panel
SPLIT_GAP = 170  # between principals and resources, room for arrow labels
MARGIN = 24
ORG_HEADER = 40 + CHIP_H + 24

PRINCIPAL_KINDS = ("user", "group", "role")
RESOURCE_KINDS = ("key", "bucket", "endpoint")


@dataclass(slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)

    def inflate(self, dx: float, dy: float | None = None) -> Box:
        dy = dx if dy is None else dy
        return Box(self.x - dx, self.y - dy, self.w + 2 * dx, self.h + 2 * dy)

    def edge_point(self, tx: float, ty: float) -> tuple[float, float]:
        """Where the line from the centre towards (tx, ty) leaves the box."""
        dx, dy = tx - self.cx, ty - self.cy
        if dx == 0 and dy == 0:
            return self.cx, self.cy
        sx = (self.w / 2) / abs(dx) if dx else math.inf
        sy = (self.h / 2) / abs(dy) if dy else math.inf
        s = min(sx, sy)
        return self.cx + dx * s, self.cy + dy * s


@dataclass(slots=True)
class Placed:
    """A drawable thing: a node, an account region, an organization chip or frame."""

    ref: str
    kind: str
    label: str
    box: Box
    kind_label: str = ""
    sublabel: str = ""
    account: str | None = None
    pinned: bool = False  # its position came from the document's layout


@dataclass(slots=True)
class Geometry:
    nodes: dict[str, Placed] = field(default_factory=dict)  # users, roles, keys, ...
    accounts: dict[str, Placed] = field(default_factory=dict)
    chips: dict[str, Placed] = field(default_factory=dict)  # organization root and units
    org_frame: Placed | None = None
    org_links: list[tuple[str, str]] = field(default_factory=list)  # (parent chip, child ref)
    bounds: Box = field(default_factory=lambda: Box(0, 0, 800, 400))


def _pinned(layout: object, ref: str) -> tuple[float, float] | None:
    if not isinstance(layout, dict):
        return None
    pos = layout.get(ref)
    if not isinstance(pos, dict):
        return None
    x, y = pos.get("x"), pos.get("y")
    if isinstance(x, int | float) and isinstance(y, int | float):
        return float(x), float(y)
    return None


def _columns(items: list[Node]) -> list[list[Node]]:
    return [items[i : i + PER_COLUMN] for i in range(0, len(items), PER_COLUMN)]


def _account_order(doc: dict, accounts: list[Node]) -> list[Node]:
    """Members of the organization first, grouped by unit (in unit order)."""
    org = doc.get("organization")
    if not isinstance(org, dict):
        return accounts
    unit_order = {u["id"]: i + 1 for i, u in enumerate(org.get("units") or [])}
    raw = {a["id"]: a for a in doc.get("accounts") or []}

    def sort_key(node: Node) -> tuple[int, int]:
        a = raw.get(node.ref, {})
        if a.get("in_organization") is False:
            return (1, 0)
        return (0, unit_order.get(a.get("parent"), 0))

    return sorted(accounts, key=sort_key)


def compute(doc: dict, sublabels: dict[str, str] | None = None) -> Geometry:
    """Place everything in `doc`; `sublabels` adds a second line under node names."""
    sublabels = sublabels or {}
    layout = doc.get("layout")
    geo = Geometry()
    all_nodes = list(iter_nodes(doc))
    accounts = [n for n in all_nodes if n.kind == "account"]
    by_account: dict[str, list[Node]] = {a.ref: [] for a in accounts}
    for n in all_nodes:
        if n.kind in PRINCIPAL_KINDS + RESOURCE_KINDS and n.account in by_account:
            by_account[n.account].append(n)

    org = doc.get("organization") if isinstance(doc.get("organization"), dict) else None
    raw_accounts = {a["id"]: a for a in doc.get("accounts") or []}
    members = (
        [a for a in accounts if raw_accounts[a.ref].get("in_organization") is not False]
        if org
        else []
    )
    top = MARGIN + (ORG_HEADER if org else 0)
    x, y, row_height = MARGIN + (PAD if org else 0), top, 0.0
    member_boxes: list[Box] = []
    for account in _account_order(doc, accounts):
        items = by_account[account.ref]
        left = _columns([n for n in items if n.kind in PRINCIPAL_KINDS])
        right = _columns([n for n in items if n.kind in RESOURCE_KINDS])
        left = left or [[]]
        right = right or [[]]
        columns = left + right
        nrows = max([len(c) for c in columns] or [1])
        xs = []
        cx = PAD
        for i in range(len(columns)):
            xs.append(cx)
            cx += NODE_W + (SPLIT_GAP if i == len(left) - 1 else GAP_X)
        width = xs[-1] + NODE_W + PAD
        height = ACCOUNT_HEADER + PAD + nrows * NODE_H + (nrows - 1) * GAP_Y
        if x > MARGIN + PAD and x + width > ROW_WIDTH:
            x, y, row_height = MARGIN + (PAD if org else 0), y + row_height + ACCOUNT_GAP, 0.0
        slot = Box(x, y, width, height)
        region = slot
        for col_index, column in enumerate(columns):
            for row_index, node in enumerate(column):
                auto = (
                    slot.x + xs[col_index],
                    slot.y + ACCOUNT_HEADER + row_index * (NODE_H + GAP_Y),
                )
                pinned = _pinned(layout, node.ref)
                nx, ny = pinned or auto
                box = Box(nx, ny, NODE_W, NODE_H)
                geo.nodes[node.ref] = Placed(
                    node.ref,
                    node.kind,
                    node.label,
                    box,
                    kind_label=KIND_LABELS[node.kind],
                    sublabel=sublabels.get(node.ref, ""),
                    account=node.account,
                    pinned=pinned is not None,
                )
                region = region.union(box.inflate(PAD))
        raw = raw_accounts[account.ref]
        sub = account.ref
        if org and account in members:
            parent = raw.get("parent")
            unit = next((u for u in org.get("units") or [] if u["id"] == parent), None)
            sub += f" · in {unit.get('name') or unit['id']}" if unit else ""
            if raw.get("id") == org.get("management_account"):
                sub += " · management"
            member_boxes.append(region)
        geo.accounts[account.ref] = Placed(
            account.ref,
            "account",
            account.label,
            region,
            kind_label="Account",
            sublabel=sub,
            account=account.ref,
        )
        x += slot.w + ACCOUNT_GAP
        row_height = max(row_height, slot.h)

    if org:
        _place_organization(doc, org, geo, member_boxes)

    boxes = [p.box for p in (*geo.nodes.values(), *geo.accounts.values(), *geo.chips.values())]
    if geo.org_frame:
        boxes.append(geo.org_frame.box)
    if boxes:
        bounds = boxes[0]
        for b in boxes[1:]:
            bounds = bounds.union(b)
        geo.bounds = bounds.inflate(MARGIN)
    return geo


def _place_organization(doc: dict, org: dict, geo: Geometry, member_boxes: list[Box]) -> None:
    root = org.get("root") or "r-root"
    chips = [(root, "root", "Root")] + [
        (u["id"], "unit", u.get("name") or u["id"]) for u in org.get("units") or []
    ]
    cx, cy = MARGIN + 2 * PAD, MARGIN + 40
    for ref, kind, label in chips:
        pinned = _pinned(doc.get("layout"), ref)
        px, py = pinned or (cx, cy)
        geo.chips[ref] = Placed(
            ref, kind, label, Box(px, py, CHIP_W, CHIP_H), kind_label=KIND_LABELS[kind]
        )
        cx += CHIP_W + GAP_X
    for u in org.get("units") or []:
        geo.org_links.append((u.get("parent") or root, u["id"]))
    for a in doc.get("accounts") or []:
        if a.get("in_organization") is not False and a["id"] in geo.accounts:
            geo.org_links.append((a.get("parent") or root, a["id"]))
    frame = Box(MARGIN, MARGIN, CHIP_W, CHIP_H + 40)
    for placed in geo.chips.values():
        frame = frame.union(placed.box.inflate(PAD))
    for b in member_boxes:
        frame = frame.union(b.inflate(PAD))
    geo.org_frame = Placed(
        org.get("id", ""),
        "organization",
        "Organization",
        frame,
        kind_label="Organization",
        sublabel=org.get("id", ""),
    )
