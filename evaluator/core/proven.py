"""Proven fixes: candidate edits for a denied attempt, each applied to a copy of
the scenario document and evaluated again; only the edits that flip the
attempt to allowed are offered, ranked by how little other access they add.

Candidates: add the action to a key-policy (or trust-policy) statement that
already names the caller; put the caller where a near-miss principal is named
("etl-job-old" where "etl-job" calls); a key-policy statement for the caller;
root delegation; an identity policy; both sides at once (across accounts); a
grant; for S3 calls, a bucket-policy statement (the policy made if there is
none) and the caller's IAM; an Allow in an SCP level that allowed nothing for
the call (R1.8); drop or narrow a Deny that decided the attempt. When a role of the
attempt's assume chain refused it, the candidates open that hop instead.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .budget import Budget
from .compiled import compile_scenario
from .crypto import KeyMaterial
from .engine import evaluate
from .keytrust import resolve_key
from .loader import load_scenario
from .matrix import AccessMatrix, Edge, decide_matrix
from .model import Bucket, Key, Principal, Scenario
from .pointer import pointer_parts, value_at
from .trace import Determining, Step

Doc = dict
Edit = Callable[[Doc], str | None]  # changes the copy in place; returns the changed pointer


@dataclass(frozen=True)
class ProvenFix:
    id: str  # stable for one document and one edit: what the Apply button names
    kind: str
    title: str
    pointer: str  # what the edit changed (a policy, a key's grants, a principal's policies)
    before: object
    after: object
    document: Mapping[str, object] = field(repr=False)
    note: str = ""  # a near-miss principal, say
    gains: tuple[Edge, ...] = ()  # every matrix cell the fix opens
    others: tuple[Edge, ...] = ()  # those that are not the attempt's own caller

    @property
    def widens(self) -> bool:
        return bool(self.others)


@dataclass(frozen=True)
class _Target:
    caller_arn: str  # the ARN a policy names: a user, or the role behind a session
    entity: Principal | None
    account: str
    key: Key | None
    action: str  # kms:Decrypt, sts:AssumeRole, s3:GetObject, ...
    kms_op: str | None  # the KMS action the key must allow (S3 calls it for SSE-KMS)
    role: Principal | None  # for sts:AssumeRole attempts
    bucket: Bucket | None = None  # for S3 attempts: the bucket whose policy may allow


def proven_fixes(
    document: Mapping[str, object],
    attempt_id: str,
    *,
    now: datetime,
    material: KeyMaterial | None = None,
    limit: int = 5,
    budget: Budget | None = None,
) -> list[ProvenFix]:
    """The edits that make a denied attempt allowed, most contained first.
    `budget` bounds all the trials together: past it, the fixes proven so far."""
    doc: Doc = json.loads(json.dumps(document))
    loaded = load_scenario(doc)
    scenario = loaded.scenario
    if not loaded.ok or scenario is None or scenario.attempt(attempt_id) is None:
        return []
    evaluation = evaluate(
        scenario, now=now, attempt_ids=[attempt_id], material=material, budget=budget
    )
    if not evaluation.results or evaluation.results[0].authorization == "allow":
        return []
    decided = evaluation.results[0].decision
    target = _target(scenario, attempt_id, _refused_hop(evaluation.results[0].trace))
    if target is None:
        return []
    world = compile_scenario(scenario)
    base_matrix = decide_matrix(scenario, world, now=now, budget=budget)
    if base_matrix.stopped:
        return []
    seen: set[str] = set()
    found: list[ProvenFix] = []
    candidates = _candidates(doc, target, decided.determining)
    candidates += _scp_candidates(target, evaluation.results[0].trace)
    for kind, title, edit, note in candidates:
        trial = json.loads(json.dumps(doc))
        try:
            pointer = edit(trial)
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if pointer is None:
            continue
        digest = hashlib.sha256(json.dumps(trial, sort_keys=True).encode()).hexdigest()[:16]
        if digest in seen:
            continue
        seen.add(digest)
        reloaded = load_scenario(trial)
        fixed = reloaded.scenario if reloaded.ok else None
        if fixed is None:
            continue
        verdict = _authorization(fixed, attempt_id, now, material, budget)
        if verdict is None:
            break  # over the budget: what is proven so far
        if verdict != "allow":
            continue  # not proven: the attempt is still denied (or the edit broke it)
        matrix = decide_matrix(
            fixed, compile_scenario(fixed), now=now, previous=base_matrix, budget=budget
        )
        if matrix.stopped:
            break
        gains = tuple(_gains(base_matrix, matrix))
        mine = {target.caller_arn, target.entity.arn if target.entity else ""}
        others = tuple(e for e in gains if e.source not in mine)
        found.append(
            ProvenFix(
                id=digest,
                kind=kind,
                title=title,
                pointer=pointer,
                before=_at(doc, pointer),
                after=_at(trial, pointer),
                document=trial,
                note=note,
                gains=gains,
                others=others,
            )
        )
    # Least new access for others first; then the fix of a near miss (most likely
    # the cause), then the fewest new cells and the smallest edit.
    found.sort(
        key=lambda f: (len(f.others), f.kind != "near-miss principal", len(f.gains), _size(f))
    )
    return found[:limit]


def json_diff(fix: ProvenFix) -> list[tuple[str, str]]:
    """(kind, line) of a unified diff of what the fix changes: kind is add, del or same."""
    old = json.dumps(fix.before, indent=2, ensure_ascii=False).splitlines()
    new = json.dumps(fix.after, indent=2, ensure_ascii=False).splitlines()
    if fix.before is None:
        old = []
    out: list[tuple[str, str]] = []
    for line in list(difflib.unified_diff(old, new, lineterm="", n=2))[2:]:
        if line.startswith("@@"):
            out.append(("hunk", line))
        elif line.startswith("+"):
            out.append(("add", line))
        elif line.startswith("-"):
            out.append(("del", line))
        else:
            out.append(("same", line))
    return out


# ----------------------------------------------------------------------------- helpers


def _authorization(
    scenario: Scenario,
    attempt_id: str,
    now: datetime,
    material: KeyMaterial | None,
    budget: Budget | None,
) -> str | None:
    """The attempt's authorization on a trial copy; None when the budget ran out."""
    evaluation = evaluate(
        scenario, now=now, attempt_ids=[attempt_id], trace=False, material=material, budget=budget
    )
    if any(p.code == "evaluation.budget" for p in evaluation.problems):
        return None
    return evaluation.results[0].authorization if evaluation.results else "implicit_deny"


