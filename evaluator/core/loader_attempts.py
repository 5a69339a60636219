"""Loader section: attempts, checked against the rest of the scenario."""

from __future__ import annotations

import re

from evaluator.core.loader_reader import SERVICE_PRINCIPAL, Reader, got, one_of, string_members
from evaluator.core.model import AssumeStep, Attempt, GrantRequest, Scenario
from evaluator.core.problems import pointer_join
from evaluator.core.vocabulary import (
    ATTEMPT_ADDITIONS,
    ATTEMPT_FIELDS,
    ATTEMPT_NOTE_FIELDS,
    EXPECTATIONS,
)

_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9]+")
_IAM_ARN = re.compile(r"arn:aws:iam::([0-9]{12}):(user|role)(/.*)")
_ROOT_ARN = re.compile(r"arn:aws:iam::([0-9]{12}):root")
_SESSION_ARN = re.compile(r"arn:aws:sts::([0-9]{12}):assumed-role/([^/]+)/(.+)")


_ATTEMPT_MEMBERS = ATTEMPT_FIELDS + ATTEMPT_ADDITIONS + ATTEMPT_NOTE_FIELDS


def read_attempts(r: Reader, top: dict[str, object], scenario: Scenario) -> tuple[Attempt, ...]:
    known = _ATTEMPT_MEMBERS
    out = []
    earlier: set[str] = set()
    items = r.array(top, "attempts", "")
    all_ids = string_members(items, "id")
    for item, ptr in items:
        a = r.obj(item, ptr, known)
        if a is None:
            continue
        attempt_id = r.string(a, "id", ptr, required=True) or ""
        if attempt_id in earlier:
            r.add(
                "scenario.duplicate",
                pointer_join(ptr, "id"),
                f'attempt "{attempt_id}" is listed twice',
            )
        principal = r.string(a, "principal", ptr, required=True)
        if principal:
            _principal(r, principal, pointer_join(ptr, "principal"), scenario)
        action = r.string(a, "action", ptr, required=True) or ""
        if action and not _ACTION.fullmatch(action):
            r.add(
                "scenario.value",
                pointer_join(ptr, "action"),
                f"must be an action such as kms:Decrypt (got {got(action)})",
            )
        ciphertext, ciphertext_from = _ciphertext(r, a, ptr, earlier, all_ids)
        resource = r.string(a, "resource", ptr)
        is_decrypt = action.lower() == "kms:decrypt"
        is_delete_alias = action.lower() == "kms:deletealias"
        if (
            resource is None
            and "resource" not in a
            and not (is_decrypt and "ciphertext" in a)
            and not is_delete_alias
        ):
            r.add(
                "scenario.required",
                pointer_join(ptr, "resource"),
                'required field "resource" is missing (only a kms:Decrypt '
                "with a ciphertext or a kms:DeleteAlias may leave it out)",
            )
        alias = r.string(a, "alias", ptr) if "alias" in a else None
        if alias is not None and not (alias.startswith("alias/") and len(alias) > len("alias/")):
            r.add(
                "scenario.value",
                pointer_join(ptr, "alias"),
                f"an alias is alias/NAME (got {got(alias)})",
            )
        if action.lower() in ALIAS_ACTIONS and "alias" not in a:
            r.add(
                "scenario.required",
                pointer_join(ptr, "alias"),
                f'required field "alias" is missing ({action} names the alias it changes)',
            )
        destination = r.string(a, "destination", ptr)
        needs_destination = action.lower().startswith("kms:reencrypt")
        if needs_destination and "destination" not in a:
            r.add(
                "scenario.required",
                pointer_join(ptr, "destination"),
                f'required field "destination" is missing ({action} needs the destination key)',
            )
        expect = r.string(a, "expect", ptr)
        if expect is not None and expect not in EXPECTATIONS:
            r.add(
                "scenario.value",
                pointer_join(ptr, "expect"),
                f"must be one of {one_of(EXPECTATIONS)} (got {got(expect)})",
            )
        has = a.__contains__  # most optional fields are absent: skip their readers
        out.append(
            Attempt(
                id=attempt_id,
                title=r.string(a, "title", ptr) if has("title") else None,
                principal=principal or "",
                assume=_assume_steps(r, a, ptr) if has("assume") else (),
                action=action,
                resource=resource,
                destination=destination,
                via_service=r.string(a, "via_service", ptr) if has("via_service") else None,
                encryption_context=r.string_map(a, "encryption_context", ptr)
                if has("encryption_context")
                else None,
                plaintext=r.string(a, "plaintext", ptr) if has("plaintext") else None,
                ciphertext=ciphertext,
                ciphertext_from=ciphertext_from,
                grant=_grant_request(r, a, ptr) if has("grant") else None,
                grant_id=r.string(a, "grant_id", ptr) if has("grant_id") else None,
                grant_tokens=r.strings(a, "grant_tokens", ptr) if has("grant_tokens") else (),
                policy=r.policy(a, "policy", ptr, "new key policy") if has("policy") else None,
                bypass_policy_lockout_safety_check=r.boolean(
                    a, "bypass_policy_lockout_safety_check", ptr, False
                )
                if has("bypass_policy_lockout_safety_check")
                else False,
                context=_request_context(r, a, ptr),
                expect=expect,
                tags=r.string_map(a, "tags", ptr) if has("tags") else None,
                tag_keys=r.strings(a, "tag_keys", ptr) if has("tag_keys") else (),
                alias=alias,
                pointer=ptr,
            )
        )
        earlier.add(attempt_id)
    return tuple(out)


