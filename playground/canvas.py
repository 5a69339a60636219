"""Everything the canvas template draws, computed here: geometry plus arrows.

Three kinds of arrows:
- trust:  who may assume a role, read from the roles' trust policies;
- access: which principal can use which key for Encrypt and Decrypt, as the
          evaluator decides it (`access_edges`): allowed, allowed only through
          a grant (dashed), or denied. A denied pair is drawn only where a
          reader would expect access (same account, or the key policy names
          the principal's account): every other pair is denied too, and drawing
          them all would bury the canvas;
- sse:    a bucket whose default encryption is SSE-KMS, to its key.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field

from playground import document_nodes, engine, layout
from playground.layout import Box, Geometry

ACTION_SHORT = {"kms:Encrypt": "Encrypt", "kms:Decrypt": "Decrypt"}
_EDGE_CACHE: OrderedDict[tuple[str, str], list] = OrderedDict()
_EDGE_CACHE_SIZE = 64


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


@dataclass(slots=True)
class Canvas:
    geometry: Geometry
    arrows: list[Arrow] = field(default_factory=list)
    org_lines: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def viewbox(self) -> str:
        b = self.geometry.bounds
        return f"{b.x:.0f} {b.y:.0f} {b.w:.0f} {b.h:.0f}"


def _doc_digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def cached_access_edges(scenario, lineage: str, document: dict) -> list:
    """access_edges for this exact document, remembered across requests."""
    key = (lineage, _doc_digest({k: v for k, v in document.items() if k != "layout"}))
    if key in _EDGE_CACHE:
        _EDGE_CACHE.move_to_end(key)
        return _EDGE_CACHE[key]
    edges = list(engine.access_edges(scenario, lineage))
    _EDGE_CACHE[key] = edges
    if len(_EDGE_CACHE) > _EDGE_CACHE_SIZE:
        _EDGE_CACHE.popitem(last=False)
    return edges


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


def _policy_value(value: object) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trust_sources(document: dict, role: dict) -> list[str]:
    """Node refs the role's trust policy lets assume it (accounts, users, roles)."""
    policy = _policy_value(role.get("trust_policy"))
    refs: list[str] = []
    for st in _as_list(policy.get("Statement")):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        actions = _as_list(st.get("Action"))
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        principal = st.get("Principal")
        aws = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
        for value in aws:
            if not isinstance(value, str):
                continue
            if value.isdigit() and len(value) == 12:
                refs.append(value)
            elif value.startswith("arn:aws:iam::") and value.endswith(":root"):
                refs.append(value.split(":")[4])
            else:
                refs.append(value)
    return refs


def _resolve_key(document: dict, bucket: dict, key: str | None) -> str | None:
    if not key:
        return None
    region = document_nodes.region_of(document)
    for k in document.get("keys") or []:
        arn = document_nodes.key_arn(document, k)
        prefix = arn.rsplit(":", 1)[0]
        names = {arn, k["id"]} | {f"{prefix}:{a}" for a in k.get("aliases") or []}
        if k["account"] == bucket["account"] and (k.get("region") or region) == region:
            names |= set(k.get("aliases") or [])
        if key in names:
            return arn
    return None


def build(document: dict, edges: list | None) -> Canvas:
    geo = layout.compute(document, sublabels(document))
    canvas = Canvas(geo)
    boxes = {
        **{r: p.box for r, p in geo.accounts.items()},
        **{r: p.box for r, p in geo.nodes.items()},
    }

    for p in document.get("principals") or []:
        if p["type"] != "role":
            continue
        role_ref = document_nodes.principal_arn(p)
        for source in trust_sources(document, p):
            if source == p["account"] or source not in boxes or source == role_ref:
                continue
            x1, y1, x2, y2 = _line(boxes[source], boxes[role_ref])
            canvas.arrows.append(
                Arrow(
                    "trust",
                    "trust",
                    source,
                    role_ref,
                    x1,
                    y1,
                    x2,
                    y2,
                    "may assume",
                    f"{source} may assume {p['name']}",
                )
            )

    for b in document.get("buckets") or []:
        enc = b.get("default_encryption") or {}
        target = (
            _resolve_key(document, b, enc.get("key")) if enc.get("algorithm") == "aws:kms" else None
        )
        if target in boxes:
            ref = document_nodes.bucket_arn(b)
            x1, y1, x2, y2 = _line(boxes[ref], boxes[target])
            canvas.arrows.append(
                Arrow(
                    "sse",
                    "sse",
                    ref,
                    target,
                    x1,
                    y1,
                    x2,
                    y2,
                    "SSE-KMS",
                    f"bucket {b['name']} encrypts new objects with this key",
                )
            )

    canvas.arrows.extend(_access_arrows(edges or [], boxes, _expected_pairs(document)))

    for parent, child in geo.org_links:
        if parent in geo.chips:
            start = geo.chips[parent].box
            end = geo.chips.get(child) or geo.accounts.get(child)
            if end is not None:
                canvas.org_lines.append((start.cx, start.bottom, end.box.cx, end.box.y))
    return canvas


def _expected_pairs(document: dict):
    """A test: would a reader expect this principal to reach this key at all?"""
    key_accounts: dict[str, tuple[str, str]] = {}
    for k in document.get("keys") or []:
        text = json.dumps(k.get("policy")) + json.dumps(k.get("grants") or [])
        key_accounts[document_nodes.key_arn(document, k)] = (k["account"], text)

    def expected(principal: str, key: str) -> bool:
        account = principal.split(":")[4] if principal.count(":") >= 5 else ""
        owner, text = key_accounts.get(key, ("", ""))
        return account == owner or (bool(account) and account in text)

    return expected


def _access_arrows(edges: list, boxes: dict[str, Box], expected=None) -> list[Arrow]:
    pairs: dict[tuple[str, str], dict[str, tuple[str, bool]]] = {}
    for e in edges:
        if e.principal in boxes and e.key in boxes:
            pairs.setdefault((e.principal, e.key), {})[e.action] = (e.authorization, e.via_grant)
    arrows = []
    for (principal, key), actions in pairs.items():
        allowed = [a for a, (auth, _) in actions.items() if auth == "allow"]
        if not allowed:
            if expected is not None and not expected(principal, key):
                continue
            status = "denied"
        elif all(actions[a][1] for a in allowed):
            status = "grant"
        else:
            status = "allowed"
        shown = [ACTION_SHORT.get(a, a) for a in ("kms:Encrypt", "kms:Decrypt") if a in allowed]
        label = "✓ " + ", ".join(shown) if shown else "✗"
        if status == "grant":
            label += " (grant)"
        spoken = ", ".join(
            f"{ACTION_SHORT.get(a, a)} {'allowed' if auth == 'allow' else 'denied'}"
            + (" through a grant" if via else "")
            for a, (auth, via) in actions.items()
        )
        offset = 6 if status == "denied" else -6
        x1, y1, x2, y2 = _line(boxes[principal], boxes[key], offset)
        arrows.append(
            Arrow(
                "access",
                status,
                principal,
                key,
                x1,
                y1,
                x2,
                y2,
                label,
                f"{principal.rsplit('/', 1)[-1]} on this key: {spoken}",
            )
        )
    return arrows
