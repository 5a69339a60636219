"""`aws s3api` output: get-bucket-policy, get-bucket-encryption, get-bucket-replication."""

from __future__ import annotations

from evaluator.aws_import.builder import Builder, parse_arn
from evaluator.core.problems import pointer_join


def _bucket(b: Builder, pointer: str, guess: str = "", account: str = "") -> dict | None:
    found = b.target_of(("bucket",))
    if found is None and guess:
        found = b.bucket(guess, account or b.first_account())
    found = found or b.only("buckets")
    if found is None:
        b.warn(
            "import.target",
            "The output does not name its bucket: choose the bucket it belongs to.",
            pointer,
        )
    return found


def bucket_named_in(policy: dict) -> str:
    """The one bucket a policy's Resource ARNs name, or ""."""
    names = set()
    statements = policy.get("Statement")
    for s in statements if isinstance(statements, list) else [statements]:
        resources = s.get("Resource") if isinstance(s, dict) else None
        for r in [resources] if isinstance(resources, str) else resources or []:
            if isinstance(r, str) and r.startswith("arn:aws:s3:::"):
                names.add(r[len("arn:aws:s3:::") :].partition("/")[0])
    plain = [n for n in names if "*" not in n and "?" not in n]
    return plain[0] if len(plain) == 1 and len(names) == 1 else ""


def bucket_policy(b: Builder, out: dict, policy: dict) -> None:
    bucket = _bucket(b, "/Policy", bucket_named_in(policy))
    if bucket is None:
        return
    bucket["policy"] = policy
    b.said(f"bucket policy of {bucket['name']} (aws s3api get-bucket-policy)")
    b.unknown_fields(out, "", {"Policy"})


def bucket_encryption(b: Builder, out: dict) -> None:
    config = out["ServerSideEncryptionConfiguration"]
    ptr = "/ServerSideEncryptionConfiguration"
    rules = config.get("Rules") if isinstance(config, dict) else None
    if not rules or not isinstance(rules[0], dict):
        b.warn("import.not_understood", "No encryption rule.", ptr)
        return
    rule = rules[0]
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    algorithm = default.get("SSEAlgorithm")
    if algorithm not in ("AES256", "aws:kms"):
        b.warn(
            "import.not_understood",
            f"SSEAlgorithm {algorithm} is not modelled (only AES256 and aws:kms).",
            ptr + "/Rules/0/ApplyServerSideEncryptionByDefault/SSEAlgorithm",
        )
        return
    bucket = _bucket(b, ptr)
    if bucket is None:
        return
    enc: dict = {"algorithm": algorithm}
    key = default.get("KMSMasterKeyID")
    if algorithm == "aws:kms" and isinstance(key, str):
        where = ptr + "/Rules/0/ApplyServerSideEncryptionByDefault/KMSMasterKeyID"
        found = b.key_from_arn(key, where)
        enc["key"] = b.key_arn(found) if found else key
    if rule.get("BucketKeyEnabled"):
        enc["bucket_key"] = True
    bucket["default_encryption"] = enc
    b.said(f"default encryption of {bucket['name']} (aws s3api get-bucket-encryption)")
    for i in range(1, len(rules)):
        b.warn(
            "import.not_understood", "Only the first rule is used.", pointer_join(ptr, "Rules", i)
        )


def bucket_replication(b: Builder, out: dict) -> None:
    config = out["ReplicationConfiguration"]
    ptr = "/ReplicationConfiguration"
    source = _bucket(b, ptr)
    if source is None or not isinstance(config, dict):
        return
    role = b.principal_from_arn(str(config.get("Role", "")))
    if role is None:
        b.warn("import.not_understood", "Replication needs a Role ARN.", ptr + "/Role")
        return
    role_arn = config["Role"]
    rules = []
    for i, rule in enumerate(config.get("Rules") or []):
        rptr = pointer_join(ptr, "Rules", i)
        if not isinstance(rule, dict) or rule.get("Status", "Enabled") != "Enabled":
            b.warn("import.not_understood", "A disabled rule is left out.", rptr)
            continue
        dest = rule.get("Destination") or {}
        parts = parse_arn(dest.get("Bucket"))
        if parts is None or parts[0] != "s3":
            b.warn("import.not_understood", "Destination.Bucket must be a bucket ARN.", rptr)
            continue
        name = parts[3]
        b.bucket(name, str(dest.get("Account") or source["account"]))
        item: dict = {"destination_bucket": name}
        replica = (dest.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID")
        if isinstance(replica, str):
            found = b.key_from_arn(replica, rptr + "/Destination/EncryptionConfiguration")
            item["replica_kms_key"] = b.key_arn(found) if found else replica
        criteria = (rule.get("SourceSelectionCriteria") or {}).get("SseKmsEncryptedObjects") or {}
        if criteria.get("Status") == "Enabled":
            item["sse_kms_encrypted_objects"] = True
        rules.append(item)
    source["replication"] = {"role": role_arn, "rules": rules}
    b.said(f"replication of {source['name']} (aws s3api get-bucket-replication)")
