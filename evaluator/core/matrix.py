"""The access matrix: who may do what to which key, role and bucket, as the
real pipeline decides it (the canvas, the matrix view and the decision diff
all read these edges; nothing on the web side reads policy JSON).

Three kinds of edge:
- ``key``:   a principal (a user, or a role as its session) x a key x an
             operation, called directly or by S3 on the principal's behalf
             (``via`` is then the bucket ARN: kms:ViaService and the
             aws:s3:arn encryption context, R8.4, R8.5);
- ``trust``: a user, a role session or an account's root x a role, decided
             by the AssumeRole model (trust policy, the caller's own IAM,
             SCPs, RCPs; R7);
- ``sse``:   a bucket x the key S3 encrypts its objects with, found by the
             real key resolution (R2.15, R8.7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .budget import Budget, BudgetExceeded
from .context import CLOCK_KEYS
from .grants import grantee_kind
from .keytrust import resolve_key
from .kms_auth import KmsCall, authorize_kms
from .match import Caller, principal_match
from .model import Bucket, Encryption, Key, Principal, Scenario
from .policy import Policy
from .runtime import Env, Identity
from .s3 import object_encryption, sse_key_ref
from .sts import assume_role
from .trace import NULL_TRACER
from .world import World

EdgeKind = Literal["key", "trust", "sse"]
KEY_OPERATIONS = ("kms:Encrypt", "kms:Decrypt")
_SPECIFIC = ("user", "role", "session", "root", "service")
_RANK = {
    "any": 1,
    "account": 2,
    "grant": 3,
    "root": 4,
    "service": 4,
    "role": 5,
    "session": 6,
    "user": 6,
}


@dataclass(frozen=True, slots=True)
class Edge:
    """One decided cell of the matrix."""

    kind: EdgeKind
    source: str  # canvas node ref: user/role ARN, account id (its root), bucket ARN
    target: str  # key ARN or role ARN
    operation: str  # kms:Encrypt, kms:Decrypt, sts:AssumeRole, s3:SSE-KMS
    authorization: str  # allow | implicit_deny | explicit_deny
    caller: str = ""  # the ARN that made the call (a session ARN for a role)
    via: str = ""  # bucket ARN when S3 makes the KMS call for the caller
    rule: str | None = None
    via_grant: bool = False
    # How the deciding resource policy (key or trust policy) or a grant names
    # the caller: user, role, session, root, account, any, grant, or "".
    named: str = ""
    same_account: bool = False
    reason: str = ""
    context: tuple[tuple[str, str], ...] = ()  # encryption context / ExternalId tried

    @property
    def allowed(self) -> bool:
        return self.authorization == "allow"

    @property
    def cell(self) -> tuple[str, str, str, str, str]:
        """What identifies the cell across revisions."""
        return (self.kind, self.source, self.target, self.operation, self.via)

    @property
    def names_caller(self) -> bool:
        """The policy or a grant names this caller itself (not only its account)."""
        return self.named in _SPECIFIC or self.named == "grant"


@dataclass(frozen=True)
class AccessMatrix:
    """Every decided edge. A pair whose resource policy (key policy, trust
    policy) names neither the caller, nor its account, nor anyone (and no grant
    names the caller) is not listed: such a call is denied whatever the other
    policies say (R1.13, R7.1), and listing every such pair would cost more
    than everything else together. Same-account key pairs are always listed."""

    edges: tuple[Edge, ...]
    # (kind, source, target) -> that pair's edges, and per-part fingerprints,
    # so the next revision re-decides only what changed.
    blocks: Mapping[tuple[str, str, str], tuple[Edge, ...]] = field(
        default_factory=dict, compare=False
    )
    parts: Mapping[str, object] = field(default_factory=dict, compare=False)
    # Why no edge was decided: the request's budget ran out (then `edges` is empty).
    stopped: str = ""
    now: datetime | None = field(default=None, compare=False)  # when it was decided

    def cells(self) -> dict[tuple[str, str, str, str, str], Edge]:
        return {e.cell: e for e in self.edges}

    def of_kind(self, kind: EdgeKind) -> list[Edge]:
        return [e for e in self.edges if e.kind == kind]


def decide_matrix(
    scenario: Scenario,
    world: World,
    *,
    now: datetime,
    previous: AccessMatrix | None = None,
    budget: Budget | None = None,
) -> AccessMatrix:
    """Every edge of the scenario, decided by the evaluator. With `previous`
    (the matrix of an earlier revision), only the rows and columns an edit can
    have changed are decided again; the rest is carried over. `budget` bounds
    the work; past it the matrix is empty and `stopped` says why."""
    env = Env(world, now, _NoMaterial(), _no_random, False, explain=False)
    if budget is not None:
        env.budget = budget
        budget.start()
    contexts, external = _attempt_contexts(scenario), _external_ids(scenario)
    parts = fingerprints(scenario, contexts, external)
    reuse = _reusable(None if previous is not None and previous.stopped else previous, parts, now)
    blocks: dict[tuple[str, str, str], tuple[Edge, ...]] = {}
    for e in _sse_edges(world):
        blocks[(e.kind, e.source, e.target)] = (e,)
    try:
        with env.budget.watching():
            _key_edges(env, reuse, blocks, contexts)
            _trust_edges(env, reuse, blocks, external)
    except BudgetExceeded as exc:
        stopped = (
            f"The access matrix was not drawn: {exc.message}. "
            "Make the scenario smaller, or simplify its policies' conditions."
        )
        return AccessMatrix((), stopped=stopped)
    edges = tuple(e for block in blocks.values() for e in block)
    return AccessMatrix(edges, blocks, parts, now=now)


# ----------------------------------------------------------------------------- reuse


def fingerprints(
    scenario: Scenario,
    contexts: Mapping[str, list[dict[str, str]]],
    external: Mapping[str, list[str]],
) -> dict[str, object]:
    """What each row (principal) and column (key, role) depends on, as raw JSON.

    `global` is everything whose change may move any cell (accounts,
    organization, groups, endpoints, buckets, region): when it changes,
    everything is decided again. Attempts count only through what the matrix
    borrows from them: a key's column the encryption contexts sent to it, a
    role's the ExternalIds passed to it.
    """
    raw = scenario.raw
    out: dict[str, object] = {
        "global": repr(
            [raw.get(k) for k in ("region", "accounts", "organization", "groups", "vpc_endpoints")]
            + [raw.get("buckets")]
        ),
    }
    for p in scenario.principals:
        out["p:" + p.arn] = repr((_raw_at(raw, p.pointer), external.get(p.arn)))
    for k in scenario.keys:
        out["k:" + k.arn] = repr((_raw_at(raw, k.pointer), contexts.get(k.arn)))
    return out


def _raw_at(raw: Mapping[str, object], pointer: str) -> object:
    value: object = raw
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
    return value


@dataclass(frozen=True)
class _Reuse:
    """Edges of the previous revision that no change can have moved."""

    blocks: Mapping[tuple[str, str, str], tuple[Edge, ...]]
    stale: frozenset[str]  # fingerprint names that changed, are new, or read the clock

    def fresh(self, name: str) -> bool:
        return name not in self.stale

    def listed(self, kind: str, *, by: int) -> dict[str, list[tuple[str, tuple[Edge, ...]]]]:
        """The previous revision's listed pairs of one kind, grouped by source
        (by=1) or by target (by=2): (the other end, block), in their old order."""
        out: dict[str, list[tuple[str, tuple[Edge, ...]]]] = {}
        other = 3 - by
        for pair, block in self.blocks.items():
            if pair[0] == kind:
                out.setdefault(pair[by], []).append((pair[other], block))
        return out


def _reusable(
    previous: AccessMatrix | None, parts: Mapping[str, object], now: datetime
) -> _Reuse | None:
    if previous is None or not previous.parts:
        return None
    old = previous.parts
    if old.get("global") != parts.get("global"):
        return None
    stale = {n for n, v in parts.items() if old.get(n) != v}
    if previous.now != now:
        # A cell decided at another time stays right only if nothing it reads
        # compares against aws:CurrentTime or aws:EpochTime.
        clocked = {n for n, v in parts.items() if CLOCK_KEYS.search(str(v))}
        if "global" in clocked:
            return None
        stale |= clocked
    return _Reuse(previous.blocks, frozenset(stale))


# ----------------------------------------------------------------------------- sse


def bucket_keys(world: World) -> list[tuple[Bucket, Key, Encryption]]:
    """(bucket, key, encryption) for each SSE-KMS key S3 uses for a bucket:
    its default encryption, an object's own, a replication rule's replica key."""
    sc = world.scenario
    out: list[tuple[Bucket, Key, Encryption]] = []
    seen: set[tuple[str, str]] = set()

    def add(bucket: Bucket, enc: Encryption | None) -> None:
        if enc is None or enc.algorithm != "aws:kms":
            return
        ref = sse_key_ref(sc, bucket, enc)
        if ref is None:
            return
        key = resolve_key(sc, ref, bucket.account, "Encrypt").key
        if key is not None and (bucket.name, key.arn) not in seen:
            seen.add((bucket.name, key.arn))
            out.append((bucket, key, enc))

    for bucket in sc.buckets:
        add(bucket, bucket.default_encryption)
        for obj in bucket.objects:
            add(bucket, object_encryption(bucket, obj.key))
    for bucket in sc.buckets:
        for rule in bucket.replication.rules if bucket.replication else ():
            dest = sc.bucket(rule.destination_bucket)
            if dest is not None and rule.replica_kms_key:
                add(dest, Encryption("aws:kms", rule.replica_kms_key, False))
    return out


def _sse_edges(world: World) -> list[Edge]:
    return [
        Edge(
            "sse",
            bucket.arn,
            key.arn,
            "s3:SSE-KMS",
            "allow",
            same_account=bucket.account == key.account,
            reason=f"S3 encrypts objects of {bucket.name} with {key.arn}.",
        )
        for bucket, key, _ in bucket_keys(world)
    ]


# ----------------------------------------------------------------------------- key


def _callers(world: World) -> list[tuple[Principal, Caller, Identity]]:
    out = []
    for p in world.scenario.principals:
        caller, entity = world.caller(p.arn)
        out.append((p, caller, Identity(caller, entity, ())))
    return out


def _attempt_contexts(sc: Scenario) -> dict[str, list[dict[str, str]]]:
    """Encryption contexts the scenario's attempts send to each key: a key whose
    policy or grant asks for one is judged with the contexts people actually use."""
    out: dict[str, list[dict[str, str]]] = {}
    for a in sc.attempts:
        if not a.encryption_context or not a.resource:
            continue
        account = a.principal.split(":")[4] if a.principal.count(":") >= 5 else None
        key = resolve_key(sc, a.resource, account, "Encrypt").key
        if key is not None:
            found = out.setdefault(key.arn, [])
            if dict(a.encryption_context) not in found:
                found.append(dict(a.encryption_context))
    return out


def _key_edges(
    env: Env, reuse: _Reuse | None, blocks: dict, contexts: Mapping[str, list[dict[str, str]]]
) -> None:
    world = env.world
    sc = world.scenario
    via_by_key: dict[str, list[tuple[Bucket, Encryption]]] = {}
    for bucket, key, enc in bucket_keys(world):
        via_by_key.setdefault(key.arn, []).append((bucket, enc))
    service = f"s3.{sc.region}.amazonaws.com"
    keys = [
        (
            key,
            key.arn,
            _names(world.key_policy.get(key.arn), key),
            reuse and reuse.fresh("k:" + key.arn),
        )
        for key in sc.keys
    ]
    rows = reuse.listed("key", by=1) if reuse else {}
    column_of = {key_arn: i for i, (_, key_arn, _, _) in enumerate(keys)}
    stale_columns = [i for i, entry in enumerate(keys) if not entry[3]]
    fresh_columns = frozenset(i for i, entry in enumerate(keys) if entry[3])

    def decide(p: Principal, caller: Caller, ident: Identity, i: int) -> tuple[Edge, ...] | None:
        key, key_arn, names, _ = keys[i]
        named = _named(world.key_policy.get(key_arn), caller, key, names)
        if not named and p.account != key.account:
            return None  # the key policy names no way in for this caller (R2.2)
        block = []
        for op in KEY_OPERATIONS:
            tries: list[dict[str, str] | None] = [None, *contexts.get(key_arn, [])]
            block.append(_decide_key(env, ident, p, key, op, "", None, tries, named))
        for bucket, enc in via_by_key.get(key_arn, ()):
            for op in KEY_OPERATIONS:
                tries = [{"aws:s3:arn": arn} for arn in _s3_arns(bucket, enc)]
                block.append(_decide_key(env, ident, p, key, op, bucket.arn, service, tries, named))
        return tuple(block)

    for p, caller, ident in _callers(world):
        p_arn = p.arn
        if reuse and reuse.fresh("p:" + p_arn):
            # A fresh row: its listed pairs in fresh columns stand (whether a pair
            # is listed depends on its row and column only); stale columns are
            # decided again. Then in column order, as a first decision would be.
            kept = _carried(
                rows.get(p_arn, ()),
                column_of,
                fresh_columns,
                {i: decide(p, caller, ident, i) for i in stale_columns},
            )
            for i, block in kept:
                blocks[("key", p_arn, keys[i][1])] = block
            continue
        for i in range(len(keys)):
            made = decide(p, caller, ident, i)
            if made is not None:
                blocks[("key", p_arn, keys[i][1])] = made


def _carried(
    listed: Iterable[tuple[str, tuple[Edge, ...]]],
    index_of: Mapping[str, int],
    fresh: frozenset[int],
    decided: Mapping[int, tuple[Edge, ...] | None],
) -> list[tuple[int, tuple[Edge, ...]]]:
    """One fresh line (a key row or a trust column) of the next revision: the
    previous revision's listed pairs whose other end is fresh stand, beside the
    stale ends just decided again, all in the order a first decision lists them."""
    found = [(i, block) for ref, block in listed if (i := index_of.get(ref, -1)) in fresh]
    found += [(i, block) for i, block in decided.items() if block is not None]
    found.sort(key=lambda item: item[0])
    return found


# Objects of one bucket tried for a through-S3 edge: a key policy may open
# some prefixes only (kms:EncryptionContext:aws:s3:arn), so one object is not enough.
_OBJECTS_TRIED = 20


def _s3_arns(bucket: Bucket, enc: Encryption) -> list[str]:
    """The aws:s3:arn encryption contexts S3 would send: the bucket's ARN with an
    S3 Bucket Key (R8.5), else each object's (the first few; "object" if none)."""
    if enc.bucket_key:
        return [bucket.arn]
    names = [o.key for o in bucket.objects[:_OBJECTS_TRIED]] or ["object"]
    return [f"{bucket.arn}/{name}" for name in dict.fromkeys(names)]


