"""A scenario with every policy compiled once, and who-is-who resolved.

Built once per scenario version (the engine caches it), so thousands of
attempts never re-parse a policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .decide import Level
from .match import Caller
from .model import NamedPolicy, Principal, Scenario
from .policy import Policy, parse_policy
from .problems import Problem

FULL_ACCESS_ENDPOINT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}
_SESSION = re.compile(r"^arn:aws:sts::(\d{12}):assumed-role/([^/]+)/(.+)$")
_ROOT = re.compile(r"^arn:aws:iam::(\d{12}):root$")
DEFAULT_SESSION = "playground"


@dataclass
class World:
    scenario: Scenario
    problems: list[Problem] = field(default_factory=list)
    identity: dict[str, tuple[Policy, ...]] = field(default_factory=dict)
    boundary: dict[str, Policy] = field(default_factory=dict)
    trust: dict[str, Policy] = field(default_factory=dict)
    key_policy: dict[str, Policy] = field(default_factory=dict)
    bucket_policy: dict[str, Policy] = field(default_factory=dict)
    endpoint_policy: dict[str, Policy] = field(default_factory=dict)
    scp_chain: dict[str, tuple[Level, ...]] = field(default_factory=dict)
    rcp_chain: dict[str, tuple[Level, ...]] = field(default_factory=dict)
    org_path: dict[str, str] = field(default_factory=dict)
    roles_by_name: dict[tuple[str, str], Principal] = field(default_factory=dict)
    callers: dict[str, tuple[Caller, Principal | None]] = field(default_factory=dict)

    def compile(self, named: NamedPolicy, kind: str, owner: str) -> Policy | None:
        policy, probs = parse_policy(
            named.document, kind=kind, pointer=named.pointer, name=named.name, owner=owner
        )
        self.problems.extend(probs)
        return policy

    @property
    def org(self):
        return self.scenario.organization

    def in_org(self, account: str | None) -> bool:
        return account is not None and account in self.org_path

    def org_id_of(self, account: str | None) -> str | None:
        return self.org.id if self.org is not None and self.in_org(account) else None

    def is_management(self, account: str | None) -> bool:
        return self.org is not None and account == self.org.management_account

    def endpoint_for(self, ref: str, service: str) -> Policy | None:
        """The policy of the VPC endpoint a request came through, if it serves
        `service` (a request through an S3 endpoint never reaches KMS by it; R1.20)."""
        if not ref:
            return None
        ep = self.scenario.endpoint(ref)
        return self.endpoint_policy.get(ref) if ep is not None and ep.service == service else None

    # -- who is calling -------------------------------------------------
    def caller(self, principal: str) -> tuple[Caller, Principal | None]:
        """Resolve an attempt's `principal` string (a role ARN means a session)."""
        found = self.callers.get(principal)
        if found is None:
            found = self.callers[principal] = self._caller(principal)
        return found

    def _caller(self, principal: str) -> tuple[Caller, Principal | None]:
        sc = self.scenario
        if principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
            return Caller("service", principal, None, service=principal, ref=principal), None
        m = _ROOT.match(principal)
        if m:
            return Caller("root", principal, m.group(1), ref=m.group(1)), None
        m = _SESSION.match(principal)
        if m:
            role = self.roles_by_name.get((m.group(1), m.group(2)))
            if role is not None:
                return self.session_of(role, m.group(3)), role
        found = sc.principal_by_arn(principal)
        if found is None:
            raise LookupError(principal)
        if found.type == "user":
            return Caller(
                "user",
                found.arn,
                found.account,
                ref=found.arn,
                has_boundary=found.arn in self.boundary,
            ), found
        return self.session_of(found, DEFAULT_SESSION), found

    def session_of(self, role: Principal, session: str, *, chained: bool = False) -> Caller:
        arn = f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session}"
        return Caller(
            "role_session",
            arn,
            role.account,
            role_arn=role.arn,
            session_name=session,
            ref=role.arn,
            service_linked=role.is_service_linked,
            chained=chained,
            has_boundary=role.arn in self.boundary,
        )

    def scp_levels(self, caller: Caller) -> tuple[tuple[Level, ...] | None, str]:
        """The caller's SCP chain, or why SCPs do not apply (R1.6, R1.7)."""
        if self.org is None:
            return None, ""
        if caller.kind == "service":
            return None, "A service principal is not in a member account; SCPs do not apply."
        if not self.in_org(caller.account):
            return None, f"Account {caller.account} is outside the organization (R1.7)."
        if self.is_management(caller.account):
            return None, f"Account {caller.account} is the management account (R1.7)."
        if caller.service_linked:
            return None, "Service-linked roles are not restricted by SCPs (R1.7)."
        return self.scp_chain.get(caller.account or ""), ""

    def rcp_levels(
        self, resource_account: str | None, caller: Caller, *, aws_managed: bool = False
    ) -> tuple[tuple[Level, ...] | None, str]:
        """The resource owner's RCP chain, or why RCPs do not apply (R1.9, R1.10)."""
        if self.org is None or not self.org.rcps:
            return None, ""
        if not self.in_org(resource_account):
            return None, ""
        if self.is_management(resource_account):
            return None, "Resources in the management account are exempt from RCPs (R1.10)."
        if caller.service_linked:
            return None, "Calls by service-linked roles are exempt from RCPs (R1.10)."
        if aws_managed:
            return None, "AWS managed keys are exempt from RCPs (R1.10, R2.17)."
        return self.rcp_chain.get(resource_account or ""), ""


