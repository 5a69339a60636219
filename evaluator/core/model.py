"""The typed, frozen model of a scenario (format 1), with its lookups.

load_scenario (loader.py) builds it from a document. Policy documents are
carried raw (an object, or the JSON string it was given as) and compiled later
by the policy module.

The model is frozen. Mappings in it are plain dicts for easy interop (JSON
dumps, copying) and are typed `Mapping` because nothing may change them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from evaluator.core.arn import (
    alias_arn,
    bucket_arn,
    group_arn,
    key_arn,
    principal_arn,
    session_arn,
)
from evaluator.core.problems import pointer_join
from evaluator.core.vocabulary import (
    DEFAULT_REGION,
    DEFAULT_ROOT,
    FORMAT,
    Algorithm,
    ConstraintKind,
    EndpointService,
    KeyManager,
    KeyOrigin,
    KeyState,
    PrincipalType,
)


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
        return principal_arn(self.account, self.type, self.name, self.path)

    @property
    def is_service_linked(self) -> bool:
        return self.type == "role" and self.path.startswith("/aws-service-role/")

    def session_arn(self, session_name: str) -> str:
        """The ARN of a session of this role (AWS leaves the role's path out)."""
        return session_arn(self.account, self.name, session_name)


@dataclass(frozen=True, slots=True)
class Group:
    account: str
    name: str
    policies: tuple[NamedPolicy, ...] = ()
    pointer: str = ""

    @property
    def arn(self) -> str:
        return group_arn(self.account, self.name)


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
    tags: Mapping[str, str] = field(default_factory=dict)  # aws:ResourceTag/KEY (addition)
    pointer: str = ""
    # Its ARN, spelled once: every KMS request on the key reads it.
    arn: str = field(init=False, default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "arn", key_arn(self.region, self.account, self.id))

    @property
    def alias_arns(self) -> tuple[str, ...]:
        return tuple(alias_arn(self.region, self.account, a) for a in self.aliases)

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
        return bucket_arn(self.name)

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
    # Additions to format 1: session tags (aws:PrincipalTag of the session), the keys
    # among them that pass on through role chaining, and sts:SourceIdentity.
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
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
    # Additions to format 1: TagResource/CreateKey tags, UntagResource tag keys, and
    # the AliasName of CreateAlias/UpdateAlias/DeleteAlias.
    tags: Mapping[str, str] | None = None
    tag_keys: tuple[str, ...] = ()
    alias: str | None = None
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Goal:
    """A task of a challenge: attempt `attempt` must end as `expect` says."""

    attempt: str
    expect: str
    task: str
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Goals:
    """A scenario's challenge: its tasks, and whether access may only grow as they ask."""

    tasks: tuple[Goal, ...] = ()
    least_privilege: bool = False
    pointer: str = "/goals"


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
    goals: Goals | None = None  # project field: a challenge (docs/scenario-format.md)
    tags: tuple[str, ...] = ()  # project field: the gallery's filters
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