def _decide_key(
    env: Env,
    ident: Identity,
    p: Principal,
    key: Key,
    op: str,
    via: str,
    service: str | None,
    contexts: Iterable[dict[str, str] | None],
    named: str,
) -> Edge:
    res = None
    used: dict[str, str] | None = None
    for context in contexts:
        call = KmsCall(op.split(":", 1)[1], key_id=key.arn, encryption_context=context)
        call.via_service = service
        res = authorize_kms(env, ident, key, call, None, NULL_TRACER)
        used = context
        if res.authorization == "allow":
            break
    assert res is not None  # `contexts` always holds at least one entry
    via_grant = res.decided is not None and res.decided.path == "grant"
    if via_grant and not named:
        named = "grant"
    return Edge(
        "key",
        p.arn,
        key.arn,
        op,
        res.authorization,
        caller=ident.caller.arn,
        via=via,
        rule=res.rule,
        via_grant=via_grant,
        named=named,
        same_account=p.account == key.account,
        reason=res.reason,
        context=tuple(sorted((used or {}).items())),
    )


@dataclass(frozen=True, slots=True)
class _Names:
    """Every principal a resource policy (and the key's grants) lists: a quick
    test that skips the pairs the policy cannot be about."""

    listed: frozenset[str]
    anyone: bool

    def may_name(self, caller: Caller) -> bool:
        listed = self.listed
        return (
            self.anyone
            or caller.arn in listed
            or caller.account_root in listed
            or (caller.role_arn is not None and caller.role_arn in listed)
        )