def _principal(r: Reader, value: str, pointer: str, scenario: Scenario) -> None:
    if SERVICE_PRINCIPAL.fullmatch(value):
        return
    if m := _ROOT_ARN.fullmatch(value):
        if scenario.account(m.group(1)) is None:
            r.add("scenario.reference", pointer, f'no account "{m.group(1)}" in accounts')
        return
    if m := _SESSION_ARN.fullmatch(value):
        if scenario.role_named(m.group(1), m.group(2)) is None:
            r.add(
                "scenario.reference",
                pointer,
                f'no role "{m.group(2)}" in account {m.group(1)} (see principals)',
            )
        return
    if m := _IAM_ARN.fullmatch(value):
        if scenario.principal_by_arn(value) is None:
            # Compared by the part after the account: shorter, so cheaper, and what a typo hits.
            prefix = f"arn:aws:iam::{m.group(1)}:"
            tails = {p.arn[len(prefix) :]: p.arn for p in scenario.principals}
            tails = {t: a for t, a in tails.items() if a.startswith(prefix)}
            near = r.hints.closest(value[len(prefix) :], tails)
            extra = f" (did you mean {tails[near]}?)" if near else ""
            r.add(
                "scenario.reference",
                pointer,
                f"no user or role with this ARN in principals{extra}",
            )
        return
    r.add(
        "scenario.value",
        pointer,
        "must be the ARN of a user or role in principals, an assumed-role session ARN, "
        f"an account root ARN or a service principal such as s3.amazonaws.com "
        f"(got {got(value)})",
    )


def _ciphertext(
    r: Reader, a: dict[str, object], pointer: str, earlier: set[str], all_ids: set[str]
) -> tuple[str | None, str | None]:
    if "ciphertext" not in a:
        return None, None
    value = a["ciphertext"]
    ptr = pointer_join(pointer, "ciphertext")
    if isinstance(value, str):
        return value, None
    c = r.obj(value, ptr, ("from_attempt",), 'a string or {"from_attempt": ID}')
    if c is None:
        return None, None
    source = r.string(c, "from_attempt", ptr, required=True)
    if source is None:
        return None, None
    if source not in earlier:
        later = " (it comes later; attempts run in order)" if source in all_ids else ""
        r.add(
            "scenario.reference",
            pointer_join(ptr, "from_attempt"),
            f'no earlier attempt "{source}"{later}',
        )
    return None, source


_ASSUME_FIELDS = (
    "role",
    "external_id",
    "session_name",
    "session_policy",
    "tags",  # additions to format 1 (docs/scenario-format.md)
    "transitive_tag_keys",
    "source_identity",
)
ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:updatealias", "kms:deletealias"})
# The playground's cap on one attempt's role chain: AWS documents no hop count
# (R7.8 caps a chained session at one hour); each hop is a traced authorization.
MAX_ASSUME_CHAIN = 50


def _assume_steps(r: Reader, a: dict[str, object], pointer: str) -> tuple[AssumeStep, ...]:
    out = []
    steps = a.get("assume")
    if isinstance(steps, list) and len(steps) > MAX_ASSUME_CHAIN:
        r.add(
            "attempt.assume_chain",
            pointer_join(pointer, "assume"),
            f"assumes {len(steps):,} roles in a row; an attempt may chain at most "
            f"{MAX_ASSUME_CHAIN} (the playground's limit)",
        )
        return ()
    for item, ptr in r.array(a, "assume", pointer):
        s = r.obj(item, ptr, _ASSUME_FIELDS)
        if s is None:
            continue
        tags = (r.string_map(s, "tags", ptr) or {}) if "tags" in s else {}
        transitive = r.strings(s, "transitive_tag_keys", ptr) if "transitive_tag_keys" in s else ()
        for i, key in enumerate(transitive):
            if key.lower() not in {t.lower() for t in tags}:
                r.add(
                    "scenario.reference",
                    pointer_join(ptr, "transitive_tag_keys", i),
                    f'transitive tag key "{key}" is not one of this step\'s tags',
                )
        out.append(
            AssumeStep(
                role=r.role_arn(s, "role", ptr),
                external_id=r.string(s, "external_id", ptr),
                session_name=r.string(s, "session_name", ptr),
                session_policy=r.policy(s, "session_policy", ptr, "session policy"),
                tags=tags,
                transitive_tag_keys=transitive,
                source_identity=r.string(s, "source_identity", ptr),
                pointer=ptr,
            )
        )
    return tuple(out)


def _grant_request(r: Reader, a: dict[str, object], pointer: str) -> GrantRequest | None:
    if "grant" not in a:
        return None
    ptr = pointer_join(pointer, "grant")
    g = r.obj(a["grant"], ptr, ("grantee", "operations", "constraints", "retiring"))
    if g is None:
        return None
    return GrantRequest(
        grantee=r.grantee(g, "grantee", ptr, required=True),
        operations=r.operations(g, ptr),
        constraints=r.constraints(g, ptr),
        retiring=r.grantee(g, "retiring", ptr, required=False) or None,
        pointer=ptr,
    )


def _request_context(r: Reader, a: dict[str, object], pointer: str) -> dict[str, object]:
    value = r.typed(a, "context", pointer, dict, required=False)
    if not isinstance(value, dict):
        return {}
    base = pointer_join(pointer, "context")
    for key, v in value.items():
        items = v if isinstance(v, list) else [v]
        for i, one in enumerate(items):
            if one is None or isinstance(one, (dict, list)):
                ptr = pointer_join(base, key, i) if isinstance(v, list) else pointer_join(base, key)
                r.wrong_type(ptr, "a string, boolean, number or a list of them", one)
    return dict(value)