def _gains(before: AccessMatrix, after: AccessMatrix) -> list[Edge]:
    old = before.cells()
    return [
        e
        for cell, e in after.cells().items()
        if e.allowed and not (cell in old and old[cell].allowed)
    ]


def _size(fix: ProvenFix) -> int:
    return len(json.dumps(fix.after)) - len(json.dumps(fix.before))


def _at(doc: Doc, pointer: str) -> object:
    """The value at `pointer`, or None where there is none (a policy not yet written)."""
    try:
        return value_at(doc, pointer)
    except KeyError:
        return None


def _policy_at(doc: Doc, pointer: str) -> dict:
    """The policy object at `pointer`, turned into an object if it was JSON text."""
    parts = pointer_parts(pointer)
    parent: object = doc
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]  # type: ignore[index]
    last = parts[-1]
    index: int | str = int(last) if isinstance(parent, list) else last
    value = parent[index]  # type: ignore[index]
    if isinstance(value, str):
        value = json.loads(value)
        parent[index] = value  # type: ignore[index]
    if not isinstance(value, dict):
        raise TypeError(pointer)
    statements = value.get("Statement")
    if isinstance(statements, dict):
        value["Statement"] = [statements]
    elif statements is None:
        value["Statement"] = []
    return value


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _refused_hop(trace: tuple[Step, ...]) -> int | None:
    """Which AssumeRole of the attempt's chain was refused (it ends the chain), if one was."""
    hops = [s for s in trace if s.kind == "assume"]
    last = hops[-1] if hops else None
    return len(hops) - 1 if last is not None and last.verdict != "allow" else None


