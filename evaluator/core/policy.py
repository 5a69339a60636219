"""Parse, validate and compile AWS policy documents.

A policy is compiled once per scenario version into frozen `Policy` and
`Statement` objects with pre-built matchers; `match.py` then asks whether a
statement applies to a request. Every problem names its JSON pointer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

from .conditions import Clause, compile_conditions
from .jsonpos import JsonTextError, parse_json
from .problems import Problem, pointer_join, problem
from .variables import has_variables, variables_enabled
from .wildcard import GlobMatcher, compile_glob

PolicyKind = Literal[
    "identity", "boundary", "session", "key", "bucket", "trust", "scp", "rcp", "endpoint"
]

KIND_LABELS: dict[str, str] = {
    "identity": "identity policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "key": "key policy",
    "bucket": "bucket policy",
    "trust": "trust policy",
    "scp": "SCP",
    "rcp": "RCP",
    "endpoint": "VPC endpoint policy",
}

RESOURCE_KINDS = frozenset({"key", "bucket", "trust", "rcp", "endpoint"})

# Size limits as AWS states them. IAM counts characters without white space;
# KMS counts bytes of the whole document. (IAM quotas page; R2.8.)
SIZE_LIMITS: dict[str, tuple[int, bool]] = {
    "identity": (6144, True),
    "boundary": (6144, True),
    "session": (2048, True),
    "trust": (2048, True),
    "scp": (10240, False),
    "rcp": (5120, False),
    "key": (32768, False),
    "bucket": (20480, False),
    "endpoint": (20480, False),
}

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_AWS_PRINCIPAL = re.compile(
    r"^arn:aws[a-z-]*:(?:iam::\d{12}:(?:root|user/.+|role/.+|federated-user/.+)"
    r"|sts::\d{12}:(?:assumed-role/[^/]+/.+|federated-user/.+))$"
)
_ACTION = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$")
# "s3:GetObject,PutObject" or "kms:Encrypt, kms:Decrypt": one string, not a list.
_COMMA_ACTION = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+(?:,\s*[A-Za-z0-9*?:-]+)+$")


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A `Principal` or `NotPrincipal` element, normalised.

    Account ids become root ARNs (they mean the same, R1.19).
    """

    any: bool
    aws: frozenset[str]
    services: frozenset[str]
    federated: frozenset[str]
    canonical: frozenset[str]
    pointer: str

    def describe(self) -> str:
        if self.any:
            return '"*"'
        parts = sorted(self.aws) + sorted(self.services) + sorted(self.federated)
        parts += sorted(self.canonical)
        return ", ".join(parts) or "nobody"


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: str  # "Allow" | "Deny"
    principal: PrincipalSpec | None
    not_principal: PrincipalSpec | None
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: element absent
    not_resource: bool
    conditions: tuple[Clause, ...]
    pointer: str
    action_matchers: tuple[GlobMatcher, ...] = ()
    resource_vars: bool = False
    # Worked out once for the hot path: Effect, and whether Resource/NotResource
    # settles every request alone (absent, or a lone-`*` entry), None if not.
    is_allow: bool = field(default=False, init=False, repr=False, compare=False)
    resource_fixed: bool | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_allow", self.effect == "Allow")
        fixed: bool | None = None
        if self.resources is None:
            fixed = True  # trust policies, SCPs: the element is optional
        elif "*" in self.resources:
            fixed = not self.not_resource  # `*` covers every resource (R5.5)
        object.__setattr__(self, "resource_fixed", fixed)

    @property
    def label(self) -> str:
        return f"statement '{self.sid}'" if self.sid else f"statement {self.index + 1}"

    @property
    def actions_pointer(self) -> str:
        return f"{self.pointer}/{'NotAction' if self.not_action else 'Action'}"

    @property
    def resources_pointer(self) -> str:
        return f"{self.pointer}/{'NotResource' if self.not_resource else 'Resource'}"


