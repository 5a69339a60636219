"""A CloudTrail event (one, a `Records` array, or `aws cloudtrail lookup-events` output)
becomes an attempt that replays the call, expecting the error the event shows."""

from __future__ import annotations

import ipaddress
import re

from evaluator.aws_import.builder import Builder
from evaluator.core.jsonpos import parse_json
from evaluator.core.problems import pointer_join
from evaluator.core.vocabulary import OUTCOMES

# What the playground calls a KMS operation that CloudTrail names differently.
_KMS_NAMES = {"ReEncrypt": "ReEncryptFrom"}
_READ = {
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "managementEvent",
    "recipientAccountId",
    "eventCategory",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "tlsDetails",
    "sessionCredentialFromConsole",
    "sharedEventID",
    "additionalEventData",
    "apiVersion",
}
_SESSION = re.compile(r"arn:aws:sts::([0-9]{12}):assumed-role/([^/]+)/(.+)")


def is_event(value: object) -> bool:
    return isinstance(value, dict) and "eventSource" in value and "eventName" in value


def events(b: Builder, out: object) -> None:
    if isinstance(out, dict) and isinstance(out.get("Records"), list):
        items = [(e, pointer_join("/Records", i)) for i, e in enumerate(out["Records"])]
    elif isinstance(out, dict) and isinstance(out.get("Events"), list):
        items = []
        for i, e in enumerate(out["Events"]):
            raw = e.get("CloudTrailEvent") if isinstance(e, dict) else None
            try:
                items.append((parse_json(str(raw)), pointer_join("/Events", i, "CloudTrailEvent")))
            except ValueError:
                b.warn("import.not_understood", "CloudTrailEvent is not JSON.", f"/Events/{i}")
    else:
        items = [(out, "")]
    for event, ptr in items:
        if is_event(event):
            event_to_attempt(b, event, ptr)
        else:
            b.warn("import.not_understood", "Not a CloudTrail event.", ptr)


def event_to_attempt(b: Builder, e: dict, ptr: str) -> None:
    service = str(e["eventSource"]).partition(".")[0]
    name = str(e["eventName"])
    if service == "kms":
        name = _KMS_NAMES.get(name, name)
    region = str(e.get("awsRegion") or b.region)
    attempt: dict = {"id": _attempt_id(b, e), "title": _title(e), "principal": ""}
    principal = _caller(b, e.get("userIdentity") or {}, pointer_join(ptr, "userIdentity"))
    if principal is None:
        return
    attempt["principal"] = principal
    attempt["action"] = f"{service}:{name}"
    raw_params = e.get("requestParameters")
    params: dict = raw_params if isinstance(raw_params, dict) else {}
    resource = _resource(b, service, e, params, ptr)
    if resource:
        attempt["resource"] = resource
    elif not (service == "kms" and name == "Decrypt"):
        b.warn("import.not_understood", "The event names no resource.", ptr)
        return
    context = params.get("encryptionContext")
    if isinstance(context, dict) and context:
        attempt["encryption_context"] = {k: str(v) for k, v in context.items()}
    via = _via_service(e, region)
    if via and service == "kms":
        attempt["via_service"] = via
    request_context: dict = {}
    ip = e.get("sourceIPAddress")
    if isinstance(ip, str) and _is_ip(ip):
        request_context["aws:SourceIp"] = ip
    vpce = e.get("vpcEndpointId")
    if isinstance(vpce, str) and vpce.startswith("vpce-"):
        request_context["aws:SourceVpce"] = vpce
        account = str(e.get("vpcEndpointAccountId") or e.get("recipientAccountId") or "")
        _endpoint(b, vpce, account, service, pointer_join(ptr, "vpcEndpointId"))
    if request_context:
        attempt["context"] = request_context
    attempt["expect"] = _expectation(service, e.get("errorCode"))
    b.doc.setdefault("attempts", []).append(attempt)
    outcome = e.get("errorCode") or "success"
    b.said(f"attempt {attempt['id']}: {attempt['action']} by {principal} ({outcome}, CloudTrail)")
    b.unknown_fields(e, ptr, _READ)


def _attempt_id(b: Builder, e: dict) -> str:
    base = "ct-" + re.sub(r"[^A-Za-z0-9]", "", str(e.get("eventID") or ""))[:8]
    taken = {a.get("id") for a in b.doc.get("attempts") or []}
    candidate, n = base if base != "ct-" else "ct-event", 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _title(e: dict) -> str:
    error = e.get("errorCode") or "Success"
    return f"CloudTrail: {e['eventName']} at {e.get('eventTime', '?')} gave {error}"[:200]


