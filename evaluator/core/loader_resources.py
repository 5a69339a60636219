"""Loader sections: KMS keys with their grants, S3 buckets, VPC endpoints."""

from __future__ import annotations

from typing import cast

from evaluator.core.arn import S3_BUCKET_ARN
from evaluator.core.loader_reader import Reader, got, string_members
from evaluator.core.model import (
    Bucket,
    Encryption,
    Grant,
    Key,
    NamedPolicy,
    Replication,
    ReplicationRule,
    S3Object,
    VpcEndpoint,
)
from evaluator.core.problems import pointer_join
from evaluator.core.vocabulary import (
    ALGORITHMS,
    ENDPOINT_SERVICES,
    KEY_MANAGERS,
    KEY_ORIGINS,
    KEY_STATES,
    Algorithm,
    EndpointService,
    KeyManager,
    KeyOrigin,
    KeyState,
)


def read_keys(r: Reader, top: dict[str, object]) -> tuple[Key, ...]:
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
        "tags",
    )
    out = []
    seen: set[tuple[str, str, str]] = set()
    seen_aliases: set[tuple[str, str, str]] = set()
    for item, ptr in r.array(top, "keys", ""):
        k = r.obj(item, ptr, known)
        if k is None:
            continue
        key_id = r.string(k, "id", ptr, required=True) or ""
        account = r.account_ref(k, "account", ptr)
        region = r.region_member(k, ptr) or r.region
        r.once(
            seen,
            (account, region, key_id),
            pointer_join(ptr, "id"),
            f'key "{key_id}" is listed twice in account {account}, {region}',
        )
        aliases = r.strings(k, "aliases", ptr)
        for i, alias in enumerate(aliases):
            aptr = pointer_join(ptr, "aliases", i)
            if not alias.startswith("alias/") or len(alias) == len("alias/"):
                r.add("scenario.value", aptr, f"an alias is alias/NAME (got {got(alias)})")
            elif (account, region, alias) in seen_aliases:
                r.add(
                    "scenario.duplicate",
                    aptr,
                    f'alias "{alias}" names two keys in account {account}, {region}',
                )
            seen_aliases.add((account, region, alias))
        grants = _grants(r, k, ptr)
        out.append(
            Key(
                id=key_id,
                account=account,
                region=region,
                aliases=aliases,
                description=r.string(k, "description", ptr),
                state=cast(KeyState, r.choice(k, "state", ptr, KEY_STATES, "Enabled")),
                manager=cast(KeyManager, r.choice(k, "manager", ptr, KEY_MANAGERS, "CUSTOMER")),
                spec=r.string(k, "spec", ptr) or "SYMMETRIC_DEFAULT",
                usage=r.string(k, "usage", ptr) or "ENCRYPT_DECRYPT",
                origin=cast(KeyOrigin, r.choice(k, "origin", ptr, KEY_ORIGINS, "AWS_KMS")),
                policy=r.policy(k, "policy", ptr, "key policy", required=True)
                or NamedPolicy("key policy", {}, pointer_join(ptr, "policy")),
                grants=grants,
                tags=(r.string_map(k, "tags", ptr) or {}) if "tags" in k else {},
                pointer=ptr,
            )
        )
    return tuple(out)


def _grants(r: Reader, k: dict[str, object], pointer: str) -> tuple[Grant, ...]:
    known = ("id", "grantee", "retiring", "operations", "constraints", "name", "propagated")
    out = []
    seen: set[str] = set()
    for item, ptr in r.array(k, "grants", pointer):
        g = r.obj(item, ptr, known)
        if g is None:
            continue
        grant_id = r.string(g, "id", ptr, required=True) or ""
        r.once(
            seen,
            grant_id,
            pointer_join(ptr, "id"),
            f'grant "{grant_id}" is listed twice on this key',
        )
        out.append(
            Grant(
                id=grant_id,
                grantee=r.grantee(g, "grantee", ptr, required=True),
                retiring=r.grantee(g, "retiring", ptr, required=False) or None,
                operations=r.operations(g, ptr),
                constraints=r.constraints(g, ptr),
                name=r.string(g, "name", ptr),
                propagated=r.boolean(g, "propagated", ptr, True),
                pointer=ptr,
            )
        )
    return tuple(out)


