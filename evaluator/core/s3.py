"""S3 with SSE-KMS: the S3 request, then KMS as a forward access session (R8).

Each S3 request is authorized on its own (identity, bucket policy, SCPs, RCPs,
endpoint policy); when the object is SSE-KMS, S3 then calls KMS with the same
principal, `kms:ViaService` for S3 and the `aws:s3:arn` context (R8.4, R8.5).
"""

from __future__ import annotations

from collections.abc import Mapping

from .arn import S3_BUCKET_ARN
from .authorization import base_context, decided_result, gather_policies
from .condition_values import ContextEntry
from .context import put_key
from .decide import authorize
from .kms import kms_call
from .kms_auth import KmsCall
from .match import Request
from .model import Bucket, Encryption, Scenario
from .runtime import CallResult, Env, Identity
from .trace import Step, Tracer

SSE_S3 = Encryption("AES256", None, False)


def split_object(arn: str) -> tuple[str, str] | None:
    if not arn.startswith(S3_BUCKET_ARN) or "/" not in arn:
        return None
    bucket, _, key = arn[len(S3_BUCKET_ARN) :].partition("/")
    return bucket, key


def object_encryption(bucket: Bucket, key: str) -> Encryption:
    obj = bucket.find_object(key)
    if obj is not None and obj.encryption is not None:
        return obj.encryption
    # Since 2023 every bucket encrypts with SSE-S3 unless told otherwise.
    return bucket.default_encryption or SSE_S3


def s3_authorize(
    env: Env,
    ident: Identity,
    action: str,
    bucket: Bucket,
    resource: str,
    extra: dict[str, ContextEntry],
    tr: Tracer,
    *,
    headers: dict[str, object] | None = None,
) -> CallResult:
    w = env.world
    c = ident.caller
    ctx = base_context(env, ident, region=w.scenario.region, resource_account=bucket.account)
    for k, v in (headers or {}).items():
        put_key(ctx, k, v, "the S3 request's headers (R8.8)")
    ctx.update(extra)
    vpce = ctx.get("aws:sourcevpce")
    ps = gather_policies(
        env,
        ident,
        resource=w.bucket_policy.get(bucket.name),
        resource_required=False,  # R1.13: for S3, identity or bucket policy suffices
        resource_account=bucket.account,
        endpoint_ref=vpce.values[0] if vpce is not None and vpce.values else "",
        endpoint_service="s3",
    )
    req = Request(c, action, resource, bucket.account, ctx, env.memo)
    child = tr.child()
    decided = authorize(req, ps, child, identity_free=c.kind == "root")
    result = decided_result(env, decided, req, ps, "AccessDenied")
    if tr.on:
        tr.add(
            Step(
                kind="nested",
                title=f"S3 authorizes {action} on {resource}",
                verdict=decided.authorization,
                detail=decided.reason,
                rule=decided.rule,
                children=tuple(child.steps),
                nodes=(bucket.arn,),
            )
        )
    return result


def sse_key_ref(sc: Scenario, bucket: Bucket, enc: Encryption) -> str | None:
    """The key identifier S3 passes to KMS for SSE-KMS; None for an undrawn aws/s3 key."""
    if enc.key:
        return enc.key
    # R8.7: SSE-KMS without a key id means the AWS managed aws/s3 key
    managed = next(
        (k for k in sc.keys if k.account == bucket.account and "alias/aws/s3" in k.aliases),
        None,
    )
    return managed.arn if managed is not None else None