def _names(policy: Policy | None, key: Key | None = None) -> _Names:
    listed: set[str] = set()
    anyone = False
    for stmt in policy.statements if policy is not None else ():
        if stmt.not_principal is not None:
            anyone = True
        elif stmt.principal is not None:
            listed.update(stmt.principal.aws)
            anyone = anyone or stmt.principal.any
    for g in key.grants if key is not None else ():
        listed.add(g.grantee)
    return _Names(frozenset(listed), anyone)


def _named(
    policy: Policy | None, caller: Caller, key: Key | None = None, names: _Names | None = None
) -> str:
    """The most specific way the policy (or a grant on the key) names the caller."""
    if names is not None and not names.may_name(caller):
        return ""
    best = ""
    for stmt in policy.statements if policy is not None else ():
        kind: str | None = None
        if stmt.not_principal is not None:
            kind = "any"  # NotPrincipal may take in anyone it does not list
        elif stmt.principal is not None:
            kind = principal_match(stmt.principal, caller)
        if kind and _RANK.get(kind, 0) > _RANK.get(best, 0):
            best = kind
    weaker = _RANK.get(best, 0) < _RANK["grant"]
    grants = key.grants if key is not None and weaker else ()
    if any(grantee_kind(g.grantee, caller) is not None for g in grants):
        best = "grant"  # a grant to the caller, its role or its account (R3.3)
    return best


