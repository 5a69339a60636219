"""`aws organizations describe-policy` output: an SCP or an RCP."""

from __future__ import annotations

import re

from evaluator.aws_import.builder import Builder

_TYPES = {"SERVICE_CONTROL_POLICY": "scps", "RESOURCE_CONTROL_POLICY": "rcps"}
# arn:aws:organizations::MANAGEMENT:policy/o-ORGID/service_control_policy/p-ID
_POLICY_ARN = re.compile(r"arn:aws:organizations::([0-9]{12}):policy/(o-[a-z0-9]+)/.*")


def describe_policy(b: Builder, out: dict) -> None:
    policy_out = out["Policy"]
    summary = policy_out.get("PolicySummary") or {}
    kind = _TYPES.get(str(summary.get("Type")))
    if kind is None:
        b.warn(
            "import.not_understood",
            f"Policy type {summary.get('Type')} is not modelled (only SCPs and RCPs).",
            "/Policy/PolicySummary/Type",
        )
        return
    policy = b.policy(policy_out.get("Content"), "/Policy/Content")
    if policy is None:
        return
    org = b.doc.get("organization")
    if not isinstance(org, dict):
        org = b.doc["organization"] = {}
    m = _POLICY_ARN.fullmatch(str(summary.get("Arn", "")))
    if m:
        org.setdefault("id", m.group(2))
        if "management_account" not in org:
            org["management_account"] = b.account(m.group(1))["id"]
    if "id" not in org:
        org["id"] = "o-exampleorgid"
        b.warn("import.assumed", "The organization id was made up.", "/Policy/PolicySummary/Arn")
    name = str(summary.get("Name") or summary.get("Id") or "imported")
    items = org.setdefault(kind, [])
    existing = next((p for p in items if p.get("name") == name), None)
    if existing is not None:
        existing["policy"] = policy
    else:
        root = org.get("root") or "r-root"
        target = b.target if b.target and b.target in _targets(b.doc, root) else root
        items.append({"name": name, "targets": [target], "policy": policy})
        if target == root:
            b.warn(
                "import.assumed",
                f"{name} was attached to the root: describe-policy does not say where it is "
                "attached (change its targets in its panel).",
                "/Policy/PolicySummary",
            )
    label = "SCP" if kind == "scps" else "RCP"
    b.said(f"{label} {name} (aws organizations describe-policy)")
    b.unknown_fields(policy_out, "/Policy", {"PolicySummary", "Content"})


def _targets(doc: dict, root: str) -> set[str]:
    org = doc.get("organization") or {}
    units = {u["id"] for u in org.get("units") or []}
    return {root, *units, *(a["id"] for a in doc.get("accounts") or [])}