def kms_via_s3(
    env: Env,
    ident: Identity,
    op: str,
    bucket: Bucket,
    obj_key: str,
    enc: Encryption,
    extra: dict[str, ContextEntry],
    user_context: Mapping[str, str] | None,
    tr: Tracer,
) -> CallResult:
    """The nested KMS call S3 makes for the caller (R8.4, R1.21)."""
    w = env.world
    key_ref = sse_key_ref(w.scenario, bucket, enc)
    if key_ref is None:
        res = CallResult("allow", "Success", "SSE-KMS with the aws/s3 key (not drawn).")
        res.warnings.append(
            "the object uses the AWS managed aws/s3 key, which the scenario "
            "does not draw; its KMS step was not evaluated"
        )
        return res
    arn = bucket.arn if enc.bucket_key else f"{bucket.arn}/{obj_key}"
    context = {"aws:s3:arn": arn, **(user_context or {})}  # R8.5
    call = KmsCall(
        op,
        key_id=key_ref,
        encryption_context=context,
        via_service=f"s3.{w.scenario.region}.amazonaws.com",
        context=dict(extra),
    )
    child = tr.child()
    result = kms_call(env, ident, call, child)
    if tr.on:
        tr.add(
            Step(
                kind="nested",
                title=f"S3 calls kms:{op} for the caller (R8.4)",
                verdict=result.authorization
                if result.outcome in ("Success", "AccessDeniedException")
                else "error",
                detail=result.reason,
                rule="R8.4",
                children=tuple(child.steps),
                nodes=(key_ref,),
            )
        )
    return result


def _kms_failure(result: CallResult) -> CallResult:
    # S3 reports a KMS authorization failure as its own AccessDenied (R8.10).
    if result.outcome == "AccessDeniedException":
        result.outcome = "AccessDenied"
    return result


def s3_operation(
    env: Env,
    ident: Identity,
    action: str,
    resource: str,
    destination: str | None,
    extra: dict[str, ContextEntry],
    user_context: Mapping[str, str] | None,
    tr: Tracer,
) -> CallResult:
    """GetObject, PutObject, CopyObject and ReplicateObject, each with its KMS steps."""
    sc = env.world.scenario
    parts = split_object(resource)
    bucket = sc.bucket(parts[0]) if parts else None
    if parts is None or bucket is None:
        return CallResult(
            "implicit_deny",
            "AccessDenied",
            f"{resource} is not an object of a bucket in the scenario.",
            "R8.1",
        )
    name = action.split(":", 1)[1].lower()
    obj_key = parts[1]
    if name == "getobject":
        res = s3_authorize(env, ident, action, bucket, resource, extra, tr)
        if not res.ok:
            return res
        enc = object_encryption(bucket, obj_key)
        if enc.algorithm != "aws:kms":
            _note(
                tr,
                "SSE-S3 object: no KMS step",
                "S3 manages SSE-S3 keys itself, so reading needs no KMS permission.",
            )
            return res
        return _kms_failure(
            kms_via_s3(env, ident, "Decrypt", bucket, obj_key, enc, extra, user_context, tr)
        )  # R8.1
    if name == "putobject":
        enc = bucket.default_encryption or SSE_S3
        res = s3_authorize(env, ident, action, bucket, resource, extra, tr)
        if not res.ok:
            return res
        if enc.algorithm != "aws:kms":
            _note(tr, "SSE-S3 object: no KMS step", "The bucket encrypts with SSE-S3.")
            return res
        return _kms_failure(
            kms_via_s3(env, ident, "GenerateDataKey", bucket, obj_key, enc, extra, user_context, tr)
        )
    if name == "copyobject":
        header = extra.get("s3:x-amz-copy-source")
        if destination is None and header is not None and header.values:
            # The request is made on the destination; the header names the source.
            source = S3_BUCKET_ARN + header.values[0].lstrip("/")
            sparts = split_object(source)
            sbucket = sc.bucket(sparts[0]) if sparts else None
            if sparts is None or sbucket is None:
                return CallResult(
                    "implicit_deny",
                    "AccessDenied",
                    f"The copy source {header.values[0]} is not a drawn object.",
                    "R8.3",
                )
            return _copy(env, ident, sbucket, sparts[1], source, resource, extra, user_context, tr)
        return _copy(env, ident, bucket, obj_key, resource, destination, extra, user_context, tr)
    if name == "replicateobject":
        return _replicate(env, ident, bucket, obj_key, resource, extra, tr)
    res = s3_authorize(env, ident, action, bucket, resource, extra, tr)
    res.warnings.append(
        f"{action} is authorized as a plain S3 request; its S3 side effects are not modelled"
    )
    return res


