"""Everything the canvas template draws, computed here: geometry plus arrows.

Every arrow is an edge of the evaluator's access matrix (`verdicts.matrix`);
this module only chooses which edges to draw and where. It reads no policy.

- trust:  who may assume a role (the AssumeRole model): an account's root, or
          a principal the trust policy names itself; a named caller that is
          refused is drawn as denied;
- access: which principal can use which key for Encrypt and Decrypt, directly
          or through S3: allowed, allowed only through a grant (dashed), or
          denied. A denied pair is drawn only where a reader would expect
          access (same account, or the key policy or a grant names the
          caller or its account): every other pair is denied too, and drawing
          them all would bury the canvas;
- sse:    a bucket to the key S3 encrypts its objects with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from playground import document_nodes, layout
from playground.layout import Box, Geometry

ACTION_SHORT = {"kms:Encrypt": "Encrypt", "kms:Decrypt": "Decrypt"}


@dataclass(slots=True)
class Arrow:
    kind: str  # trust | access | sse
    status: str  # allowed | grant | denied | trust | sse
    source: str
    target: str
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    title: str

    @property
    def lx(self) -> float:
        return round((self.x1 + self.x2) / 2, 1)

    @property
    def ly(self) -> float:
        return round((self.y1 + self.y2) / 2, 1)

    @property
    def label_width(self) -> int:
        return round(7.6 * len(self.label) + 12)

    @property
    def label_x(self) -> float:
        return round(self.lx - self.label_width / 2, 1)

    @property
    def label_y(self) -> float:
        return round(self.ly - 10, 1)

    def svg(self) -> SafeString:
        """The arrow's SVG, formatted here: the template engine took 0.3 ms an
        arrow, 6 s outside any budget for the 20,000 arrows a canvas may hold."""
        # Every text field is escaped; the rest are numbers.
        return mark_safe(
            ARROW_SVG.format(
                s=escape(self.status),
                src=escape(self.source),
                dst=escape(self.target),
                title=escape(self.title),
                x1=self.x1,
                y1=self.y1,
                x2=self.x2,
                y2=self.y2,
                bx=self.label_x,
                by=self.label_y,
                bw=self.label_width,
                lx=self.lx,
                ly=self.ly,
                label=escape(self.label),
            )
        )


ARROW_SVG = """      <g class="arrow arrow-{s}" data-source="{src}" data-target="{dst}">
        <title>{title}</title>
        <line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" marker-end="url(#arrow-{s})"/>
        <rect class="arrow-label-bg" x="{bx}" y="{by}" width="{bw}" height="20" rx="4"/>
        <text class="arrow-label" x="{lx}" y="{ly}" dy="5" text-anchor="middle">{label}</text>
      </g>"""


@dataclass(slots=True)
class Canvas:
    geometry: Geometry
    arrows: list[Arrow] = field(default_factory=list)
    org_lines: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def viewbox(self) -> str:
        b = self.geometry.bounds
        return f"{b.x:.0f} {b.y:.0f} {b.w:.0f} {b.h:.0f}"


def sublabels(document: dict) -> dict[str, str]:
    """The second line under a node's name: what matters most about it."""
    out: dict[str, str] = {}
    for k in document.get("keys") or []:
        bits = [k.get("state") or "Enabled"]
        if k.get("manager") == "AWS":
            bits.append("AWS managed")
        if k.get("grants"):
            bits.append(f"{len(k['grants'])} grant(s)")
        out[document_nodes.key_arn(document, k)] = " · ".join(bits)
    for b in document.get("buckets") or []:
        enc = b.get("default_encryption") or {}
        label = {"aws:kms": "SSE-KMS", "AES256": "SSE-S3"}.get(enc.get("algorithm"), "")
        out[document_nodes.bucket_arn(b)] = label
    for e in document.get("vpc_endpoints") or []:
        out[e["id"]] = f"{e.get('service', 'kms')} endpoint"
    for p in document.get("principals") or []:
        n = len(p.get("policies") or [])
        out[document_nodes.principal_arn(p)] = f"{n} polic{'y' if n == 1 else 'ies'}"
    return out


def _line(a: Box, b: Box, offset: float = 0.0) -> tuple[float, float, float, float]:
    x1, y1 = a.edge_point(b.cx, b.cy + offset)
    x2, y2 = b.edge_point(a.cx, a.cy + offset)
    return round(x1, 1), round(y1 + offset, 1), round(x2, 1), round(y2 + offset, 1)


def _arrow(kind, status, source, target, boxes, label, title, offset=0.0) -> Arrow:
    x1, y1, x2, y2 = _line(boxes[source], boxes[target], offset)
    return Arrow(kind, status, source, target, x1, y1, x2, y2, label, title)


def _short(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def build(document: dict, edges) -> Canvas:
    geo = layout.compute(document, sublabels(document))
    canvas = Canvas(geo)
    boxes = {
        **{r: p.box for r, p in geo.accounts.items()},
        **{r: p.box for r, p in geo.nodes.items()},
    }
    edges = list(edges or [])
    canvas.arrows.extend(trust_arrows(edges, geo, boxes))
    for e in edges:
        if e.kind == "sse" and e.source in boxes and e.target in boxes:
            title = f"bucket {e.source.rsplit(':', 1)[-1]} encrypts new objects with this key"
            canvas.arrows.append(_arrow("sse", "sse", e.source, e.target, boxes, "SSE-KMS", title))
    canvas.arrows.extend(access_arrows(edges, boxes))
    for parent, child in geo.org_links:
        if parent in geo.chips:
            start = geo.chips[parent].box
            end = geo.chips.get(child) or geo.accounts.get(child)
            if end is not None:
                canvas.org_lines.append((start.cx, start.bottom, end.box.cx, end.box.y))
    return canvas


def shown_trust(edge, geo: Geometry) -> str | None:
    """The status a trust edge is drawn with, or None when it is not drawn."""
    role = geo.nodes.get(edge.target)
    if role is None or (edge.source not in geo.nodes and edge.source not in geo.accounts):
        return None
    if edge.source == role.account:
        return None  # an account's own roles sit inside its box
    from_root = edge.source in geo.accounts
    if edge.allowed and (from_root or edge.names_caller):
        return "trust"
    if not edge.allowed and (edge.names_caller or edge.authorization == "explicit_deny"):
        return "denied"
    return None


def trust_arrows(edges: list, geo: Geometry, boxes: dict[str, Box]) -> list[Arrow]:
    arrows = []
    for e in edges:
        if e.kind != "trust":
            continue
        status = shown_trust(e, geo)
        if status is None:
            continue
        who = f"account {e.source}" if e.source in geo.accounts else _short(e.source)
        if status == "trust":
            label = "may assume" + (" (ExternalId)" if e.context else "")
            title = f"{who} may assume {_short(e.target)}"
        else:
            label = "✗ may not assume"
            title = f"{who} may not assume {_short(e.target)}: {e.reason}"
        arrows.append(_arrow("trust", status, e.source, e.target, boxes, label, title))
    return arrows


def access_status(group: list) -> str | None:
    """allowed | grant | denied for one principal and one key, or None (not drawn)."""
    allowed = [e for e in group if e.allowed]
    if allowed:
        direct = [e for e in allowed if not e.via]
        if direct and all(e.via_grant for e in direct):
            return "grant"
        return "allowed"
    expected = any(e.same_account or e.named for e in group)
    if expected or any(e.authorization == "explicit_deny" for e in group):
        return "denied"
    return None


def access_arrows(edges: list, boxes: dict[str, Box]) -> list[Arrow]:
    pairs: dict[tuple[str, str], list] = {}
    for e in edges:
        if e.kind == "key" and e.source in boxes and e.target in boxes:
            pairs.setdefault((e.source, e.target), []).append(e)
    arrows = []
    for (principal, key), group in pairs.items():
        status = access_status(group)
        if status is None:
            continue
        direct = [
            ACTION_SHORT.get(e.operation, e.operation) for e in group if e.allowed and not e.via
        ]
        via = sorted(
            {ACTION_SHORT.get(e.operation, e.operation) for e in group if e.allowed and e.via}
            - set(direct)
        )
        parts = [", ".join(direct)] if direct else []
        if via:
            parts.append(", ".join(via) + " via S3")
        label = "✓ " + "; ".join(parts) if parts else "✗"
        if status == "grant":
            label += " (grant)"
        spoken = "; ".join(
            f"{ACTION_SHORT.get(e.operation, e.operation)}"
            + (f" through S3 bucket {e.via.rsplit(':', 1)[-1]}" if e.via else "")
            + (" allowed" if e.allowed else " denied")
            + (" through a grant" if e.via_grant else "")
            for e in group
        )
        offset = 6 if status == "denied" else -6
        title = f"{_short(principal)} on this key: {spoken}"
        arrows.append(_arrow("access", status, principal, key, boxes, label, title, offset))
    return arrows