def _encryption(r: Reader, o: dict[str, object], name: str, pointer: str) -> Encryption | None:
    if name not in o:
        return None
    ptr = pointer_join(pointer, name)
    e = r.obj(o[name], ptr, ("algorithm", "key", "bucket_key"))
    if e is None:
        return None
    algorithm = r.choice(e, "algorithm", ptr, ALGORITHMS, None)
    key = r.string(e, "key", ptr)
    return Encryption(cast(Algorithm, algorithm), key, r.boolean(e, "bucket_key", ptr, False), ptr)


def read_buckets(r: Reader, top: dict[str, object]) -> tuple[Bucket, ...]:
    known = ("name", "account", "policy", "default_encryption", "objects", "replication")
    items = r.array(top, "buckets", "")
    # Replication rules may name a bucket that comes later in the list.
    names = string_members(items, "name")
    out = []
    seen: set[str] = set()
    for item, ptr in items:
        b = r.obj(item, ptr, known)
        if b is None:
            continue
        name = r.string(b, "name", ptr, required=True) or ""
        if "/" in name:
            r.add("scenario.value", pointer_join(ptr, "name"), "a bucket name has no /")
        r.once(
            seen,
            name,
            pointer_join(ptr, "name"),
            f'bucket "{name}" is listed twice (bucket names are global)',
        )
        objects = []
        object_keys: set[str] = set()
        for obj_item, optr in r.array(b, "objects", ptr):
            ob = r.obj(obj_item, optr, ("key", "encryption"))
            if ob is None:
                continue
            object_key = r.string(ob, "key", optr, required=True) or ""
            r.once(
                object_keys,
                object_key,
                pointer_join(optr, "key"),
                f'object "{object_key}" is listed twice in this bucket',
            )
            objects.append(S3Object(object_key, _encryption(r, ob, "encryption", optr), optr))
        out.append(
            Bucket(
                name=name,
                account=r.account_ref(b, "account", ptr),
                policy=r.policy(b, "policy", ptr, "bucket policy"),
                default_encryption=_encryption(r, b, "default_encryption", ptr),
                objects=tuple(objects),
                replication=_replication(r, b, ptr, names),
                pointer=ptr,
            )
        )
    return tuple(out)


def _replication(
    r: Reader, b: dict[str, object], pointer: str, bucket_names: set[str]
) -> Replication | None:
    if "replication" not in b:
        return None
    ptr = pointer_join(pointer, "replication")
    rep = r.obj(b["replication"], ptr, ("role", "rules"))
    if rep is None:
        return None
    role = r.role_arn(rep, "role", ptr)
    rules = []
    for item, rptr in r.array(rep, "rules", ptr, required=True):
        rule = r.obj(
            item, rptr, ("destination_bucket", "replica_kms_key", "sse_kms_encrypted_objects")
        )
        if rule is None:
            continue
        dest = r.string(rule, "destination_bucket", rptr, required=True) or ""
        # AWS's own configuration names the destination by ARN; accept both.
        dest = dest.removeprefix(S3_BUCKET_ARN)
        if dest and dest not in bucket_names:
            r.add(
                "scenario.reference",
                pointer_join(rptr, "destination_bucket"),
                f'no bucket "{dest}" in buckets',
            )
        rules.append(
            ReplicationRule(
                dest,
                r.string(rule, "replica_kms_key", rptr),
                r.boolean(rule, "sse_kms_encrypted_objects", rptr, False),
                rptr,
            )
        )
    return Replication(role, tuple(rules), ptr)


def read_endpoints(r: Reader, top: dict[str, object]) -> tuple[VpcEndpoint, ...]:
    out = []
    seen: set[str] = set()
    for item, ptr in r.array(top, "vpc_endpoints", ""):
        e = r.obj(item, ptr, ("id", "account", "service", "policy"))
        if e is None:
            continue
        endpoint_id = r.string(e, "id", ptr, required=True) or ""
        r.once(
            seen,
            endpoint_id,
            pointer_join(ptr, "id"),
            f'VPC endpoint "{endpoint_id}" is listed twice',
        )
        out.append(
            VpcEndpoint(
                id=endpoint_id,
                account=r.account_ref(e, "account", ptr),
                service=cast(EndpointService, r.choice(e, "service", ptr, ENDPOINT_SERVICES, None)),
                policy=r.policy(e, "policy", ptr, "VPC endpoint policy"),
                pointer=ptr,
            )
        )
    return tuple(out)


# -- attempts