def _note(tr: Tracer, title: str, detail: str, rule: str = "R8.1") -> None:
    if tr.on:
        tr.add(Step(kind="rule", title=title, verdict="info", detail=detail, rule=rule))


def _copy(env, ident, src_bucket, src_key, resource, destination, extra, user_context, tr):
    sc = env.world.scenario
    dparts = split_object(destination or "")
    dest = sc.bucket(dparts[0]) if dparts else None
    if dparts is None or dest is None:
        return CallResult(
            "implicit_deny",
            "AccessDenied",
            "CopyObject needs `destination`: an object ARN in a drawn bucket.",
            "R8.3",
        )
    res = s3_authorize(env, ident, "s3:GetObject", src_bucket, resource, extra, tr)
    if not res.ok:
        return res
    res = s3_authorize(env, ident, "s3:PutObject", dest, destination, extra, tr)
    if not res.ok:
        return res
    enc = object_encryption(src_bucket, src_key)
    if enc.algorithm == "aws:kms":  # R8.3 (section 12 point 15): decrypt the source
        res = _kms_failure(
            kms_via_s3(env, ident, "Decrypt", src_bucket, src_key, enc, extra, user_context, tr)
        )
        if not res.ok:
            return res
    denc = dest.default_encryption or SSE_S3
    if denc.algorithm == "aws:kms":  # ... and a data key for the destination
        res = _kms_failure(
            kms_via_s3(
                env, ident, "GenerateDataKey", dest, dparts[1], denc, extra, user_context, tr
            )
        )
    return res


def _replicate(env, ident, bucket, obj_key, resource, extra, tr):
    sc = env.world.scenario
    repl = bucket.replication
    if repl is None or not repl.rules:
        _note(
            tr, "No replication rule", f"{bucket.name} has no replication configuration.", "R8.11"
        )
        return CallResult("allow", "Success", "Nothing to replicate.", "R8.11")
    enc = object_encryption(bucket, obj_key)
    result = CallResult("allow", "Success", "Nothing to replicate.", "R8.11")
    for rule in repl.rules:
        if enc.algorithm == "aws:kms" and not rule.sse_kms_encrypted_objects:
            _note(
                tr,
                f"Rule to {rule.destination_bucket} skips SSE-KMS objects",
                "The rule does not opt in to SSE-KMS objects, so this object is not "
                "replicated and there is nothing to do (R8.11).",
                "R8.11",
            )
            continue
        dest = sc.bucket(rule.destination_bucket)
        if dest is None:
            continue
        res = s3_authorize(
            env, ident, "s3:GetObjectVersionForReplication", bucket, resource, extra, tr
        )
        if not res.ok:
            return res
        dest_obj = f"{dest.arn}/{obj_key}"
        res = s3_authorize(env, ident, "s3:ReplicateObject", dest, dest_obj, extra, tr)
        if not res.ok:
            return res
        if enc.algorithm == "aws:kms":
            res = _kms_failure(
                kms_via_s3(env, ident, "Decrypt", bucket, obj_key, enc, extra, None, tr)
            )
            if not res.ok:
                return res
            if rule.replica_kms_key:
                bucket_key = bool(dest.default_encryption and dest.default_encryption.bucket_key)
                renc = Encryption("aws:kms", rule.replica_kms_key, bucket_key)
                res = _kms_failure(
                    kms_via_s3(env, ident, "Encrypt", dest, obj_key, renc, extra, None, tr)
                )
                if not res.ok:
                    return res
                if bucket_key:  # R8.12: with Bucket Keys the replica key must allow Decrypt too
                    res = _kms_failure(
                        kms_via_s3(env, ident, "Decrypt", dest, obj_key, renc, extra, None, tr)
                    )
                    if not res.ok:
                        return res
        else:
            denc = dest.default_encryption or SSE_S3
            if denc.algorithm == "aws:kms":
                res = _kms_failure(
                    kms_via_s3(env, ident, "GenerateDataKey", dest, obj_key, denc, extra, None, tr)
                )
                if not res.ok:
                    return res
        result = res
        result.reason = f"Replicated to {dest.name}."
    return result
