"""What AWS prints, turned into scenario documents.

`paste_aws(document, text, target)` recognises the output of the AWS CLI
commands people run while debugging an AccessDenied (KMS, IAM, S3,
Organizations) and CloudTrail events, and merges it into a copy of the
scenario: document in, document out, with what was recognised and every
problem located by JSON pointer (and line and column) in the pasted text.
`unwrap_policy` takes the policy out of those wrappers for a policy editor.
Pure Python, like the core it calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from evaluator.aws_import import cloudtrail, iam, kms, org, s3
from evaluator.aws_import.builder import Builder
from evaluator.core.jsonpos import JsonTextError, parse_json, positions
from evaluator.core.problems import Problem, locate, problem


@dataclass(frozen=True, slots=True)
class PasteResult:
    document: dict  # the merged scenario document (the input is never changed)
    recognised: tuple[str, ...]  # one line for each thing taken, for the user
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return bool(self.recognised) and not any(p.is_error for p in self.problems)


def _is_bucket_policy(policy: dict) -> bool:
    text = json.dumps(policy.get("Statement"))
    return '"s3:' in text or "arn:aws:s3:::" in text


def _policy_string(b: Builder, out: dict) -> None:
    # get-key-policy and get-bucket-policy both print {"Policy": "<JSON as a string>"}.
    policy = b.policy(out["Policy"], "/Policy")
    if policy is None:
        return
    if "PolicyName" not in out and _is_bucket_policy(policy):
        s3.bucket_policy(b, out, policy)
    else:
        kms.key_policy(b, out, policy)


def _plain_policy(b: Builder, out: dict) -> None:
    """A bare policy document: it goes to the chosen node."""
    node = b.target_of(("key", "bucket", "user", "role", "group"))
    if node is None:
        b.warn(
            "import.target",
            "This is a bare policy document: choose the key, bucket, user, role or group it "
            "belongs to (or paste it into that node's policy editor).",
        )
        return
    if "id" in node and "account" in node and "policy" in node:  # a key
        node["policy"] = out
    elif "type" in node or "policies" in node:
        from evaluator.aws_import.builder import set_named_policy

        set_named_policy(node, "pasted policy", out)
    else:
        node["policy"] = out
    b.said("a policy document")


# (recogniser, converter): the first recogniser that accepts the output wins.
_SHAPES: list[tuple[Callable[[dict], bool], Callable[[Builder, dict], None]]] = [
    (lambda o: isinstance(o.get("Policy"), str), _policy_string),
    (lambda o: isinstance(o.get("KeyMetadata"), dict), kms.describe_key),
    (lambda o: isinstance(o.get("Aliases"), list), kms.list_aliases),
    (lambda o: isinstance(o.get("Grants"), list), kms.list_grants),
    (
        lambda o: any(
            isinstance(o.get(f), list)
            for f in ("UserDetailList", "RoleDetailList", "GroupDetailList")
        ),
        iam.authorization_details,
    ),
    (lambda o: isinstance(o.get("Role"), dict), lambda b, o: iam.get_entity(b, o, "role")),
    (lambda o: isinstance(o.get("User"), dict), lambda b, o: iam.get_entity(b, o, "user")),
    (
        lambda o: "PolicyDocument" in o and isinstance(o.get("RoleName"), str),
        lambda b, o: iam.inline_policy(b, o, "role"),
    ),
    (
        lambda o: "PolicyDocument" in o and isinstance(o.get("UserName"), str),
        lambda b, o: iam.inline_policy(b, o, "user"),
    ),
    (
        lambda o: "PolicyDocument" in o and isinstance(o.get("GroupName"), str),
        lambda b, o: iam.inline_policy(b, o, "group"),
    ),
    (lambda o: isinstance(o.get("PolicyVersion"), dict), iam.policy_version),
    (lambda o: isinstance(o.get("ServerSideEncryptionConfiguration"), dict), s3.bucket_encryption),
    (lambda o: isinstance(o.get("ReplicationConfiguration"), dict), s3.bucket_replication),
    (lambda o: isinstance(o.get("Policy"), dict) and "Content" in o["Policy"], org.describe_policy),
    (
        lambda o: isinstance(o.get("Records"), list) or isinstance(o.get("Events"), list),
        cloudtrail.events,
    ),
    (cloudtrail.is_event, cloudtrail.events),
    (lambda o: "Statement" in o, _plain_policy),
]


def paste_aws(document: dict, text: str | bytes, target: str = "") -> PasteResult:
    """Merge the AWS output in `text` into a copy of `document`.

    `target` is the ref of the node the user chose for output that does not
    name its own (a bucket for get-bucket-encryption, a principal for
    get-policy-version); empty lets the paste decide.
    """
    try:
        value = parse_json(text)
    except JsonTextError as exc:
        return PasteResult(document, (), (exc.problem,))
    b = Builder(document, target)
    if isinstance(value, dict) and value.get("format") == 1 and "accounts" in value:
        b.warn(
            "import.unrecognised",
            "This is a scenario document: use Import to open it (it replaces the scenario).",
        )
    elif isinstance(value, dict):
        shape = next((convert for accepts, convert in _SHAPES if accepts(value)), None)
        if shape is None:
            b.warn("import.unrecognised", _unrecognised(value))
        else:
            shape(b, value)
    else:
        b.warn("import.unrecognised", "AWS CLI output is a JSON object; this is not one.")
    where = positions(text if isinstance(text, str) else text.decode("utf-8", "replace"))
    return PasteResult(b.doc, tuple(b.recognised), tuple(locate(b.problems, where)))


def _unrecognised(value: dict) -> str:
    fields = ", ".join(list(value)[:5]) or "nothing"
    return (
        f"Not recognised (top-level fields: {fields}). Paste the JSON output of one of: aws kms "
        "get-key-policy, describe-key, list-aliases, list-grants; aws iam "
        "get-account-authorization-details, get-role, get-user, get-role-policy, "
        "get-policy-version; aws s3api get-bucket-policy, get-bucket-encryption, "
        "get-bucket-replication; aws organizations describe-policy; or a CloudTrail event."
    )


# The wrappers a policy editor takes its policy out of: (label, pointer path to the policy).
_WRAPPERS: list[tuple[str, tuple[str, ...]]] = [
    ("aws kms get-key-policy / aws s3api get-bucket-policy", ("Policy",)),
    ("aws iam get-role-policy / get-user-policy", ("PolicyDocument",)),
    ("aws iam get-policy-version", ("PolicyVersion", "Document")),
    ("aws organizations describe-policy", ("Policy", "Content")),
    ("aws iam get-role (its trust policy)", ("Role", "AssumeRolePolicyDocument")),
]


def unwrap_policy(value: object) -> tuple[dict, str] | None:
    """(policy, what it was wrapped in) when `value` is AWS output around one policy."""
    if not isinstance(value, dict) or "Statement" in value:
        return None
    for label, path in _WRAPPERS:
        inner: object = value
        for part in path:
            inner = inner.get(part) if isinstance(inner, dict) else None
        if inner is None:
            continue
        b = Builder({})
        policy = b.policy(inner, "")
        if policy is not None and not b.problems and "Statement" in policy:
            return policy, label
    return None


__all__ = ["PasteResult", "paste_aws", "problem", "unwrap_policy"]