# ----------------------------------------------------------------------------- trust


def _external_ids(sc: Scenario) -> dict[str, list[str]]:
    """ExternalIds the scenario's attempts pass to each role (R7.5)."""
    out: dict[str, list[str]] = {}
    for a in sc.attempts:
        for step in a.assume:
            if step.external_id and step.external_id not in out.get(step.role, []):
                out.setdefault(step.role, []).append(step.external_id)
        ext = a.context.get("sts:ExternalId")
        assume = a.action.lower() == "sts:assumerole" and isinstance(ext, str) and a.resource
        if assume and ext not in out.get(a.resource or "", []):
            out.setdefault(a.resource or "", []).append(ext)  # type: ignore[arg-type]
    return out


def _trust_edges(
    env: Env, reuse: _Reuse | None, blocks: dict, external: Mapping[str, list[str]]
) -> None:
    world = env.world
    sc = world.scenario
    sources: list[tuple[str, bool, Identity]] = []  # (node ref, reusable, identity)
    for account in sc.accounts:
        caller, entity = world.caller(f"arn:aws:iam::{account.id}:root")
        sources.append((account.id, True, Identity(caller, entity, ())))  # accounts are global
    for p, _, ident in _callers(world):
        sources.append((p.arn, bool(reuse and reuse.fresh("p:" + p.arn)), ident))
    columns = reuse.listed("trust", by=2) if reuse else {}
    row_of = {ref: i for i, (ref, _, _) in enumerate(sources)}
    stale_rows = [i for i, (_, fresh, _) in enumerate(sources) if not fresh]
    fresh_rows = frozenset(i for i, (_, fresh, _) in enumerate(sources) if fresh)
    for role in sc.principals:
        if role.type != "role":
            continue
        role_arn = role.arn
        trust = world.trust.get(role_arn)
        names = _names(trust)
        if reuse and reuse.fresh("p:" + role_arn):
            # A fresh column, as a fresh row of keys: listed pairs of fresh rows
            # stand, stale rows are decided again, all in row order.
            kept = _carried(
                columns.get(role_arn, ()),
                row_of,
                fresh_rows,
                {
                    i: _trust_block(env, sources[i], role, trust, names, external)
                    for i in stale_rows
                },
            )
            for i, block in kept:
                blocks[("trust", sources[i][0], role_arn)] = block
            continue
        for source in sources:
            made = _trust_block(env, source, role, trust, names, external)
            if made is not None:
                blocks[("trust", source[0], role_arn)] = made