def _caller(b: Builder, who: dict, ptr: str) -> str | None:
    kind = who.get("type")
    arn = who.get("arn")
    if kind == "IAMUser" and isinstance(arn, str):
        _known(b, arn, ptr)
        return arn
    m = _SESSION.fullmatch(arn) if isinstance(arn, str) else None
    if kind == "AssumedRole" and isinstance(arn, str) and m is not None:
        issuer = ((who.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
        role_arn = issuer if isinstance(issuer, str) else f"arn:aws:iam::{m[1]}:role/{m[2]}"
        _known(b, role_arn, ptr)
        return arn
    if kind == "Root" and isinstance(who.get("accountId"), str):
        b.account(who["accountId"])
        return f"arn:aws:iam::{who['accountId']}:root"
    if kind == "AWSAccount" and isinstance(who.get("accountId"), str):
        b.account(who["accountId"])
        return f"arn:aws:iam::{who['accountId']}:root"
    if kind == "AWSService" and isinstance(who.get("invokedBy"), str):
        return who["invokedBy"]
    b.warn(
        "import.not_understood",
        f"Callers of type {kind} are not modelled (IAM users, assumed roles, root users and "
        "AWS services are).",
        pointer_join(ptr, "type"),
    )
    return None


def _known(b: Builder, arn: str, ptr: str) -> None:
    before = len(b.doc.get("principals") or [])
    p = b.principal_from_arn(arn)
    if p is not None and len(b.doc.get("principals") or []) > before:
        b.warn(
            "import.assumed",
            f"{arn} was not in the scenario: it was added with no policies (paste "
            "`aws iam get-account-authorization-details` for them).",
            ptr,
        )


def _resource(b: Builder, service: str, e: dict, params: dict, ptr: str) -> str:
    arns: list[str] = [
        str(r["ARN"])
        for r in e.get("resources") or []
        if isinstance(r, dict) and isinstance(r.get("ARN"), str)
    ]
    if service == "kms":
        for arn in arns:
            key = b.key_from_arn(arn, pointer_join(ptr, "resources"))
            if key is not None:
                return b.key_arn(key)
        key_id = params.get("keyId")
        if isinstance(key_id, str):
            key = b.key_from_arn(key_id, pointer_join(ptr, "requestParameters", "keyId"))
            return b.key_arn(key) if key else key_id
        return ""
    if service == "s3":
        bucket, key = params.get("bucketName"), params.get("key")
        if isinstance(bucket, str) and isinstance(key, str):
            account = str(e.get("recipientAccountId") or b.first_account())
            item = b.bucket(bucket, account)
            objects = item.setdefault("objects", [])
            if not any(o.get("key") == key for o in objects):
                objects.append({"key": key})
            return f"arn:aws:s3:::{bucket}/{key}"
        return next((a for a in arns if a.startswith("arn:aws:s3:::") and "/" in a), "")
    if service == "sts":
        role = params.get("roleArn")
        if isinstance(role, str):
            _known(b, role, pointer_join(ptr, "requestParameters", "roleArn"))
            return role
    return next(iter(arns), "")


def _via_service(e: dict, region: str) -> str:
    invoked = (e.get("userIdentity") or {}).get("invokedBy")
    source = e.get("sourceIPAddress")
    for value in (invoked, source):
        if isinstance(value, str) and value.endswith(".amazonaws.com"):
            svc = value.removesuffix(".amazonaws.com")
            return f"{svc}.{region}.amazonaws.com" if "." not in svc else value
    return ""


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _endpoint(b: Builder, vpce: str, account: str, service: str, ptr: str) -> None:
    endpoints = b.doc.setdefault("vpc_endpoints", [])
    if any(x.get("id") == vpce for x in endpoints):
        return
    account = account if re.fullmatch(r"[0-9]{12}", account) else b.first_account()
    b.account(account)
    endpoints.append(
        {"id": vpce, "account": account, "service": service if service == "s3" else "kms"}
    )
    b.warn(
        "import.assumed",
        f"VPC endpoint {vpce} was added with the default full-access policy.",
        ptr,
    )


def _expectation(service: str, error: object) -> str:
    if not error:
        return "Success"
    if error in ("AccessDenied", "AccessDeniedException", "Client.AccessDenied"):
        return "AccessDeniedException" if service == "kms" else "AccessDenied"
    return str(error) if error in OUTCOMES else "deny"