def _target(scenario: Scenario, attempt_id: str, hop: int | None = None) -> _Target | None:
    """What a fix must open: the attempt's own call, or the refused hop of its chain
    (that hop's caller assuming that hop's role), since nothing after it runs."""
    attempt = scenario.attempt(attempt_id)
    if attempt is None:
        return None
    world = compile_scenario(scenario)
    if hop is not None and hop < len(attempt.assume):
        principal = attempt.assume[hop - 1].role if hop else attempt.principal
        try:
            caller, entity = world.caller(principal)
        except LookupError:
            return None
        if caller.account is None:
            return None
        role = scenario.role_by_arn(attempt.assume[hop].role)
        arn = caller.role_arn or caller.arn
        return _Target(arn, entity, caller.account, None, "sts:AssumeRole", None, role)
    principal = attempt.assume[-1].role if attempt.assume else attempt.principal
    try:
        caller, entity = world.caller(principal)
    except LookupError:
        return None
    if caller.account is None or caller.kind == "service":
        return None
    arn = caller.role_arn or caller.arn
    action = attempt.action
    service, _, name = action.partition(":")
    key = kms_op = role = bucket = None
    if service.lower() == "kms":
        kms_op = action
        resource = attempt.resource
        if attempt.ciphertext_from:
            earlier = scenario.attempt(attempt.ciphertext_from)
            resource = resource or (earlier.resource if earlier else None)
        if resource:
            key = resolve_key(scenario, resource, caller.account, "Encrypt").key
    elif service.lower() == "s3":
        from .s3 import split_object, sse_key_ref  # the S3 side only when needed

        split = split_object(attempt.resource or "")
        bucket = scenario.bucket(split[0]) if split else None
        enc = bucket.default_encryption if bucket else None
        if bucket is not None and split is not None:
            obj = bucket.find_object(split[1])
            enc = obj.encryption if obj is not None and obj.encryption is not None else enc
        if bucket is not None and enc is not None and enc.algorithm == "aws:kms":
            ref = sse_key_ref(scenario, bucket, enc)
            key = resolve_key(scenario, ref, bucket.account, "Encrypt").key if ref else None
            kms_op = "kms:Decrypt" if name.lower() == "getobject" else "kms:GenerateDataKey"
    elif service.lower() == "sts":
        role = scenario.role_by_arn(attempt.resource or "")
    return _Target(arn, entity, caller.account, key, action, kms_op, role, bucket)


# ----------------------------------------------------------------------------- candidates


def _candidates(doc: Doc, t: _Target, determining: tuple[Determining, ...]) -> list:
    out: list[tuple[str, str, Edit, str]] = []
    root = f"arn:aws:iam::{t.account}:root"
    if t.role is not None:  # sts:AssumeRole: the trust policy and the caller's own IAM
        trust = t.role.pointer + "/trust_policy"
        out += _resource_side(doc, trust, t, "sts:AssumeRole", f"the trust policy of {t.role.name}")
        if t.entity is not None:
            out.append(_iam_allow(t, "sts:AssumeRole", t.role.arn))
            stmt = _statement(t.caller_arn, "sts:AssumeRole", resource=False)
            out.append(
                (
                    "both sides",
                    f"Trust {_short(t.caller_arn)} in {t.role.name}'s trust policy and allow "
                    f"sts:AssumeRole in {_short(t.caller_arn)}'s IAM",
                    _both(_add_statement(trust, stmt), _iam_edit(t, "sts:AssumeRole", t.role.arn)),
                    "",
                )
            )
    if t.key is not None and t.kms_op is not None:
        kp = t.key.pointer + "/policy"
        label = f"the key policy of {t.key.aliases[0] if t.key.aliases else t.key.id}"
        out += _resource_side(doc, kp, t, t.kms_op, label)
        if t.account == t.key.account and not _names_in(doc, kp, root):
            out.append(
                (
                    "root delegation",
                    f"Let account {t.account}'s IAM policies work for this key (root delegation "
                    f"in {label})",
                    _add_statement(kp, _root_statement(t.account)),
                    "",
                )
            )
        if t.entity is not None:
            out.append(_iam_allow(t, t.kms_op, t.key.arn))
            out.append(
                (
                    "both sides",
                    f"Allow {_short(t.caller_arn)} in {label} and in its own IAM",
                    _both(
                        _add_statement(kp, _statement(t.caller_arn, t.kms_op)),
                        _iam_edit(t, t.kms_op, t.key.arn),
                    ),
                    "",
                )
            )
        op = t.kms_op.split(":", 1)[1]
        out.append(
            (
                "grant",
                f"Give {_short(t.caller_arn)} a grant for {op} on this key",
                _add_grant(t.key.pointer, t.caller_arn, op),
                "",
            )
        )
    if t.bucket is not None:
        out += _bucket_side(t)
    out += _deny_candidates(t, determining)
    return out