@dataclass(frozen=True, slots=True)
class Policy:
    kind: str
    name: str
    owner: str
    version: str | None
    statements: tuple[Statement, ...]
    pointer: str
    source: object  # the document as written, for the editor and the trace
    variables: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        # Policy variables exist only under Version 2012-10-17 (R5.1).
        object.__setattr__(self, "variables", variables_enabled(self.version))

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def for_action(self, action: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction covers `action` (a run memoizes this:
        match.statements_for)."""
        return tuple(
            st
            for st in self.statements
            if any(m.match(action) for m in st.action_matchers) != st.not_action
        )


def parse_policy(
    document: object,
    *,
    kind: str,
    pointer: str = "",
    name: str = "",
    owner: str = "",
) -> tuple[Policy | None, list[Problem]]:
    """Compile a policy document; return it (or None on errors) and its problems.

    `pointer` is where the document sits in its scenario, so problems point
    into the scenario. A document given as a JSON string is parsed first.
    """
    probs: list[Problem] = []
    if isinstance(document, str):
        try:
            document = parse_json(document)
        except JsonTextError as exc:
            where = f"line {exc.line}, column {exc.column}"
            msg = f"The policy is not valid JSON: {exc.message} ({where})"
            return None, [problem(exc.code, msg, pointer)]
    if not isinstance(document, dict):
        return None, [problem("policy.type", "A policy must be a JSON object.", pointer)]

    limit, strip_ws = SIZE_LIMITS.get(kind, (0, False))
    if limit:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        size = len(re.sub(r"\s", "", text)) if strip_ws else len(text.encode())
        if size > limit:
            unit = "characters (white space not counted)" if strip_ws else "bytes"
            probs.append(
                problem(
                    "policy.too_large",
                    f"This {KIND_LABELS[kind]} is {size} {unit}; AWS allows at most {limit}.",
                    pointer,
                )
            )

    for key in document:
        if key not in TOP_ELEMENTS:
            probs.append(_unknown(key, TOP_ELEMENTS, pointer_join(pointer, key), "policy"))

    version = document.get("Version")
    if version is not None and version not in VERSIONS:
        probs.append(
            problem(
                "policy.version",
                f"Version must be 2012-10-17 or 2008-10-17 (got {json.dumps(version)}).",
                pointer_join(pointer, "Version"),
            )
        )
        version = None

    raw_statements = document.get("Statement")
    st_ptr = pointer_join(pointer, "Statement")
    if raw_statements is None:
        probs.append(problem("policy.missing_element", "The policy has no Statement.", pointer))
        raw_list: list[tuple[object, str]] = []
    elif isinstance(raw_statements, dict):
        raw_list = [(raw_statements, st_ptr)]
    elif isinstance(raw_statements, list):
        raw_list = [(s, pointer_join(st_ptr, i)) for i, s in enumerate(raw_statements)]
        if not raw_list:
            probs.append(problem("policy.empty_statement", "Statement is an empty list.", st_ptr))
    else:
        probs.append(problem("policy.type", "Statement must be an object or a list.", st_ptr))
        raw_list = []

    statements: list[Statement] = []
    sids: set[str] = set()
    for index, (raw, ptr) in enumerate(raw_list):
        stmt = _statement(raw, index, ptr, kind, version, probs)
        if stmt is None:
            continue
        if stmt.sid is not None:
            if stmt.sid in sids:
                probs.append(
                    problem("policy.duplicate_sid", f"Sid '{stmt.sid}' is used twice.", ptr)
                )
            sids.add(stmt.sid)
        statements.append(stmt)

    if any(p.is_error for p in probs):
        return None, probs
    policy = Policy(kind, name, owner, version, tuple(statements), pointer, document)
    return policy, probs


def _unknown(key: str, known: tuple[str, ...], ptr: str, where: str) -> Problem:
    close = [k for k in known if k.lower() == key.lower()]
    hint = f" Did you mean {close[0]}?" if close else f" Known elements: {', '.join(known)}."
    return problem("policy.unknown_element", f"Unknown {where} element '{key}'.{hint}", ptr)


def _strings(value: object, ptr: str, what: str, probs: list[Problem]) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if not value:
            probs.append(problem("policy.type", f"{what} must not be an empty list.", ptr))
            return None
        return tuple(value)
    probs.append(problem("policy.type", f"{what} must be a string or a list of strings.", ptr))
    return None


def _statement(
    raw: object, index: int, ptr: str, kind: str, version: str | None, probs: list[Problem]
) -> Statement | None:
    if not isinstance(raw, dict):
        probs.append(problem("policy.type", "A statement must be a JSON object.", ptr))
        return None
    before = len(probs)
    for key in raw:
        if key not in STATEMENT_ELEMENTS:
            probs.append(_unknown(key, STATEMENT_ELEMENTS, pointer_join(ptr, key), "statement"))

    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        probs.append(problem("policy.type", "Sid must be a string.", pointer_join(ptr, "Sid")))
        sid = None

    effect = raw.get("Effect")
    if effect is None:
        probs.append(problem("policy.missing_element", "The statement has no Effect.", ptr))
    elif effect not in ("Allow", "Deny"):
        probs.append(
            problem(
                "policy.effect",
                f'Effect must be "Allow" or "Deny" (got {json.dumps(effect)}).',
                pointer_join(ptr, "Effect"),
            )
        )

    principal, not_principal = _principals(raw, ptr, kind, effect, probs)
    actions, not_action = _pair(raw, "Action", "NotAction", ptr, kind, probs)
    resources, not_resource = _pair(raw, "Resource", "NotResource", ptr, kind, probs)
    for a_index, action in enumerate(actions or ()):
        if action != "*" and not _ACTION.match(action):
            where = "NotAction" if not_action else "Action"
            a_ptr = pointer_join(ptr, where, a_index) if len(actions or ()) > 1 else None
            if _COMMA_ACTION.match(action):
                # IAM stores it: an invalid action grants nothing and matches nothing
                # (Access Analyzer's "Invalid action" check; R5.3).
                listed = ", ".join(f'"{p.strip()}"' for p in action.split(","))
                probs.append(
                    problem(
                        "policy.action_matches_nothing",
                        f"'{action}' is one action string, not a list: no action has that "
                        f"name, so it matches nothing. Write a JSON array: [{listed}].",
                        a_ptr or pointer_join(ptr, where),
                    )
                )
                continue
            probs.append(
                problem(
                    "policy.action_form",
                    f"'{action}' is not an action: write service:Action, e.g. kms:Decrypt.",
                    a_ptr or pointer_join(ptr, where),
                )
            )
    if kind == "rcp":
        _rcp_rules(raw, ptr, effect, actions, probs)
    for r in resources or ():
        if r != "*" and not r.startswith("arn:"):
            where = "NotResource" if not_resource else "Resource"
            probs.append(
                problem(
                    "policy.resource_form",
                    f"'{r}' is not a resource: write an ARN (arn:aws:...) or \"*\".",
                    pointer_join(ptr, where),
                )
            )

    clauses: tuple[Clause, ...] = ()
    if "Condition" in raw:
        clauses, cprobs = compile_conditions(
            raw["Condition"], pointer_join(ptr, "Condition"), version=version
        )
        probs.extend(cprobs)

    if len(probs) > before and any(p.is_error for p in probs[before:]):
        return None
    if actions is None and kind in ("key", "bucket", "trust"):
        probs.append(
            problem("policy.no_effect", "Without Action the statement never applies (R2.8).", ptr)
        )
    matchers = tuple(compile_glob(a, ignore_case=True) for a in actions or ())
    return Statement(
        index=index,
        sid=sid,
        effect="Allow" if effect == "Allow" else "Deny",  # checked above
        principal=principal,
        not_principal=not_principal,
        actions=actions or (),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        conditions=clauses,
        pointer=ptr,
        action_matchers=matchers,
        resource_vars=variables_enabled(version) and any(has_variables(r) for r in resources or ()),
    )


def _pair(
    raw: dict, name: str, not_name: str, ptr: str, kind: str, probs: list[Problem]
) -> tuple[tuple[str, ...] | None, bool]:
    if name in raw and not_name in raw:
        probs.append(
            problem(
                "policy.conflicting_elements",
                f"A statement may have {name} or {not_name}, not both.",
                pointer_join(ptr, not_name),
            )
        )
        return None, False
    if not_name in raw:
        return _strings(raw[not_name], pointer_join(ptr, not_name), not_name, probs), True
    if name in raw:
        return _strings(raw[name], pointer_join(ptr, name), name, probs), False
    optional_resource = name == "Resource" and kind in ("trust", "scp", "rcp", "endpoint", "key")
    if name == "Action" and kind == "key":
        return None, False  # accepted by KMS but has no effect (R2.8)
    if not optional_resource:
        probs.append(
            problem("policy.missing_element", f"The statement needs {name} or {not_name}.", ptr)
        )
    if name == "Resource" and kind == "key":
        probs.append(
            problem("policy.no_effect", "Without Resource the statement never applies (R2.8).", ptr)
        )
        return (), False
    return None, False


def _principals(
    raw: dict, ptr: str, kind: str, effect: object, probs: list[Problem]
) -> tuple[PrincipalSpec | None, PrincipalSpec | None]:
    has_p, has_np = "Principal" in raw, "NotPrincipal" in raw
    label = KIND_LABELS.get(kind, kind)
    if kind in ("identity", "boundary", "session", "scp") and (has_p or has_np):
        which = "Principal" if has_p else "NotPrincipal"
        code = "policy.scp_principal" if kind == "scp" else "policy.principal_in_identity_policy"
        probs.append(
            problem(
                code,
                f"An {label} applies to whoever it is attached to, so it takes no {which}; "
                f"remove it, or put the statement in a resource policy.",
                pointer_join(ptr, which),
            )
        )
        return None, None
    if kind not in RESOURCE_KINDS:
        return None, None
    if has_p and has_np:
        probs.append(
            problem(
                "policy.conflicting_elements",
                "A statement may have Principal or NotPrincipal, not both.",
                pointer_join(ptr, "NotPrincipal"),
            )
        )
        return None, None
    if not has_p and not has_np:
        if kind == "endpoint":  # endpoint policies default to everyone
            return PrincipalSpec(
                True, frozenset(), frozenset(), frozenset(), frozenset(), ptr
            ), None
        probs.append(
            problem(
                "policy.principal_required",
                f"Each statement of a {label} must name a Principal (who it is about).",
                ptr,
            )
        )
        return None, None
    if has_np:
        np_ptr = pointer_join(ptr, "NotPrincipal")
        if kind in ("trust", "rcp"):
            probs.append(
                problem(
                    "policy.rcp_not_supported" if kind == "rcp" else "policy.principal_form",
                    f"NotPrincipal is not supported in a {label} (R5.7).",
                    np_ptr,
                )
            )
            return None, None
        if effect == "Allow":
            probs.append(
                problem(
                    "policy.not_principal_allow",
                    "AWS supports NotPrincipal only with Deny (R5.7); this Allow is risky.",
                    np_ptr,
                )
            )
        return None, _principal_spec(raw["NotPrincipal"], np_ptr, probs)
    p_ptr = pointer_join(ptr, "Principal")
    spec = _principal_spec(raw["Principal"], p_ptr, probs)
    if spec is not None and kind == "rcp" and not spec.any:
        probs.append(
            problem("policy.rcp_principal", 'An RCP\'s Principal must be "*" (R1.9).', p_ptr)
        )
    if spec is not None and kind == "trust" and spec.any:
        probs.append(
            problem(
                "policy.trust_wildcard",
                'This trust policy lets anyone assume the role ("*"); AWS accepts it but '
                "strongly discourages it (R7.9).",
                p_ptr,
            )
        )
    return spec, None


def _principal_spec(value: object, ptr: str, probs: list[Problem]) -> PrincipalSpec | None:
    if value == "*":
        return PrincipalSpec(True, frozenset(), frozenset(), frozenset(), frozenset(), ptr)
    if not isinstance(value, dict) or not value:
        probs.append(
            problem(
                "policy.principal_form",
                'Principal must be "*" or an object such as '
                '{"AWS": "arn:aws:iam::111122223333:root"}.',
                ptr,
            )
        )
        return None
    found: dict[str, set[str]] = {t: set() for t in PRINCIPAL_TYPES}
    any_ = False
    for ptype, raw in value.items():
        t_ptr = pointer_join(ptr, ptype)
        if ptype not in PRINCIPAL_TYPES:
            probs.append(_unknown(ptype, PRINCIPAL_TYPES, t_ptr, "principal type"))
            continue
        items = _strings(raw, t_ptr, f"Principal {ptype}", probs)
        for i, item in enumerate(items or ()):
            i_ptr = pointer_join(t_ptr, i) if isinstance(raw, list) else t_ptr
            if ptype == "AWS":
                norm = _aws_principal(item, i_ptr, probs)
                if norm == "*":
                    any_ = True
                elif norm:
                    found["AWS"].add(norm)
            else:
                if "*" in item and item != "*":
                    probs.append(
                        problem(
                            "policy.principal_wildcard",
                            f"'{item}': wildcards are not allowed inside a principal (R2.10).",
                            i_ptr,
                        )
                    )
                    continue
                found[ptype].add(item.lower() if ptype == "Service" else item)
    return PrincipalSpec(
        any_,
        frozenset(found["AWS"]),
        frozenset(found["Service"]),
        frozenset(found["Federated"]),
        frozenset(found["CanonicalUser"]),
        ptr,
    )


def _aws_principal(item: str, ptr: str, probs: list[Problem]) -> str | None:
    if item == "*":
        return "*"
    if _ACCOUNT_ID.match(item):
        return f"arn:aws:iam::{item}:root"  # an account id means the account (R1.19)
    if "*" in item or "?" in item:
        probs.append(
            problem(
                "policy.principal_wildcard",
                f"'{item}': partial wildcards are not allowed in a principal; use \"*\" with "
                "an aws:PrincipalArn condition instead (R2.10).",
                ptr,
            )
        )
        return None
    if not _AWS_PRINCIPAL.match(item):
        probs.append(
            problem(
                "policy.principal_form",
                f"'{item}' is not an AWS principal: use an account id, or the ARN of the "
                "account root, a user, a role or an assumed-role session.",
                ptr,
            )
        )
        return None
    return item


def _rcp_rules(
    raw: dict, ptr: str, effect: object, actions: tuple[str, ...] | None, probs: list[Problem]
) -> None:
    if effect == "Allow":
        probs.append(
            problem(
                "policy.rcp_allow",
                "Custom RCPs may only use Deny; RCPFullAWSAccess already allows (R1.9).",
                pointer_join(ptr, "Effect"),
            )
        )
    if "NotAction" in raw:
        probs.append(
            problem(
                "policy.rcp_not_supported",
                "NotAction is not supported in an RCP (R1.9).",
                pointer_join(ptr, "NotAction"),
            )
        )
    if actions and "*" in actions:
        probs.append(
            problem(
                "policy.rcp_not_supported",
                'An RCP cannot use a bare "*" action; name the service, e.g. "kms:*" (R1.9).',
                pointer_join(ptr, "Action"),
            )
        )