def _trust_block(
    env: Env,
    source: tuple[str, bool, Identity],
    role: Principal,
    trust: Policy | None,
    names: _Names,
    external: Mapping[str, list[str]],
) -> tuple[Edge, ...] | None:
    """The edge of one caller and one role, or None when the trust policy does not
    name the caller (the pair is not listed)."""
    ref, _, ident = source
    if ref == role.arn:
        return None
    named = _named(trust, ident.caller, None, names)
    if not named:
        return None  # the trust policy must itself allow (R7.1)
    return (_decide_trust(env, ident, ref, role, named, external),)


def _decide_trust(
    env: Env,
    ident: Identity,
    ref: str,
    role: Principal,
    named: str,
    external: Mapping[str, list[str]],
) -> Edge:
    res = None
    tried: str | None = None
    for ext in [None, *external.get(role.arn, [])]:
        res, _, _ = assume_role(  # no session policy, so no problems
            env,
            ident,
            role.arn,
            external_id=ext,
            session_name=None,
            session_policy=None,
            extra={},
            tr=NULL_TRACER,
        )
        tried = ext
        if res.authorization == "allow":
            break
    assert res is not None
    return Edge(
        "trust",
        ref,
        role.arn,
        "sts:AssumeRole",
        res.authorization,
        caller=ident.caller.arn,
        rule=res.rule,
        named=named,
        same_account=ident.caller.account == role.account,
        reason=res.reason,
        context=(("sts:ExternalId", tried),) if tried else (),
    )


# ----------------------------------------------------------------------------- env


class _NoMaterial:
    """Authorization never reads key material; a call that did would be a bug."""

    def get(self, key_arn: str) -> bytes:
        raise AssertionError(f"the access matrix read key material of {key_arn}")


def _no_random(n: int) -> bytes:
    raise AssertionError("the access matrix asked for randomness")