def _bucket_side(t: _Target) -> list:
    """S3 calls: the caller's IAM, the bucket policy, or both (across accounts, R1.18)."""
    assert t.bucket is not None
    bp = t.bucket.pointer + "/policy"
    objects = f"{t.bucket.arn}/*"
    stmt = _statement(t.caller_arn, t.action) | {"Resource": objects}
    label = f"the bucket policy of {t.bucket.name}"
    out = [
        (
            "bucket policy",
            f"Allow {_short(t.caller_arn)} {t.action} in {label}",
            _add_statement(bp, stmt, create=True),
            "",
        )
    ]
    if t.entity is not None:
        out.append(_iam_allow(t, t.action, objects))
        out.append(
            (
                "both sides",
                f"Allow {_short(t.caller_arn)} in {label} and in its own IAM",
                _both(_add_statement(bp, stmt, create=True), _iam_edit(t, t.action, objects)),
                "",
            )
        )
    return out


def _scp_candidates(t: _Target, trace: tuple[Step, ...]) -> list:
    """R1.8: an SCP level that allows nothing for the call gets an Allow for it."""
    out = []
    actions = [a for a in (t.action, t.kms_op) if a]
    for step in _walk(trace):
        if step.rule != "R1.6" or step.verdict != "implicit_deny" or step.policy is None:
            continue
        ref = step.policy
        for action in dict.fromkeys(actions):
            allow = {"Effect": "Allow", "Action": action, "Resource": "*"}
            out.append(
                (
                    "SCP allow",
                    f"Allow {action} in the SCP {ref.name} on {ref.owner}",
                    _add_statement(ref.pointer, allow),
                    "",
                )
            )
    return out


def _walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from _walk(step.children)


def _resource_side(doc: Doc, pointer: str, t: _Target, action: str, label: str) -> list:
    """Edits of a resource policy (key or trust policy) for the caller."""
    out: list[tuple[str, str, Edit, str]] = []
    policy = _at(doc, pointer)
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return out
    if not isinstance(policy, dict):
        return out
    names = {t.caller_arn, f"arn:aws:iam::{t.account}:root", t.account}
    for i, st in enumerate(_as_list(policy.get("Statement"))):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        aws = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
        where = f"{pointer}/Statement/{i}"
        sid = f"'{st['Sid']}'" if st.get("Sid") else str(i + 1)
        if names & {a for a in aws if isinstance(a, str)} and "Action" in st:
            out.append(
                (
                    "add the action",
                    f"Add {action} to statement {sid} of {label}, which names the caller",
                    _add_action(where, action),
                    "",
                )
            )
        for value in aws:
            if isinstance(value, str) and _near_miss(value, t.caller_arn):
                note = f'"{_short(value)}" is named where "{_short(t.caller_arn)}" calls'
                out.append(
                    (
                        "near-miss principal",
                        f"Name {_short(t.caller_arn)} instead of {_short(value)} in statement "
                        f"{sid} of {label}",
                        _replace_principal(where, value, t.caller_arn),
                        note,
                    )
                )
    out.append(
        (
            "add the principal",
            f"Add a statement to {label} that allows {_short(t.caller_arn)} {action}",
            _add_statement(
                pointer, _statement(t.caller_arn, action, resource=action != "sts:AssumeRole")
            ),
            "",
        )
    )
    return out


def _near_miss(named: str, caller: str) -> bool:
    """Same account and kind, a name a typo or a rename away (etl-job-old vs etl-job)."""
    if named == caller or ":" not in named:
        return False
    a, b = named.rsplit("/", 1), caller.rsplit("/", 1)
    if len(a) != 2 or len(b) != 2 or a[0].split("/")[0] != b[0].split("/")[0]:
        return False
    x, y = a[1].lower(), b[1].lower()
    return x in y or y in x or difflib.SequenceMatcher(None, x, y).ratio() >= 0.75


def _deny_candidates(t: _Target, determining: tuple[Determining, ...]) -> list:
    """Drop, or narrow to spare the caller, each Deny that decided the attempt."""
    out = []
    for x in determining:
        if x.effect != "Deny":
            continue
        where = f"the {x.policy}" + (f" {x.name}" if x.name and x.name != x.policy else "")
        out.append(
            (
                "drop the Deny",
                f"Remove the Deny {x.statement} from {where}",
                _drop_statement(x.pointer),
                "",
            )
        )
        out.append(
            (
                "narrow the Deny",
                f"Exempt {_short(t.caller_arn)} from the Deny {x.statement} of {where}",
                _exempt(x.pointer, t.caller_arn),
                "",
            )
        )
    return out


# ----------------------------------------------------------------------------- edits


def _statement(arn: str, action: str, *, resource: bool = True) -> dict:
    st: dict = {
        "Sid": "Allow"
        + "".join(c for c in _short(arn).title() if c.isalnum())
        + action.split(":")[-1],
        "Effect": "Allow",
        "Principal": {"AWS": arn},
        "Action": action,
    }
    if resource:
        st["Resource"] = "*"
    return st


