"""The request context: the condition keys a request carries, and where from.

The scenario implies most global keys (who calls, which account, which
organization); the attempt's `context` adds or overrides keys. Time comes in
as an input, never from the clock here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime

from .condition_values import ContextEntry, entry
from .match import Caller

# The only request keys that move with the clock (request_keys): a policy that
# names one may decide differently at another time.
CLOCK_KEYS = re.compile(r"aws:(?:currenttime|epochtime)", re.IGNORECASE)
ATTEMPT = "the attempt's context"
SCENARIO = "implied by the scenario"

# Keys AWS documents as multi-valued, so a list given by hand stays a set.
MULTI_VALUED = frozenset(
    {
        "aws:calledvia",
        "aws:tagkeys",
        "aws:principalorgpaths",
        "aws:principalservicenameslist",
        "kms:encryptioncontextkeys",
        "kms:grantoperations",
        "kms:resourcealiases",
    }
)

# A context is keyed by the lower-cased name (R5.9); each entry keeps the spelling
# it was set with, so a trace shows the names its own request used.


def unique_id(prefix: str, arn: str) -> str:
    """A stable stand-in for IAM's unique ids (AIDA..., AROA...)."""
    digest = hashlib.sha256(arn.encode()).hexdigest().upper()
    return prefix + "".join(c for c in digest if c.isalnum())[:17]


def caller_keys(
    caller: Caller,
    *,
    tags: Mapping[str, str] | None,
    org_id: str | None,
    org_path: str | None,
) -> dict[str, ContextEntry]:
    """Global keys about the caller (R4.16, R4.17, R4.21, R4.22)."""
    ctx: dict[str, ContextEntry] = {}

    def put(key: str, value: object, source: str = SCENARIO) -> None:
        lc = key.lower()
        ctx[lc] = entry(value, multi=lc in MULTI_VALUED, source=source, name=key)

    if caller.kind == "service":
        put("aws:PrincipalIsAWSService", True)
        put("aws:PrincipalServiceName", caller.service)
        put("aws:PrincipalServiceNamesList", [caller.service])  # multi-valued (R4.21)
        return ctx
    put("aws:PrincipalArn", caller.principal_arn, "the caller (a session gives its role)")
    put("aws:PrincipalAccount", caller.account)
    put("aws:PrincipalIsAWSService", False)
    if caller.kind == "user":
        put("aws:PrincipalType", "User")
        put("aws:username", caller.arn.rsplit("/", 1)[-1], "the IAM user's name")
        put("aws:userid", unique_id("AIDA", caller.arn))
    elif caller.kind == "role_session":
        put("aws:PrincipalType", "AssumedRole")
        put("aws:userid", f"{unique_id('AROA', caller.role_arn or '')}:{caller.session_name}")
        put("aws:RoleSessionName", caller.session_name)
    elif caller.kind == "root":
        put("aws:PrincipalType", "Account")
        put("aws:userid", caller.account)
    elif caller.kind == "federated":
        put("aws:PrincipalType", "FederatedUser")
    if org_id:
        put("aws:PrincipalOrgID", org_id, "the caller's organization")
        if org_path:
            put("aws:PrincipalOrgPaths", [org_path], "the caller's organization")
    for tag_key, tag_value in (tags or {}).items():
        put(f"aws:PrincipalTag/{tag_key}", tag_value, "the principal's tags")
    return ctx


def request_keys(
    *,
    now: datetime,
    region: str,
    resource_account: str | None,
    resource_org: str | None,
) -> dict[str, ContextEntry]:
    """Keys every request carries (R4.19) whatever the caller."""
    ctx: dict[str, ContextEntry] = {}

    def put(key: str, value: object, source: str = SCENARIO) -> None:
        ctx[key.lower()] = entry(value, source=source, name=key)

    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    put("aws:CurrentTime", stamp, "the evaluation time")
    put("aws:EpochTime", int(now.timestamp()), "the evaluation time")
    put("aws:SecureTransport", True, "requests to AWS APIs use TLS")
    put("aws:ViaAWSService", False)
    put("aws:RequestedRegion", region)
    if resource_account:
        put("aws:ResourceAccount", resource_account, "the resource's owner")
    if resource_org:
        put("aws:ResourceOrgID", resource_org, "the resource owner's organization")
    return ctx


def attempt_keys(raw: Mapping[str, object]) -> dict[str, ContextEntry]:
    """The attempt's own `context`, which overrides what the scenario implies."""
    return {
        key.lower(): entry(
            value, multi=key.lower() in MULTI_VALUED or None, source=ATTEMPT, name=key
        )
        for key, value in raw.items()
    }


def put_key(ctx: dict[str, ContextEntry], key: str, value: object, source: str) -> None:
    """Set one key (no-op for None), e.g. the KMS keys a call implies."""
    if value is None:
        return
    lc = key.lower()
    if type(value) is str:  # the common case, without entry()'s conversions
        ctx[lc] = ContextEntry((value,), lc in MULTI_VALUED, source, key)
        return
    ctx[lc] = entry(value, multi=lc in MULTI_VALUED, source=source, name=key)
