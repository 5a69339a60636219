"""The typed model of a scenario document (format 1) and its loader.

The contract is /shared/spec/scenario-format.md. The loader never raises on
bad input: it collects every problem it can find in one pass, each at its JSON
pointer (and line and column when it was given text), so a user fixes a whole
document at once instead of one error per round trip. A scenario is returned
only when there is no error; warnings (unknown fields, duplicate keys) ride
along.

Policy documents are carried raw (an object, or the JSON string it was given
as) and compiled later by the policy module; here they are only checked to be
an object or a string holding valid JSON.

The model is frozen. Mappings in it are plain dicts for easy interop (JSON
dumps, copying) and are typed `Mapping` because nothing may change them.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar, cast

from evaluator.core.jsonpos import JsonTextError, decode_text, parse_json, positions_and_duplicates
from evaluator.core.problems import Problem, locate, pointer_join, problem

__all__ = [
    "Account",
    "AssumeStep",
    "Attempt",
    "Bucket",
    "Encryption",
    "Grant",
    "GrantConstraints",
    "GrantRequest",
    "Group",
    "Key",
    "LoadResult",
    "NamedPolicy",
    "OrgPolicy",
    "OrgUnit",
    "Organization",
    "Principal",
    "Replication",
    "ReplicationRule",
    "S3Object",
    "Scenario",
    "VpcEndpoint",
    "load_scenario",
]

# ----------------------------------------------------------------------------- vocabulary

FORMAT = 1
DEFAULT_REGION = "us-east-1"
DEFAULT_ROOT = "r-root"

PrincipalType = Literal["user", "role"]
KeyState = Literal["Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable"]
KeyManager = Literal["CUSTOMER", "AWS"]
KeyOrigin = Literal["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"]
Algorithm = Literal["AES256", "aws:kms"]
EndpointService = Literal["kms", "s3"]
ConstraintKind = Literal["subset", "equals"]

PRINCIPAL_TYPES: tuple[str, ...] = ("user", "role")
KEY_STATES: tuple[str, ...] = (
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingImport",
    "Unavailable",
)
KEY_MANAGERS: tuple[str, ...] = ("CUSTOMER", "AWS")
KEY_ORIGINS: tuple[str, ...] = ("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
ALGORITHMS: tuple[str, ...] = ("AES256", "aws:kms")
ENDPOINT_SERVICES: tuple[str, ...] = ("kms", "s3")
AUTHORIZATIONS: tuple[str, ...] = ("allow", "deny", "implicit_deny", "explicit_deny")
OUTCOMES: tuple[str, ...] = (
    "Success",
    "AccessDeniedException",
    "AccessDenied",
    "DisabledException",
    "KMSInvalidStateException",
    "NotFoundException",
    "InvalidCiphertextException",
    "IncorrectKeyException",
    "InvalidKeyUsageException",
    "MalformedPolicyDocumentException",
    "InvalidGrantTokenException",
    "ValidationException",
    # Not in the contract's list, but what KMS returns for a key policy over 32 KB (R2.8).
    "LimitExceededException",
)
EXPECTATIONS: tuple[str, ...] = AUTHORIZATIONS + OUTCOMES
# The operations a KMS grant can allow (the GrantOperation values of the KMS API).
GRANT_OPERATIONS: tuple[str, ...] = (
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
)

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_KNOWN_SETS: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}


def _known_set(known: tuple[str, ...]) -> frozenset[str]:
    """The field names as a set, built once per (constant) tuple of names."""
    found = _KNOWN_SETS.get(id(known))
    if found is None or found[0] is not known:
        found = _KNOWN_SETS[id(known)] = (known, frozenset(known))
    return found[1]


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
_IAM_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_IAM_PATH = re.compile(r"/(?:[\x21-\x7e]*/)?")
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9]+")
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com")
_IAM_ARN = re.compile(r"arn:aws:iam::([0-9]{12}):(user|role)(/.*)")
_ROOT_ARN = re.compile(r"arn:aws:iam::([0-9]{12}):root")
_SESSION_ARN = re.compile(r"arn:aws:sts::([0-9]{12}):assumed-role/([^/]+)/(.+)")
_ROLE_ARN = re.compile(r"arn:aws:iam::[0-9]{12}:role/(?:.*/)?[^/]+")
_S3_BUCKET_ARN = "arn:aws:s3:::"

# ----------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class NamedPolicy:
    """A policy as written: `document` is the raw JSON value (object, or JSON string).

    `pointer` is where that value sits, so the policy compiler's problems can
    be placed with `Problem.at(pointer)`.
    """

    name: str
    document: object
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str | None = None
    in_organization: bool = False
    parent: str | None = None  # unit or root id; None outside the organization
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class OrgUnit:
    id: str
    name: str | None
    parent: str
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    """An SCP or RCP and the root, unit and account ids it is attached to.

    `document` is the raw policy value; `pointer` is the entry's. Use `policy`
    to compile it, so the compiler's problems point inside the document.
    """

    name: str
    targets: tuple[str, ...]
    document: object
    pointer: str = ""

    @property
    def policy(self) -> NamedPolicy:
        return NamedPolicy(self.name, self.document, pointer_join(self.pointer, "policy"))


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    root: str = DEFAULT_ROOT
    management_account: str | None = None
    units: tuple[OrgUnit, ...] = ()
    scps: tuple[OrgPolicy, ...] = ()
    rcps: tuple[OrgPolicy, ...] = ()
    pointer: str = ""

    def unit(self, unit_id: str) -> OrgUnit | None:
        return next((u for u in self.units if u.id == unit_id), None)


@dataclass(frozen=True, slots=True)
class Principal:
    """An IAM user or role."""

    type: PrincipalType
    account: str
    name: str
    path: str = "/"
    policies: tuple[NamedPolicy, ...] = ()
    permissions_boundary: NamedPolicy | None = None
    trust_policy: NamedPolicy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] = ()
    pointer: str = ""

    @property
    def arn(self) -> str:
        # The path sits between the type and the name: role/a/b/NAME for path /a/b/.
        return f"arn:aws:iam::{self.account}:{self.type}{self.path}{self.name}"

    @property
    def is_service_linked(self) -> bool:
        return self.type == "role" and self.path.startswith("/aws-service-role/")

    def session_arn(self, session_name: str) -> str:
        """The ARN of a session of this role (AWS leaves the role's path out)."""
        return f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{session_name}"


@dataclass(frozen=True, slots=True)
class Group:
    account: str
    name: str
    policies: tuple[NamedPolicy, ...] = ()
    pointer: str = ""

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:group/{self.name}"


@dataclass(frozen=True, slots=True)
class GrantConstraints:
    kind: ConstraintKind  # subset: encryption_context_subset; equals: ..._equals
    context: Mapping[str, str]
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Grant:
    id: str
    grantee: str
    retiring: str | None = None
    operations: tuple[str, ...] = ()
    constraints: GrantConstraints | None = None
    name: str | None = None
    propagated: bool = True
    pointer: str = ""

    @property
    def token(self) -> str:
        return "token-" + self.id


@dataclass(frozen=True, slots=True)
class Key:
    id: str
    account: str
    region: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    state: KeyState = "Enabled"
    manager: KeyManager = "CUSTOMER"
    spec: str = "SYMMETRIC_DEFAULT"
    usage: str = "ENCRYPT_DECRYPT"
    origin: KeyOrigin = "AWS_KMS"
    policy: NamedPolicy = field(default_factory=lambda: NamedPolicy("key policy", {}))
    grants: tuple[Grant, ...] = ()
    pointer: str = ""

    @property
    def arn(self) -> str:
        return f"arn:aws:kms:{self.region}:{self.account}:key/{self.id}"

    @property
    def alias_arns(self) -> tuple[str, ...]:
        return tuple(f"arn:aws:kms:{self.region}:{self.account}:{a}" for a in self.aliases)

    @property
    def is_multi_region(self) -> bool:
        return self.id.startswith("mrk-")


@dataclass(frozen=True, slots=True)
class Encryption:
    algorithm: Algorithm
    key: str | None = None  # for aws:kms; None means the AWS managed key aws/s3
    bucket_key: bool = False
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class S3Object:
    key: str
    encryption: Encryption | None = None  # None: the bucket's default applies
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class ReplicationRule:
    destination_bucket: str  # a bucket name (an ARN given in the document is reduced to it)
    replica_kms_key: str | None = None
    sse_kms_encrypted_objects: bool = False
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Replication:
    role: str
    rules: tuple[ReplicationRule, ...] = ()
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    account: str
    policy: NamedPolicy | None = None
    default_encryption: Encryption | None = None
    objects: tuple[S3Object, ...] = ()
    replication: Replication | None = None
    pointer: str = ""

    @property
    def arn(self) -> str:
        return _S3_BUCKET_ARN + self.name

    def find_object(self, key: str) -> S3Object | None:
        return next((o for o in self.objects if o.key == key), None)


@dataclass(frozen=True, slots=True)
class VpcEndpoint:
    id: str
    account: str
    service: EndpointService
    policy: NamedPolicy | None = None  # None: the default full-access policy
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class AssumeStep:
    role: str
    external_id: str | None = None
    session_name: str | None = None
    session_policy: NamedPolicy | None = None
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class GrantRequest:
    grantee: str
    operations: tuple[str, ...]
    constraints: GrantConstraints | None = None
    retiring: str | None = None
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Attempt:
    id: str
    title: str | None = None
    principal: str = ""
    assume: tuple[AssumeStep, ...] = ()
    action: str = ""
    resource: str | None = None
    destination: str | None = None
    via_service: str | None = None
    encryption_context: Mapping[str, str] | None = None
    plaintext: str | None = None
    ciphertext: str | None = None  # a base64 blob given in the document
    ciphertext_from: str | None = None  # or the id of an earlier attempt that made one
    grant: GrantRequest | None = None
    grant_id: str | None = None
    grant_tokens: tuple[str, ...] = ()
    policy: NamedPolicy | None = None
    bypass_policy_lockout_safety_check: bool = False
    context: Mapping[str, object] = field(default_factory=dict)
    expect: str | None = None
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class _Index:
    """Lookup tables, built once per scenario (first entry wins on a clash)."""

    accounts: dict[str, Account]
    principals: dict[str, Principal]
    roles_by_name: dict[tuple[str, str], Principal]
    keys: dict[tuple[str, str, str], Key]
    key_arns: dict[str, Key]
    aliases: dict[tuple[str, str, str], Key]
    buckets: dict[str, Bucket]
    groups: dict[tuple[str, str], Group]
    endpoints: dict[str, VpcEndpoint]
    attempts: dict[str, Attempt]


_K = TypeVar("_K")
_V = TypeVar("_V")


def _first_wins(pairs: list[tuple[_K, _V]]) -> dict[_K, _V]:
    out: dict[_K, _V] = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


@dataclass(frozen=True, slots=True)
class Scenario:
    format: int = FORMAT
    title: str | None = None
    description: str | None = None
    region: str = DEFAULT_REGION
    organization: Organization | None = None
    accounts: tuple[Account, ...] = ()
    principals: tuple[Principal, ...] = ()
    keys: tuple[Key, ...] = ()
    groups: tuple[Group, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    vpc_endpoints: tuple[VpcEndpoint, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    layout: Mapping[str, object] = field(default_factory=dict)
    raw: Mapping[str, object] = field(default_factory=dict)  # as parsed, unknown fields kept
    pointer: str = ""
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = _Index(
            accounts=_first_wins([(a.id, a) for a in self.accounts]),
            principals=_first_wins([(p.arn, p) for p in self.principals]),
            roles_by_name=_first_wins(
                [((p.account, p.name), p) for p in self.principals if p.type == "role"]
            ),
            keys=_first_wins([((k.account, k.region, k.id), k) for k in self.keys]),
            key_arns=_first_wins([(k.arn, k) for k in self.keys]),
            aliases=_first_wins(
                [((k.account, k.region, a), k) for k in self.keys for a in k.aliases]
            ),
            buckets=_first_wins([(b.name, b) for b in self.buckets]),
            groups=_first_wins([((g.account, g.name), g) for g in self.groups]),
            endpoints=_first_wins([(e.id, e) for e in self.vpc_endpoints]),
            attempts=_first_wins([(a.id, a) for a in self.attempts]),
        )
        object.__setattr__(self, "_index", index)  # frozen: set once, here

    def account(self, account_id: str) -> Account | None:
        return self._index.accounts.get(account_id)

    def principal_by_arn(self, arn: str) -> Principal | None:
        """The user or role whose ARN (path included) is `arn`."""
        return self._index.principals.get(arn)

    def role_by_arn(self, arn: str) -> Principal | None:
        found = self._index.principals.get(arn)
        return found if found is not None and found.type == "role" else None

    def role_named(self, account: str, name: str) -> Principal | None:
        """The role called `name` in `account` (as a session ARN names it, without path)."""
        return self._index.roles_by_name.get((account, name))

    def key_by_id(self, account: str, region: str, key_id: str) -> Key | None:
        return self._index.keys.get((account, region, key_id))

    def key_by_arn(self, arn: str) -> Key | None:
        return self._index.key_arns.get(arn)

    def key_by_alias(self, account: str, region: str, alias: str) -> Key | None:
        """The key that `alias` (`alias/NAME`) points to in that account and region."""
        return self._index.aliases.get((account, region, alias))

    @property
    def keys_by_alias(self) -> Mapping[tuple[str, str, str], Key]:
        """(account, region, `alias/NAME`) -> key."""
        return self._index.aliases

    def bucket(self, name: str) -> Bucket | None:
        return self._index.buckets.get(name)

    def group(self, account: str, name: str) -> Group | None:
        return self._index.groups.get((account, name))

    def endpoint(self, endpoint_id: str) -> VpcEndpoint | None:
        return self._index.endpoints.get(endpoint_id)

    def attempt(self, attempt_id: str) -> Attempt | None:
        return self._index.attempts.get(attempt_id)

    def org_path(self, account_id: str) -> tuple[str, ...]:
        """Ids from the organization root down through units to the account itself.

        Empty when the account is not a member. This is the chain along which
        SCPs are inherited (every level must allow).
        """
        org, acct = self.organization, self.account(account_id)
        if org is None or acct is None or not acct.in_organization:
            return ()
        chain = [account_id]
        parent = acct.parent or org.root
        seen: set[str] = set()
        while parent != org.root and parent not in seen:  # `seen`: guards a bad cycle
            seen.add(parent)
            chain.append(parent)
            unit = org.unit(parent)
            if unit is None:
                break
            parent = unit.parent
        chain.append(org.root)
        return tuple(reversed(chain))


@dataclass(frozen=True, slots=True)
class LoadResult:
    scenario: Scenario | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


# ----------------------------------------------------------------------------- loading


def load_scenario(source: str | bytes | Mapping[str, object]) -> LoadResult:
    """Read a scenario from JSON text (str or bytes) or an already parsed mapping.

    Never raises on bad input; see LoadResult.problems. Text input gives every
    problem a line and column.
    """
    text: str | None = None
    duplicates: list[str] = []
    if isinstance(source, Mapping):
        # A private deep copy: the caller's object may change after loading.
        try:
            doc: object = copy.deepcopy(dict(source))
        except RecursionError:
            msg = "The document is nested too deeply to be a scenario."
            return LoadResult(None, (problem("json.syntax", msg, ""),))
    else:
        try:
            text = decode_text(source)
            doc = parse_json(text, duplicates=duplicates)
        except JsonTextError as exc:
            return LoadResult(None, (exc.problem,))

    loader = _Loader()
    scenario = loader.scenario(doc)
    found = loader.problems
    if text is not None and (found or duplicates):
        where, dups = positions_and_duplicates(text)
        found = locate(found, where) + dups
        # In document order, as an editor lists them; stable for equal places.
        found.sort(key=lambda p: (p.line or 0, p.column or 0))
    has_errors = any(p.is_error for p in found)
    return LoadResult(None if has_errors else scenario, tuple(found))


def _got(value: object) -> str:
    """A short description of a JSON value for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + '..."'


_TYPE_NAMES = {
    str: "a string",
    bool: "true or false",
    dict: "an object",
    list: "an array",
}


def _one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices)


class _Loader:
    """One pass over a parsed document, collecting problems as it builds the model.

    Invalid parts are replaced by placeholders so the pass can go on and find
    more problems; a scenario built with any error is thrown away.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.region = DEFAULT_REGION
        self.account_ids: set[str] = set()

    # -- reporting

    def add(self, code: str, pointer: str, message: str) -> None:
        self.problems.append(problem(code, message, pointer))

    def wrong_type(self, pointer: str, expected: str, value: object) -> None:
        self.add("scenario.type", pointer, f"must be {expected} (got {_got(value)})")

    # -- generic readers

    def obj(
        self, value: object, pointer: str, known: tuple[str, ...], what: str = "an object"
    ) -> dict[str, object] | None:
        """`value` as an object, warning about each member not in `known`."""
        if not isinstance(value, dict):
            self.wrong_type(pointer, what, value)
            return None
        known_set = _known_set(known)
        for name in value:
            if name not in known_set:
                hint = difflib.get_close_matches(name, known, n=1)
                extra = f' (did you mean "{hint[0]}"?)' if hint else ""
                self.add(
                    "scenario.unknown_field",
                    pointer_join(pointer, name),
                    f'unknown field "{name}" is kept but not used{extra}',
                )
        return value

    def present(self, o: dict[str, object], name: str, pointer: str) -> bool:
        if name in o:
            return True
        self.add(
            "scenario.required", pointer_join(pointer, name), f'required field "{name}" is missing'
        )
        return False

    def typed(
        self, o: dict[str, object], name: str, pointer: str, kind: type, *, required: bool
    ) -> object | None:
        """The member `name` if it has the JSON type `kind`; None (reported) otherwise."""
        if name not in o:
            if required:
                self.present(o, name, pointer)
            return None
        value = o[name]
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if not ok:
            self.wrong_type(pointer_join(pointer, name), _TYPE_NAMES[kind], value)
            return None
        return value

    def string(
        self, o: dict[str, object], name: str, pointer: str, *, required: bool = False
    ) -> str | None:
        value = self.typed(o, name, pointer, str, required=required)
        if value is None:
            return None
        assert isinstance(value, str)
        if required and not value.strip():
            self.add("scenario.value", pointer_join(pointer, name), "must not be empty")
        return value

    def boolean(self, o: dict[str, object], name: str, pointer: str, default: bool) -> bool:
        value = self.typed(o, name, pointer, bool, required=False)
        return value if isinstance(value, bool) else default

    def choice(
        self,
        o: dict[str, object],
        name: str,
        pointer: str,
        choices: tuple[str, ...],
        default: str | None,
    ) -> str:
        value = self.typed(o, name, pointer, str, required=default is None)
        if not isinstance(value, str):
            return default or choices[0]
        if value not in choices:
            self.add(
                "scenario.value",
                pointer_join(pointer, name),
                f"must be one of {_one_of(choices)} (got {_got(value)})",
            )
            return default or choices[0]
        return value

    def array(
        self, o: dict[str, object], name: str, pointer: str, *, required: bool = False
    ) -> list[tuple[object, str]]:
        """The items of an array member with their pointers ([] when absent or wrong)."""
        value = self.typed(o, name, pointer, list, required=required)
        if not isinstance(value, list):
            return []
        base = pointer_join(pointer, name)
        return [(item, f"{base}/{i}") for i, item in enumerate(value)]  # indexes need no escape

    def strings(
        self, o: dict[str, object], name: str, pointer: str, *, required: bool = False
    ) -> tuple[str, ...]:
        out = []
        for item, ptr in self.array(o, name, pointer, required=required):
            if isinstance(item, str):
                out.append(item)
            else:
                self.wrong_type(ptr, "a string", item)
        return tuple(out)

    def string_map(self, o: dict[str, object], name: str, pointer: str) -> dict[str, str] | None:
        value = self.typed(o, name, pointer, dict, required=False)
        if not isinstance(value, dict):
            return None
        base = pointer_join(pointer, name)
        out: dict[str, str] = {}
        for k, v in value.items():
            if isinstance(v, str):
                out[k] = v
            else:
                self.wrong_type(pointer_join(base, k), "a string", v)
        return out

    def policy(
        self, o: dict[str, object], name: str, pointer: str, label: str, *, required: bool = False
    ) -> NamedPolicy | None:
        """A policy document: an object, or a string holding one as JSON."""
        if name not in o:
            if required:
                self.present(o, name, pointer)
            return None
        ptr = pointer_join(pointer, name)
        value = o[name]
        if isinstance(value, str):
            try:
                parsed = parse_json(value)
            except JsonTextError as exc:
                self.add(
                    "json.syntax",
                    ptr,
                    f"the policy string is not valid JSON: {exc.message} "
                    f"(line {exc.line}, column {exc.column} of the string)",
                )
            else:
                if not isinstance(parsed, dict):
                    self.add(
                        "scenario.type",
                        ptr,
                        f"a policy string must hold a JSON object (it holds {_got(parsed)})",
                    )
        elif not isinstance(value, dict):
            self.wrong_type(ptr, "a policy (an object, or a JSON string)", value)
        return NamedPolicy(label, value, ptr)

    def named_policies(
        self, o: dict[str, object], name: str, pointer: str
    ) -> tuple[NamedPolicy, ...]:
        out = []
        for item, ptr in self.array(o, name, pointer):
            entry = self.obj(item, ptr, ("name", "policy"))
            if entry is None:
                continue
            label = self.string(entry, "name", ptr, required=True) or ""
            named = self.policy(entry, "policy", ptr, label, required=True)
            if named is not None:
                out.append(named)
        return tuple(out)

    def account_ref(self, o: dict[str, object], name: str, pointer: str) -> str:
        """A required account id that must be one of the scenario's accounts."""
        value = self.string(o, name, pointer, required=True)
        if value is None:
            return ""
        ptr = pointer_join(pointer, name)
        if not _ACCOUNT_ID.fullmatch(value):
            self.add("scenario.value", ptr, f"must be a 12-digit account id (got {_got(value)})")
        elif value not in self.account_ids:
            self.add("scenario.reference", ptr, f'no account "{value}" in accounts')
        return value

    # -- the document

    def scenario(self, doc: object) -> Scenario | None:
        top = self.obj(
            doc,
            "",
            (
                "format",
                "title",
                "description",
                "region",
                "organization",
                "accounts",
                "principals",
                "keys",
                "groups",
                "buckets",
                "vpc_endpoints",
                "attempts",
                "layout",
                "summary",  # project field: the gallery's one line
            ),
            "a scenario (a JSON object)",
        )
        if top is None:
            return None
        if not self.format(top):
            return None
        title = self.string(top, "title", "")
        description = self.string(top, "description", "")
        region = self.string(top, "region", "")
        if region is not None and not _REGION.fullmatch(region):
            self.add(
                "scenario.value",
                "/region",
                f"must be a region such as us-east-1 (got {_got(region)})",
            )
        self.region = region or DEFAULT_REGION

        org = top.get("organization")
        has_org = isinstance(org, dict)
        root = org.get("root") if isinstance(org, dict) else None
        accounts = self.accounts(top, has_org, root if isinstance(root, str) else DEFAULT_ROOT)
        organization = None
        if "organization" in top:
            organization = self.organization(top["organization"], accounts)
        groups = self.groups(top)
        principals = self.principals(top, groups)
        keys = self.keys(top)
        buckets = self.buckets(top)
        endpoints = self.endpoints(top)
        layout = self.typed(top, "layout", "", dict, required=False)

        partial = Scenario(
            format=FORMAT,
            title=title,
            description=description,
            region=self.region,
            organization=organization,
            accounts=accounts,
            principals=principals,
            keys=keys,
            groups=groups,
            buckets=buckets,
            vpc_endpoints=endpoints,
            raw=top,
        )
        attempts = self.attempts(top, partial)
        return Scenario(
            format=FORMAT,
            title=title,
            description=description,
            region=self.region,
            organization=organization,
            accounts=accounts,
            principals=principals,
            keys=keys,
            groups=groups,
            buckets=buckets,
            vpc_endpoints=endpoints,
            attempts=attempts,
            layout=cast(dict[str, object], layout) if layout is not None else {},
            raw=top,
        )

    def format(self, top: dict[str, object]) -> bool:
        """Check `format`; False when the document is of another version (stop there)."""
        if "format" not in top:
            self.present(top, "format", "")
            return True  # probably a format-1 document that forgot to say so
        value = top["format"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.wrong_type("/format", "the number 1", value)
            return True
        if value != FORMAT:
            self.add(
                "scenario.format",
                "/format",
                f"this version of the playground reads format 1 documents (got {_got(value)})",
            )
            return False
        return True

    def accounts(self, top: dict[str, object], has_org: bool, root: str) -> tuple[Account, ...]:
        items = self.array(top, "accounts", "", required=True)
        if "accounts" in top and isinstance(top["accounts"], list) and not items:
            self.add("scenario.value", "/accounts", "must list at least one account")
        out = []
        for item, ptr in items:
            o = self.obj(item, ptr, ("id", "name", "in_organization", "parent"))
            if o is None:
                continue
            account_id = self.string(o, "id", ptr, required=True) or ""
            if account_id and not _ACCOUNT_ID.fullmatch(account_id):
                self.add(
                    "scenario.value",
                    pointer_join(ptr, "id"),
                    f"must be a 12-digit account id (got {_got(account_id)})",
                )
            elif account_id in self.account_ids:
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "id"),
                    f'account "{account_id}" is listed twice',
                )
            self.account_ids.add(account_id)
            member = self.boolean(o, "in_organization", ptr, has_org)
            if member and "in_organization" in o and not has_org:
                self.add(
                    "scenario.value",
                    pointer_join(ptr, "in_organization"),
                    "the scenario has no organization to be in",
                )
            parent = self.string(o, "parent", ptr)
            if parent is not None and not member:
                self.add(
                    "scenario.value",
                    pointer_join(ptr, "parent"),
                    "only an account in the organization has a parent",
                )
                parent = None
            elif member and parent is None:
                parent = root
            out.append(Account(account_id, self.string(o, "name", ptr), member, parent, ptr))
        return tuple(out)

    def organization(self, value: object, accounts: tuple[Account, ...]) -> Organization | None:
        ptr = "/organization"
        o = self.obj(value, ptr, ("id", "root", "management_account", "units", "scps", "rcps"))
        if o is None:
            return None
        org_id = self.string(o, "id", ptr, required=True) or ""
        root = self.string(o, "root", ptr) or DEFAULT_ROOT
        management = None
        if "management_account" in o:
            management = self.account_ref(o, "management_account", ptr)

        units: list[OrgUnit] = []
        unit_ids: set[str] = set()
        for item, uptr in self.array(o, "units", ptr):
            u = self.obj(item, uptr, ("id", "name", "parent"))
            if u is None:
                continue
            unit_id = self.string(u, "id", uptr, required=True) or ""
            if unit_id in unit_ids or unit_id == root:
                self.add(
                    "scenario.duplicate", pointer_join(uptr, "id"), f'id "{unit_id}" is used twice'
                )
            unit_ids.add(unit_id)
            parent = self.string(u, "parent", uptr, required=True) or root
            units.append(OrgUnit(unit_id, self.string(u, "name", uptr), parent, uptr))
        containers = unit_ids | {root}
        for unit in units:
            if unit.parent not in containers:
                self.add(
                    "scenario.reference",
                    pointer_join(unit.pointer, "parent"),
                    f'no unit or root "{unit.parent}" in the organization',
                )
        self.unit_cycles(units, root)

        for account in accounts:
            if account.parent is not None and account.parent not in containers:
                self.add(
                    "scenario.reference",
                    pointer_join(account.pointer, "parent"),
                    f'no unit or root "{account.parent}" in the organization',
                )

        members = {a.id for a in accounts if a.in_organization}
        targets = containers | members
        scps = self.org_policies(o, "scps", ptr, targets, "service control policy")
        rcps = self.org_policies(o, "rcps", ptr, targets, "resource control policy")
        return Organization(org_id, root, management, tuple(units), scps, rcps, ptr)

    def unit_cycles(self, units: list[OrgUnit], root: str) -> None:
        parents = {u.id: u.parent for u in units}
        for unit in units:
            seen = [unit.id]
            parent = unit.parent
            while parent in parents and parent != root:
                if parent == unit.id:
                    loop = " -> ".join([*seen, unit.id])
                    self.add(
                        "scenario.value",
                        pointer_join(unit.pointer, "parent"),
                        f"units form a cycle and never reach the root: {loop}",
                    )
                    break
                if parent in seen:
                    break  # a cycle further up; reported at its own units
                seen.append(parent)
                parent = parents[parent]

    def org_policies(
        self, o: dict[str, object], name: str, pointer: str, targets: set[str], label: str
    ) -> tuple[OrgPolicy, ...]:
        out = []
        for item, ptr in self.array(o, name, pointer):
            p = self.obj(item, ptr, ("name", "targets", "policy"))
            if p is None:
                continue
            policy_name = self.string(p, "name", ptr, required=True) or ""
            attached = self.strings(p, "targets", ptr, required=True)
            for i, target in enumerate(attached):
                if target not in targets:
                    self.add(
                        "scenario.reference",
                        pointer_join(ptr, "targets", i),
                        f'"{target}" is not the root, a unit or a member account '
                        "of the organization",
                    )
            document = self.policy(p, "policy", ptr, policy_name or label, required=True)
            if document is not None:
                out.append(OrgPolicy(policy_name, attached, document.document, ptr))
        return tuple(out)

    def groups(self, top: dict[str, object]) -> tuple[Group, ...]:
        out = []
        seen: set[tuple[str, str]] = set()
        for item, ptr in self.array(top, "groups", ""):
            g = self.obj(item, ptr, ("account", "name", "policies"))
            if g is None:
                continue
            account = self.account_ref(g, "account", ptr)
            name = self.string(g, "name", ptr, required=True) or ""
            if name and not _IAM_NAME.fullmatch(name):
                self.bad_iam_name(pointer_join(ptr, "name"), name)
            if (account, name) in seen:
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "name"),
                    f'group "{name}" is listed twice in account {account}',
                )
            seen.add((account, name))
            out.append(Group(account, name, self.named_policies(g, "policies", ptr), ptr))
        return tuple(out)

    def bad_iam_name(self, pointer: str, name: str) -> None:
        self.add(
            "scenario.value",
            pointer,
            f"an IAM name may use only letters, digits and + = , . @ _ - (got {_got(name)})",
        )

    def principals(
        self, top: dict[str, object], groups: tuple[Group, ...]
    ) -> tuple[Principal, ...]:
        group_names = {(g.account, g.name) for g in groups}
        out = []
        seen: set[tuple[str, str, str]] = set()
        known = (
            "type",
            "account",
            "name",
            "path",
            "policies",
            "permissions_boundary",
            "trust_policy",
            "tags",
            "groups",
        )
        for item, ptr in self.array(top, "principals", ""):
            p = self.obj(item, ptr, known)
            if p is None:
                continue
            kind = self.choice(p, "type", ptr, PRINCIPAL_TYPES, None)
            account = self.account_ref(p, "account", ptr)
            name = self.string(p, "name", ptr, required=True) or ""
            if name and not _IAM_NAME.fullmatch(name):
                self.bad_iam_name(pointer_join(ptr, "name"), name)
            path = self.string(p, "path", ptr) or "/"
            if not _IAM_PATH.fullmatch(path):
                self.add(
                    "scenario.value",
                    pointer_join(ptr, "path"),
                    f"an IAM path starts and ends with / (got {_got(path)})",
                )
            if (account, kind, name) in seen:
                # IAM names are unique per account whatever the path, so this is
                # stricter than comparing ARNs and keeps session ARNs unambiguous.
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "name"),
                    f'{kind} "{name}" is listed twice in account {account}',
                )
            seen.add((account, kind, name))
            trust = self.policy(p, "trust_policy", ptr, "trust policy")
            if trust is not None and kind != "role":
                self.add("scenario.value", trust.pointer, "only a role has a trust policy")
            member_of = self.strings(p, "groups", ptr)
            if "groups" in p and kind != "user":
                self.add("scenario.value", pointer_join(ptr, "groups"), "only a user is in groups")
            elif kind == "user":
                for i, group in enumerate(member_of):
                    if (account, group) not in group_names:
                        self.add(
                            "scenario.reference",
                            pointer_join(ptr, "groups", i),
                            f'no group "{group}" in account {account} (see groups)',
                        )
            out.append(
                Principal(
                    type=cast(PrincipalType, kind),
                    account=account,
                    name=name,
                    path=path,
                    policies=self.named_policies(p, "policies", ptr),
                    permissions_boundary=self.policy(
                        p, "permissions_boundary", ptr, "permissions boundary"
                    ),
                    trust_policy=trust,
                    tags=self.string_map(p, "tags", ptr) or {},
                    groups=member_of,
                    pointer=ptr,
                )
            )
        return tuple(out)

    def keys(self, top: dict[str, object]) -> tuple[Key, ...]:
        known = (
            "id",
            "account",
            "region",
            "aliases",
            "description",
            "state",
            "manager",
            "spec",
            "usage",
            "origin",
            "policy",
            "grants",
        )
        out = []
        seen: set[tuple[str, str, str]] = set()
        seen_aliases: set[tuple[str, str, str]] = set()
        for item, ptr in self.array(top, "keys", ""):
            k = self.obj(item, ptr, known)
            if k is None:
                continue
            key_id = self.string(k, "id", ptr, required=True) or ""
            account = self.account_ref(k, "account", ptr)
            region = self.string(k, "region", ptr)
            if region is not None and not _REGION.fullmatch(region):
                self.add(
                    "scenario.value",
                    pointer_join(ptr, "region"),
                    f"must be a region such as us-east-1 (got {_got(region)})",
                )
            region = region or self.region
            if (account, region, key_id) in seen:
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "id"),
                    f'key "{key_id}" is listed twice in account {account}, {region}',
                )
            seen.add((account, region, key_id))
            aliases = self.strings(k, "aliases", ptr)
            for i, alias in enumerate(aliases):
                aptr = pointer_join(ptr, "aliases", i)
                if not alias.startswith("alias/") or len(alias) == len("alias/"):
                    self.add("scenario.value", aptr, f"an alias is alias/NAME (got {_got(alias)})")
                elif (account, region, alias) in seen_aliases:
                    self.add(
                        "scenario.duplicate",
                        aptr,
                        f'alias "{alias}" names two keys in account {account}, {region}',
                    )
                seen_aliases.add((account, region, alias))
            grants = self.grants(k, ptr)
            out.append(
                Key(
                    id=key_id,
                    account=account,
                    region=region,
                    aliases=aliases,
                    description=self.string(k, "description", ptr),
                    state=cast(KeyState, self.choice(k, "state", ptr, KEY_STATES, "Enabled")),
                    manager=cast(
                        KeyManager, self.choice(k, "manager", ptr, KEY_MANAGERS, "CUSTOMER")
                    ),
                    spec=self.string(k, "spec", ptr) or "SYMMETRIC_DEFAULT",
                    usage=self.string(k, "usage", ptr) or "ENCRYPT_DECRYPT",
                    origin=cast(KeyOrigin, self.choice(k, "origin", ptr, KEY_ORIGINS, "AWS_KMS")),
                    policy=self.policy(k, "policy", ptr, "key policy", required=True)
                    or NamedPolicy("key policy", {}, pointer_join(ptr, "policy")),
                    grants=grants,
                    pointer=ptr,
                )
            )
        return tuple(out)

    def grantee(self, o: dict[str, object], name: str, pointer: str, *, required: bool) -> str:
        value = self.string(o, name, pointer, required=required)
        if value and not (value.startswith("arn:") or _SERVICE_PRINCIPAL.fullmatch(value)):
            self.add(
                "scenario.value",
                pointer_join(pointer, name),
                f"must be a principal ARN or a service principal such as "
                f"s3.amazonaws.com (got {_got(value)})",
            )
        return value or ""

    def operations(self, o: dict[str, object], pointer: str) -> tuple[str, ...]:
        ops = self.strings(o, "operations", pointer, required=True)
        if "operations" in o and isinstance(o["operations"], list) and not o["operations"]:
            self.add(
                "scenario.value", pointer_join(pointer, "operations"), "must list an operation"
            )
        for i, op in enumerate(ops):
            if op in GRANT_OPERATIONS:
                continue
            optr = pointer_join(pointer, "operations", i)
            if op.startswith("kms:") and op[4:] in GRANT_OPERATIONS:
                self.add("scenario.value", optr, f'write "{op[4:]}", without the kms: prefix')
            else:
                self.add(
                    "scenario.value",
                    optr,
                    f"must be a grant operation: {_one_of(GRANT_OPERATIONS)} (got {_got(op)})",
                )
        return ops

    def constraints(self, o: dict[str, object], pointer: str) -> GrantConstraints | None:
        if "constraints" not in o:
            return None
        ptr = pointer_join(pointer, "constraints")
        c = self.obj(
            o["constraints"], ptr, ("encryption_context_subset", "encryption_context_equals")
        )
        if c is None:
            return None
        given = [n for n in ("encryption_context_subset", "encryption_context_equals") if n in c]
        if len(given) != 1:
            self.add(
                "scenario.value",
                ptr,
                "must have exactly one of encryption_context_subset and encryption_context_equals",
            )
            return None
        context = self.string_map(c, given[0], ptr) or {}
        kind: ConstraintKind = "subset" if given[0].endswith("subset") else "equals"
        return GrantConstraints(kind, context, ptr)

    def grants(self, k: dict[str, object], pointer: str) -> tuple[Grant, ...]:
        known = ("id", "grantee", "retiring", "operations", "constraints", "name", "propagated")
        out = []
        seen: set[str] = set()
        for item, ptr in self.array(k, "grants", pointer):
            g = self.obj(item, ptr, known)
            if g is None:
                continue
            grant_id = self.string(g, "id", ptr, required=True) or ""
            if grant_id in seen:
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "id"),
                    f'grant "{grant_id}" is listed twice on this key',
                )
            seen.add(grant_id)
            out.append(
                Grant(
                    id=grant_id,
                    grantee=self.grantee(g, "grantee", ptr, required=True),
                    retiring=self.grantee(g, "retiring", ptr, required=False) or None,
                    operations=self.operations(g, ptr),
                    constraints=self.constraints(g, ptr),
                    name=self.string(g, "name", ptr),
                    propagated=self.boolean(g, "propagated", ptr, True),
                    pointer=ptr,
                )
            )
        return tuple(out)

    def encryption(self, o: dict[str, object], name: str, pointer: str) -> Encryption | None:
        if name not in o:
            return None
        ptr = pointer_join(pointer, name)
        e = self.obj(o[name], ptr, ("algorithm", "key", "bucket_key"))
        if e is None:
            return None
        algorithm = self.choice(e, "algorithm", ptr, ALGORITHMS, None)
        key = self.string(e, "key", ptr)
        return Encryption(
            cast(Algorithm, algorithm), key, self.boolean(e, "bucket_key", ptr, False), ptr
        )

    def buckets(self, top: dict[str, object]) -> tuple[Bucket, ...]:
        known = ("name", "account", "policy", "default_encryption", "objects", "replication")
        items = self.array(top, "buckets", "")
        # Replication rules may name a bucket that comes later in the list.
        names = {
            item["name"]
            for item, _ in items
            if isinstance(item, dict) and isinstance(item.get("name"), str)
        }
        out = []
        seen: set[str] = set()
        for item, ptr in items:
            b = self.obj(item, ptr, known)
            if b is None:
                continue
            name = self.string(b, "name", ptr, required=True) or ""
            if "/" in name:
                self.add("scenario.value", pointer_join(ptr, "name"), "a bucket name has no /")
            if name in seen:
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "name"),
                    f'bucket "{name}" is listed twice (bucket names are global)',
                )
            seen.add(name)
            objects = []
            object_keys: set[str] = set()
            for obj_item, optr in self.array(b, "objects", ptr):
                ob = self.obj(obj_item, optr, ("key", "encryption"))
                if ob is None:
                    continue
                object_key = self.string(ob, "key", optr, required=True) or ""
                if object_key in object_keys:
                    self.add(
                        "scenario.duplicate",
                        pointer_join(optr, "key"),
                        f'object "{object_key}" is listed twice in this bucket',
                    )
                object_keys.add(object_key)
                objects.append(S3Object(object_key, self.encryption(ob, "encryption", optr), optr))
            out.append(
                Bucket(
                    name=name,
                    account=self.account_ref(b, "account", ptr),
                    policy=self.policy(b, "policy", ptr, "bucket policy"),
                    default_encryption=self.encryption(b, "default_encryption", ptr),
                    objects=tuple(objects),
                    replication=self.replication(b, ptr, names),
                    pointer=ptr,
                )
            )
        return tuple(out)

    def replication(
        self, b: dict[str, object], pointer: str, bucket_names: set[str]
    ) -> Replication | None:
        if "replication" not in b:
            return None
        ptr = pointer_join(pointer, "replication")
        r = self.obj(b["replication"], ptr, ("role", "rules"))
        if r is None:
            return None
        role = self.role_arn(r, "role", ptr)
        rules = []
        for item, rptr in self.array(r, "rules", ptr, required=True):
            rule = self.obj(
                item, rptr, ("destination_bucket", "replica_kms_key", "sse_kms_encrypted_objects")
            )
            if rule is None:
                continue
            dest = self.string(rule, "destination_bucket", rptr, required=True) or ""
            # AWS's own configuration names the destination by ARN; accept both.
            dest = dest.removeprefix(_S3_BUCKET_ARN)
            if dest and dest not in bucket_names:
                self.add(
                    "scenario.reference",
                    pointer_join(rptr, "destination_bucket"),
                    f'no bucket "{dest}" in buckets',
                )
            rules.append(
                ReplicationRule(
                    dest,
                    self.string(rule, "replica_kms_key", rptr),
                    self.boolean(rule, "sse_kms_encrypted_objects", rptr, False),
                    rptr,
                )
            )
        return Replication(role, tuple(rules), ptr)

    def role_arn(self, o: dict[str, object], name: str, pointer: str) -> str:
        value = self.string(o, name, pointer, required=True) or ""
        if value and not _ROLE_ARN.fullmatch(value):
            self.add(
                "scenario.value",
                pointer_join(pointer, name),
                f"must be a role ARN, arn:aws:iam::ACCOUNT:role/NAME (got {_got(value)})",
            )
        return value

    def endpoints(self, top: dict[str, object]) -> tuple[VpcEndpoint, ...]:
        out = []
        seen: set[str] = set()
        for item, ptr in self.array(top, "vpc_endpoints", ""):
            e = self.obj(item, ptr, ("id", "account", "service", "policy"))
            if e is None:
                continue
            endpoint_id = self.string(e, "id", ptr, required=True) or ""
            if endpoint_id in seen:
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "id"),
                    f'VPC endpoint "{endpoint_id}" is listed twice',
                )
            seen.add(endpoint_id)
            out.append(
                VpcEndpoint(
                    id=endpoint_id,
                    account=self.account_ref(e, "account", ptr),
                    service=cast(
                        EndpointService, self.choice(e, "service", ptr, ENDPOINT_SERVICES, None)
                    ),
                    policy=self.policy(e, "policy", ptr, "VPC endpoint policy"),
                    pointer=ptr,
                )
            )
        return tuple(out)

    # -- attempts

    def attempts(self, top: dict[str, object], scenario: Scenario) -> tuple[Attempt, ...]:
        known = (
            "id",
            "title",
            "principal",
            "assume",
            "action",
            "resource",
            "destination",
            "via_service",
            "encryption_context",
            "plaintext",
            "ciphertext",
            "grant",
            "grant_id",
            "grant_tokens",
            "policy",
            "bypass_policy_lockout_safety_check",
            "context",
            "expect",
            "rule",  # project fields: the R-numbers an attempt pins, and why
            "note",
        )
        out = []
        earlier: set[str] = set()
        items = self.array(top, "attempts", "")
        all_ids = {
            item["id"]
            for item, _ in items
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        }
        for item, ptr in items:
            a = self.obj(item, ptr, known)
            if a is None:
                continue
            attempt_id = self.string(a, "id", ptr, required=True) or ""
            if attempt_id in earlier:
                self.add(
                    "scenario.duplicate",
                    pointer_join(ptr, "id"),
                    f'attempt "{attempt_id}" is listed twice',
                )
            principal = self.string(a, "principal", ptr, required=True)
            if principal:
                self.attempt_principal(principal, pointer_join(ptr, "principal"), scenario)
            action = self.string(a, "action", ptr, required=True) or ""
            if action and not _ACTION.fullmatch(action):
                self.add(
                    "scenario.value",
                    pointer_join(ptr, "action"),
                    f"must be an action such as kms:Decrypt (got {_got(action)})",
                )
            ciphertext, ciphertext_from = self.ciphertext(a, ptr, earlier, all_ids)
            resource = self.string(a, "resource", ptr)
            is_decrypt = action.lower() == "kms:decrypt"
            if resource is None and "resource" not in a and not (is_decrypt and "ciphertext" in a):
                self.add(
                    "scenario.required",
                    pointer_join(ptr, "resource"),
                    'required field "resource" is missing (only a kms:Decrypt '
                    "with a ciphertext may leave it out)",
                )
            destination = self.string(a, "destination", ptr)
            needs_destination = action.lower().startswith("kms:reencrypt")
            if needs_destination and "destination" not in a:
                self.add(
                    "scenario.required",
                    pointer_join(ptr, "destination"),
                    f'required field "destination" is missing ({action} needs the destination key)',
                )
            expect = self.string(a, "expect", ptr)
            if expect is not None and expect not in EXPECTATIONS:
                self.add(
                    "scenario.value",
                    pointer_join(ptr, "expect"),
                    f"must be one of {_one_of(EXPECTATIONS)} (got {_got(expect)})",
                )
            out.append(
                Attempt(
                    id=attempt_id,
                    title=self.string(a, "title", ptr),
                    principal=principal or "",
                    assume=self.assume_steps(a, ptr),
                    action=action,
                    resource=resource,
                    destination=destination,
                    via_service=self.string(a, "via_service", ptr),
                    encryption_context=self.string_map(a, "encryption_context", ptr),
                    plaintext=self.string(a, "plaintext", ptr),
                    ciphertext=ciphertext,
                    ciphertext_from=ciphertext_from,
                    grant=self.grant_request(a, ptr),
                    grant_id=self.string(a, "grant_id", ptr),
                    grant_tokens=self.strings(a, "grant_tokens", ptr),
                    policy=self.policy(a, "policy", ptr, "new key policy"),
                    bypass_policy_lockout_safety_check=self.boolean(
                        a, "bypass_policy_lockout_safety_check", ptr, False
                    ),
                    context=self.request_context(a, ptr),
                    expect=expect,
                    pointer=ptr,
                )
            )
            earlier.add(attempt_id)
        return tuple(out)

    def attempt_principal(self, value: str, pointer: str, scenario: Scenario) -> None:
        if _SERVICE_PRINCIPAL.fullmatch(value):
            return
        if m := _ROOT_ARN.fullmatch(value):
            if scenario.account(m.group(1)) is None:
                self.add("scenario.reference", pointer, f'no account "{m.group(1)}" in accounts')
            return
        if m := _SESSION_ARN.fullmatch(value):
            if scenario.role_named(m.group(1), m.group(2)) is None:
                self.add(
                    "scenario.reference",
                    pointer,
                    f'no role "{m.group(2)}" in account {m.group(1)} (see principals)',
                )
            return
        if _IAM_ARN.fullmatch(value):
            if scenario.principal_by_arn(value) is None:
                arns = [p.arn for p in scenario.principals]
                hint = difflib.get_close_matches(value, arns, n=1)
                extra = f" (did you mean {hint[0]}?)" if hint else ""
                self.add(
                    "scenario.reference",
                    pointer,
                    f"no user or role with this ARN in principals{extra}",
                )
            return
        self.add(
            "scenario.value",
            pointer,
            "must be the ARN of a user or role in principals, an assumed-role session ARN, "
            f"an account root ARN or a service principal such as s3.amazonaws.com "
            f"(got {_got(value)})",
        )

    def ciphertext(
        self, a: dict[str, object], pointer: str, earlier: set[str], all_ids: set[str]
    ) -> tuple[str | None, str | None]:
        if "ciphertext" not in a:
            return None, None
        value = a["ciphertext"]
        ptr = pointer_join(pointer, "ciphertext")
        if isinstance(value, str):
            return value, None
        c = self.obj(value, ptr, ("from_attempt",), 'a string or {"from_attempt": ID}')
        if c is None:
            return None, None
        source = self.string(c, "from_attempt", ptr, required=True)
        if source is None:
            return None, None
        if source not in earlier:
            later = " (it comes later; attempts run in order)" if source in all_ids else ""
            self.add(
                "scenario.reference",
                pointer_join(ptr, "from_attempt"),
                f'no earlier attempt "{source}"{later}',
            )
        return None, source

    def assume_steps(self, a: dict[str, object], pointer: str) -> tuple[AssumeStep, ...]:
        out = []
        for item, ptr in self.array(a, "assume", pointer):
            s = self.obj(item, ptr, ("role", "external_id", "session_name", "session_policy"))
            if s is None:
                continue
            out.append(
                AssumeStep(
                    role=self.role_arn(s, "role", ptr),
                    external_id=self.string(s, "external_id", ptr),
                    session_name=self.string(s, "session_name", ptr),
                    session_policy=self.policy(s, "session_policy", ptr, "session policy"),
                    pointer=ptr,
                )
            )
        return tuple(out)

    def grant_request(self, a: dict[str, object], pointer: str) -> GrantRequest | None:
        if "grant" not in a:
            return None
        ptr = pointer_join(pointer, "grant")
        g = self.obj(a["grant"], ptr, ("grantee", "operations", "constraints", "retiring"))
        if g is None:
            return None
        return GrantRequest(
            grantee=self.grantee(g, "grantee", ptr, required=True),
            operations=self.operations(g, ptr),
            constraints=self.constraints(g, ptr),
            retiring=self.grantee(g, "retiring", ptr, required=False) or None,
            pointer=ptr,
        )

    def request_context(self, a: dict[str, object], pointer: str) -> dict[str, object]:
        value = self.typed(a, "context", pointer, dict, required=False)
        if not isinstance(value, dict):
            return {}
        base = pointer_join(pointer, "context")
        for key, v in value.items():
            items = v if isinstance(v, list) else [v]
            for i, one in enumerate(items):
                if one is None or isinstance(one, (dict, list)):
                    ptr = (
                        pointer_join(base, key, i)
                        if isinstance(v, list)
                        else pointer_join(base, key)
                    )
                    self.wrong_type(ptr, "a string, boolean, number or a list of them", one)
        return dict(value)