def _root_statement(account: str) -> dict:
    return {
        "Sid": "EnableIAMUserPermissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def _names_in(doc: Doc, pointer: str, arn: str) -> bool:
    return arn in json.dumps(_at(doc, pointer))


def _add_statement(pointer: str, statement: dict, *, create: bool = False) -> Edit:
    """Append a statement to the policy at `pointer` (with `create`, make the policy
    first when there is none, as for a bucket without a bucket policy)."""

    def edit(d: Doc) -> str:
        if create and _at(d, pointer) is None:
            owner = value_at(d, pointer.rpartition("/")[0])
            if not isinstance(owner, dict):
                raise TypeError(pointer)
            owner[pointer_parts(pointer)[-1]] = {"Version": "2012-10-17", "Statement": []}
        _policy_at(d, pointer)["Statement"].append(statement)
        return pointer

    return edit


def _add_action(statement_pointer: str, action: str) -> Edit:
    policy_pointer = statement_pointer.rsplit("/Statement/", 1)[0]

    def edit(d: Doc) -> str | None:
        policy = _policy_at(d, policy_pointer)
        st = policy["Statement"][int(statement_pointer.rsplit("/", 1)[1])]
        actions = _as_list(st.get("Action"))
        if action in actions:
            return None
        st["Action"] = [*actions, action]
        return policy_pointer

    return edit


def _replace_principal(statement_pointer: str, old: str, new: str) -> Edit:
    policy_pointer = statement_pointer.rsplit("/Statement/", 1)[0]

    def edit(d: Doc) -> str:
        policy = _policy_at(d, policy_pointer)
        st = policy["Statement"][int(statement_pointer.rsplit("/", 1)[1])]
        aws = st["Principal"]["AWS"]
        st["Principal"]["AWS"] = (
            [new if a == old else a for a in aws] if isinstance(aws, list) else new
        )
        return policy_pointer

    return edit


def _drop_statement(statement_pointer: str) -> Edit:
    policy_pointer, _, index = statement_pointer.rpartition("/Statement/")

    def edit(d: Doc) -> str:
        policy = _policy_at(d, policy_pointer)
        del policy["Statement"][int(index)]
        return policy_pointer

    return edit


def _exempt(statement_pointer: str, arn: str) -> Edit:
    policy_pointer, _, index = statement_pointer.rpartition("/Statement/")

    def edit(d: Doc) -> str:
        policy = _policy_at(d, policy_pointer)
        st = policy["Statement"][int(index)]
        cond = st.setdefault("Condition", {})
        cond.setdefault("ArnNotEquals", {})["aws:PrincipalArn"] = arn
        return policy_pointer

    return edit


def _iam_edit(t: _Target, action: str, resource: str) -> Edit:
    assert t.entity is not None
    pointer = t.entity.pointer

    def edit(d: Doc) -> str:
        principal = _at(d, pointer)
        assert isinstance(principal, dict)
        policies = principal.setdefault("policies", [])
        taken = {p.get("name") for p in policies if isinstance(p, dict)}
        name = "Allow" + action.split(":")[-1]
        n = 1
        while name in taken:
            n += 1
            name = f"Allow{action.split(':')[-1]}{n}"
        policies.append(
            {
                "name": name,
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
                },
            }
        )
        return pointer + "/policies"

    return edit


def _iam_allow(t: _Target, action: str, resource: str) -> tuple[str, str, Edit, str]:
    return (
        "IAM allow",
        f"Add an identity policy to {_short(t.caller_arn)} that allows {action}",
        _iam_edit(t, action, resource),
        "",
    )


def _add_grant(key_pointer: str, grantee: str, op: str) -> Edit:
    def edit(d: Doc) -> str:
        key = _at(d, key_pointer)
        assert isinstance(key, dict)
        grants = key.setdefault("grants", [])
        taken = {g.get("id") for g in grants if isinstance(g, dict)}
        gid = f"fix-{op.lower()}"
        while gid in taken:
            gid += "-1"
        grants.append({"id": gid, "grantee": grantee, "operations": [op]})
        return key_pointer + "/grants"

    return edit


def _both(first: Edit, second: Edit) -> Edit:
    def edit(d: Doc) -> str | None:
        a = first(d)
        b = second(d)
        return a if a is not None and b is not None else None

    return edit