def build_world(sc: Scenario) -> World:
    w = World(sc)
    groups = {(g.account, g.name): g for g in sc.groups}
    group_policies: dict[tuple[str, str], tuple[Policy, ...]] = {}
    for g in sc.groups:
        owner = f"arn:aws:iam::{g.account}:group/{g.name}"
        compiled = (w.compile(p, "identity", owner) for p in g.policies)
        group_policies[(g.account, g.name)] = tuple(p for p in compiled if p is not None)
    for p in sc.principals:
        own = [w.compile(np, "identity", p.arn) for np in p.policies]
        for gname in p.groups:
            if (p.account, gname) in groups:
                own.extend(group_policies.get((p.account, gname), ()))
        w.identity[p.arn] = tuple(x for x in own if x is not None)
        if p.permissions_boundary is not None:
            pb = w.compile(p.permissions_boundary, "boundary", p.arn)
            if pb is not None:
                w.boundary[p.arn] = pb
        if p.type == "role":
            w.roles_by_name[(p.account, p.name)] = p
            if p.trust_policy is not None:
                t = w.compile(p.trust_policy, "trust", p.arn)
                if t is not None:
                    w.trust[p.arn] = t
    for k in sc.keys:
        kp = w.compile(k.policy, "key", k.arn)
        if kp is not None:
            w.key_policy[k.arn] = kp
    for b in sc.buckets:
        if b.policy is not None:
            bp = w.compile(b.policy, "bucket", b.arn)
            if bp is not None:
                w.bucket_policy[b.name] = bp
    for e in sc.vpc_endpoints:
        named = e.policy or NamedPolicy("default full access", FULL_ACCESS_ENDPOINT, e.pointer)
        ep = w.compile(named, "endpoint", e.id)
        if ep is not None:
            w.endpoint_policy[e.id] = ep
    if sc.organization is not None:
        _organization(w)
    return w


def _organization(w: World) -> None:
    org = w.scenario.organization
    assert org is not None
    scps: dict[str, list[Policy]] = {}
    rcps: dict[str, list[Policy]] = {}
    for attached, kind, into in ((org.scps, "scp", scps), (org.rcps, "rcp", rcps)):
        for op in attached:
            compiled = w.compile(op.policy, kind, op.name)
            if compiled is None:
                continue
            for target in op.targets:
                into.setdefault(target, []).append(compiled)
    units = {u.id: u for u in org.units}
    names = {u.id: (u.name or u.id) for u in org.units}
    for acct in w.scenario.accounts:
        if not acct.in_organization:
            continue
        chain: list[str] = []
        node = acct.parent or org.root
        seen: set[str] = set()
        while node and node not in seen:
            seen.add(node)
            chain.append(node)
            node = units[node].parent if node in units else ""
        chain.reverse()  # root first, then each unit down to the account
        w.org_path[acct.id] = f"{org.id}/" + "/".join(chain) + "/"
        levels_scp = []
        levels_rcp = []
        for target in [*chain, acct.id]:
            if target == org.root:
                label = f"the root {target}"
            elif target in units:
                label = f"unit {names[target]}"
            else:
                label = f"account {acct.name or acct.id}"
            levels_scp.append(Level(label, target, tuple(scps.get(target, ()))))
            if rcps.get(target):
                levels_rcp.append(Level(label, target, tuple(rcps[target])))
        w.scp_chain[acct.id] = tuple(levels_scp)
        w.rcp_chain[acct.id] = tuple(levels_rcp)
