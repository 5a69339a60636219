"""A scenario with every policy compiled once, and who-is-who resolved.

Built once per scenario version (the engine caches it), so thousands of
attempts never re-parse a policy. A World is frozen and its maps are read-only
(typed Mapping, checked by mypy): every run and every request of the web app
share it, so whatever a run works out lives in its own Env.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

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


@dataclass(frozen=True)
class World:
    scenario: Scenario
    problems: tuple[Problem, ...] = ()
    identity: Mapping[str, tuple[Policy, ...]] = field(default_factory=dict)
    boundary: Mapping[str, Policy] = field(default_factory=dict)
    trust: Mapping[str, Policy] = field(default_factory=dict)
    key_policy: Mapping[str, Policy] = field(default_factory=dict)
    bucket_policy: Mapping[str, Policy] = field(default_factory=dict)
    endpoint_policy: Mapping[str, Policy] = field(default_factory=dict)
    scp_chain: Mapping[str, tuple[Level, ...]] = field(default_factory=dict)
    rcp_chain: Mapping[str, tuple[Level, ...]] = field(default_factory=dict)
    org_path: Mapping[str, str] = field(default_factory=dict)
    roles_by_name: Mapping[tuple[str, str], Principal] = field(default_factory=dict)
    # Every principal ARN and attempt principal of the scenario, resolved once.
    callers: Mapping[str, tuple[Caller, Principal | None]] = field(default_factory=dict)

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
        """Resolve an attempt's `principal` string (a role ARN means a session);
        LookupError when the scenario has no such principal."""
        found = self.callers.get(principal)
        return found if found is not None else self._caller(principal)

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
        arn = role.session_arn(session)
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


Compile = Callable[[NamedPolicy, str, str], Policy | None]


def build_world(sc: Scenario) -> World:
    problems: list[Problem] = []

    def compile_policy(named: NamedPolicy, kind: str, owner: str) -> Policy | None:
        policy, probs = parse_policy(
            named.document, kind=kind, pointer=named.pointer, name=named.name, owner=owner
        )
        problems.extend(probs)
        return policy

    identity: dict[str, tuple[Policy, ...]] = {}
    boundary: dict[str, Policy] = {}
    trust: dict[str, Policy] = {}
    roles_by_name: dict[tuple[str, str], Principal] = {}
    groups = {(g.account, g.name): g for g in sc.groups}
    group_policies: dict[tuple[str, str], tuple[Policy, ...]] = {}
    for g in sc.groups:
        compiled = (compile_policy(p, "identity", g.arn) for p in g.policies)
        group_policies[(g.account, g.name)] = tuple(p for p in compiled if p is not None)
    for p in sc.principals:
        own = [compile_policy(np, "identity", p.arn) for np in p.policies]
        for gname in p.groups:
            if (p.account, gname) in groups:
                own.extend(group_policies.get((p.account, gname), ()))
        identity[p.arn] = tuple(x for x in own if x is not None)
        if p.permissions_boundary is not None:
            pb = compile_policy(p.permissions_boundary, "boundary", p.arn)
            if pb is not None:
                boundary[p.arn] = pb
        if p.type == "role":
            roles_by_name[(p.account, p.name)] = p
            if p.trust_policy is not None:
                t = compile_policy(p.trust_policy, "trust", p.arn)
                if t is not None:
                    trust[p.arn] = t
    key_policy: dict[str, Policy] = {}
    for k in sc.keys:
        kp = compile_policy(k.policy, "key", k.arn)
        if kp is not None:
            key_policy[k.arn] = kp
    bucket_policy: dict[str, Policy] = {}
    for b in sc.buckets:
        if b.policy is not None:
            bp = compile_policy(b.policy, "bucket", b.arn)
            if bp is not None:
                bucket_policy[b.name] = bp
    endpoint_policy: dict[str, Policy] = {}
    for e in sc.vpc_endpoints:
        named = e.policy or NamedPolicy("default full access", FULL_ACCESS_ENDPOINT, e.pointer)
        ep = compile_policy(named, "endpoint", e.id)
        if ep is not None:
            endpoint_policy[e.id] = ep
    org_path: dict[str, str] = {}
    scp_chain: dict[str, tuple[Level, ...]] = {}
    rcp_chain: dict[str, tuple[Level, ...]] = {}
    if sc.organization is not None:
        org_path, scp_chain, rcp_chain = _organization(sc, compile_policy)
    world = World(
        sc,
        tuple(problems),
        identity,
        boundary,
        trust,
        key_policy,
        bucket_policy,
        endpoint_policy,
        scp_chain,
        rcp_chain,
        org_path,
        roles_by_name,
    )
    callers: dict[str, tuple[Caller, Principal | None]] = {}
    for ref in (*(p.arn for p in sc.principals), *(a.principal for a in sc.attempts)):
        if ref not in callers:
            try:
                callers[ref] = world._caller(ref)
            except LookupError:
                continue  # an attempt by nobody the scenario has: its own error when run
    return replace(world, callers=callers)


def _organization(
    sc: Scenario, compile_policy: Compile
) -> tuple[dict[str, str], dict[str, tuple[Level, ...]], dict[str, tuple[Level, ...]]]:
    """Each member account's organization path and its SCP and RCP chains."""
    org = sc.organization
    assert org is not None
    org_path: dict[str, str] = {}
    scp_chain: dict[str, tuple[Level, ...]] = {}
    rcp_chain: dict[str, tuple[Level, ...]] = {}
    scps: dict[str, list[Policy]] = {}
    rcps: dict[str, list[Policy]] = {}
    for attached, kind, into in ((org.scps, "scp", scps), (org.rcps, "rcp", rcps)):
        for op in attached:
            compiled = compile_policy(op.policy, kind, op.name)
            if compiled is None:
                continue
            for target in op.targets:
                into.setdefault(target, []).append(compiled)
    units = {u.id: u for u in org.units}
    names = {u.id: (u.name or u.id) for u in org.units}
    for acct in sc.accounts:
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
        org_path[acct.id] = f"{org.id}/" + "/".join(chain) + "/"
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
        scp_chain[acct.id] = tuple(levels_scp)
        rcp_chain[acct.id] = tuple(levels_rcp)
    return org_path, scp_chain, rcp_chain
