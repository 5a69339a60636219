"""Generate a large, realistic scenario for the evaluator benchmark.

    .venv/bin/python bench/gen_scenario.py --principals 100 --keys 20 --out /tmp/bench-100.json

The output is deterministic for a given (--principals, --keys, --seed): the
same arguments always give the same bytes. The scenario has:

- 2 accounts; principals alternate between them (half in each), two roles for
  every user;
- per principal, 5 identity policies of 2 to 4 statements each, with
  wildcards, Deny statements and conditions on encryption context, caller
  account, principal tags (policy variables too), source IP and secure
  transport;
- per key (half in each account), a key policy of 10 statements: root
  delegation, key administrators, named principals of both accounts,
  `kms:ViaService`, `kms:CallerAccount`, `kms:EncryptionContext:*`,
  `StringLike` on `aws:PrincipalArn`, `ForAnyValue` on
  `kms:EncryptionContextKeys`, grants for AWS resources and a `Deny` on
  `aws:SourceIp`;
- one attempt for every principal x key x action, for 6 actions (Encrypt,
  Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, DescribeKey,
  ReEncryptFrom with a destination key). Attempts carry no plaintext and no
  ciphertext, so authorization dominates the run: Decrypt and ReEncrypt are
  judged without a cryptographic step, and Encrypt / GenerateDataKey only seal
  an empty text or a 32-byte data key when allowed.

By default the script also loads the result with `evaluator.load_scenario` and
checks `evaluator.policy_problems` (needs Django's project on the path, not its
settings): any error makes it exit 1.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from pathlib import Path

REGION = "us-east-1"
ACCOUNTS = ("111122223333", "444455556666")
ACCOUNT_NAMES = ("Workloads", "Shared Services")
TEAMS = ("payments", "ledger", "search", "analytics", "identity")
ENVS = ("prod", "staging", "dev")
CORPORATE_NETS = ["10.0.0.0/8", "172.16.0.0/12"]
VIA_SERVICES = [
    f"s3.{REGION}.amazonaws.com",
    f"ec2.{REGION}.amazonaws.com",
    f"dynamodb.{REGION}.amazonaws.com",
    f"secretsmanager.{REGION}.amazonaws.com",
]
ACTIONS = (
    ("kms:Encrypt", "enc"),
    ("kms:Decrypt", "dec"),
    ("kms:GenerateDataKey", "gdk"),
    ("kms:GenerateDataKeyWithoutPlaintext", "gdkwp"),
    ("kms:DescribeKey", "desc"),
    ("kms:ReEncryptFrom", "reenc"),
)
USE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
]
ADMIN_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
]


def other(account: str) -> str:
    return ACCOUNTS[1] if account == ACCOUNTS[0] else ACCOUNTS[0]


def key_arn(key: dict) -> str:
    return f"arn:aws:kms:{REGION}:{key['account']}:key/{key['id']}"


def principal_arn(p: dict) -> str:
    return f"arn:aws:iam::{p['account']}:{p['type']}/{p['name']}"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# ----------------------------------------------------------------------------- principals


def make_principals(rng: random.Random, count: int) -> list[dict]:
    out = []
    for i in range(count):
        account = ACCOUNTS[i % 2]
        team = TEAMS[rng.randrange(len(TEAMS))]
        kind = "user" if i % 3 == 2 else "role"
        name = f"dev-{team}-{i:04d}" if kind == "user" else f"app-{team}-{i:04d}"
        tags = {
            "team": team,
            "env": rng.choice(ENVS),
            "tenant": f"tenant-{rng.randrange(8)}",
            "cost-center": f"cc-{rng.randrange(100, 999)}",
        }
        out.append({"type": kind, "account": account, "name": name, "tags": tags})
    return out


def _pick(rng: random.Random, pool: list[dict]) -> list[dict]:
    """2 to 4 statements of a pool, in the pool's order."""
    chosen = sorted(rng.sample(range(len(pool)), rng.randint(2, 4)))
    return [pool[i] for i in chosen]


def identity_policies(rng: random.Random, p: dict, keys: list[dict]) -> list[dict]:
    own = p["account"]
    far = other(own)
    team = p["tags"]["team"]
    some_keys = [key_arn(k) for k in rng.sample(keys, min(3, len(keys)))]

    data_plane = [
        {
            "Sid": "UseOwnAccountKeysForTeamData",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": f"arn:aws:kms:{REGION}:{own}:key/*",
            "Condition": {
                "StringEquals": {"kms:EncryptionContext:team": "${aws:PrincipalTag/team}"}
            },
        },
        {
            "Sid": "ReadKeyMetadata",
            "Effect": "Allow",
            "Action": ["kms:DescribeKey", "kms:List*", "kms:Get*"],
            "Resource": "*",
        },
        {
            "Sid": "ReEncryptWithinAccount",
            "Effect": "Allow",
            "Action": "kms:ReEncrypt*",
            "Resource": f"arn:aws:kms:*:{own}:key/*",
            "Condition": {"StringEquals": {"kms:CallerAccount": own}},
        },
        {
            "Sid": "DenyWithoutTls",
            "Effect": "Deny",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DecryptNamedKeysThroughS3",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": some_keys,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
        },
    ]
    cross_account = [
        {
            "Sid": "UseSharedServicesKeys",
            "Effect": "Allow",
            "Action": USE_ACTIONS,
            "Resource": f"arn:aws:kms:{REGION}:{far}:key/*",
            "Condition": {"StringEquals": {"kms:CallerAccount": own}},
        },
        {
            "Sid": "DecryptThroughAnyRegionalService",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:*:*:key/*",
            "Condition": {"StringLike": {"kms:ViaService": f"*.{REGION}.amazonaws.com"}},
        },
        {
            "Sid": "DenyNonProdOnProdData",
            "Effect": "Deny",
            "Action": ["kms:Decrypt", "kms:ReEncrypt*"],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:PrincipalTag/env": "prod"},
                "StringEquals": {"kms:EncryptionContext:env": "prod"},
            },
        },
        {
            "Sid": "WrapKeysWithKnownContext",
            "Effect": "Allow",
            "Action": "kms:GenerateDataKeyWithoutPlaintext",
            "Resource": "*",
            "Condition": {
                "ForAllValues:StringEquals": {
                    "kms:EncryptionContextKeys": ["team", "env", "tenant", "project"]
                }
            },
        },
    ]
    network = [
        {
            "Sid": "DenyOutsideCorporateNetwork",
            "Effect": "Deny",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {
                "NotIpAddress": {"aws:SourceIp": CORPORATE_NETS},
                "Bool": {"aws:ViaAWSService": "false"},
            },
        },
        {
            "Sid": "DenyKeyDestruction",
            "Effect": "Deny",
            "Action": ["kms:ScheduleKeyDeletion", "kms:Disable*", "kms:PutKeyPolicy"],
            "Resource": "*",
        },
        {
            "Sid": "EncryptFromOfficeNetwork",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                "StringEquals": {"aws:PrincipalTag/env": ["prod", "staging"]},
            },
        },
        {
            "Sid": "DenyEncryptWithoutTeamContext",
            "Effect": "Deny",
            "Action": "kms:Encrypt",
            "Resource": "*",
            "Condition": {"Null": {"kms:EncryptionContext:team": "true"}},
        },
    ]
    abac = [
        {
            "Sid": "DecryptOwnTenantData",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:*:*:key/*",
            "Condition": {
                "StringEquals": {"kms:EncryptionContext:tenant": "${aws:PrincipalTag/tenant}"}
            },
        },
        {
            "Sid": "DescribeAndList",
            "Effect": "Allow",
            "Action": ["kms:Describe*", "kms:List*"],
            "Resource": "*",
        },
        {
            "Sid": "DenyOtherTeamsData",
            "Effect": "Deny",
            "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {"kms:EncryptionContext:team": team},
                "StringNotEquals": {"aws:PrincipalTag/team": "identity"},
            },
        },
        {
            "Sid": "DataKeysForProjects",
            "Effect": "Allow",
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {"StringLike": {"kms:EncryptionContext:project": "proj-*"}},
        },
    ]
    service = [
        {
            "Sid": "GrantsForAwsResources",
            "Effect": "Allow",
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": f"arn:aws:kms:{REGION}:*:key/*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
        {
            "Sid": "UseThroughDataServices",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": VIA_SERVICES}},
        },
        {
            "Sid": "DenyCallersOutsideTheCompany",
            "Effect": "Deny",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"kms:CallerAccount": list(ACCOUNTS)}},
        },
        {
            "Sid": "ReEncryptTaggedPrincipals",
            "Effect": "Allow",
            "NotAction": ["kms:Create*", "kms:Put*", "kms:Delete*", "kms:Schedule*"],
            "Resource": f"arn:aws:kms:{REGION}:{own}:key/*",
            "Condition": {
                "StringEquals": {"aws:PrincipalTag/team": team},
                "StringLike": {"kms:EncryptionContext:tenant": "tenant-*"},
            },
        },
    ]
    themes = [
        (f"KmsDataPlane-{team}", data_plane),
        ("CrossAccountKeys", cross_account),
        ("NetworkGuardrails", network),
        ("TenantAbac", abac),
        ("ServiceIntegration", service),
    ]
    return [{"name": name, "policy": policy(*_pick(rng, pool))} for name, pool in themes]


def trust_policy(account: str) -> dict:
    return policy(
        {
            "Sid": "TrustEcsTasks",
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
        {
            "Sid": "TrustAccount",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "sts:AssumeRole",
        },
    )


# ----------------------------------------------------------------------------- keys


def make_keys(rng: random.Random, count: int) -> list[dict]:
    keys = []
    for i in range(count):
        account = ACCOUNTS[i % 2]
        kid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        keys.append(
            {
                "id": kid,
                "account": account,
                "aliases": [f"alias/{TEAMS[i % len(TEAMS)]}-data-{i:02d}"],
                "description": f"Data key {i} of {ACCOUNT_NAMES[i % 2]}",
            }
        )
    return keys


def key_policy(rng: random.Random, i: int, key: dict, principals: list[dict]) -> dict:
    owner = key["account"]
    far = other(owner)
    mine = [p for p in principals if p["account"] == owner]
    theirs = [p for p in principals if p["account"] == far]
    admins = [principal_arn(p) for p in rng.sample(mine, min(2, len(mine)))]
    users = [principal_arn(p) for p in rng.sample(mine, min(3, len(mine)))]
    users += [principal_arn(p) for p in rng.sample(theirs, min(3, len(theirs)))]
    tenant_readers = [principal_arn(p) for p in rng.sample(principals, min(4, len(principals)))]
    team = TEAMS[i % len(TEAMS)]
    return policy(
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{owner}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "Allow access for Key Administrators",
            "Effect": "Allow",
            "Principal": {"AWS": admins},
            "Action": ADMIN_ACTIONS,
            "Resource": "*",
        },
        {
            "Sid": "Allow use of the key by named principals",
            "Effect": "Allow",
            "Principal": {"AWS": users},
            "Action": USE_ACTIONS,
            "Resource": "*",
        },
        {
            "Sid": "Allow access through EC2 and S3 for principals of the account",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [*USE_ACTIONS, "kms:CreateGrant"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": owner,
                    "kms:ViaService": [f"ec2.{REGION}.amazonaws.com", f"s3.{REGION}.amazonaws.com"],
                }
            },
        },
        {
            "Sid": "Allow the other account to decrypt and wrap",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{far}:root"},
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": far}},
        },
        {
            "Sid": "Allow tenant data for named readers",
            "Effect": "Allow",
            "Principal": {"AWS": tenant_readers},
            "Action": ["kms:Decrypt", "kms:Encrypt"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:EncryptionContext:tenant": f"tenant-{i % 8}",
                    "kms:EncryptionContext:team": [team, "identity"],
                }
            },
        },
        {
            "Sid": "Allow application roles by ARN pattern",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "aws:PrincipalArn": [
                        f"arn:aws:iam::{owner}:role/app-{team}-*",
                        f"arn:aws:iam::{far}:role/app-*",
                    ]
                },
                "StringEquals": {"kms:CallerAccount": list(ACCOUNTS)},
            },
        },
        {
            "Sid": "Allow data keys bound to a tenant or project",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{owner}:root", f"arn:aws:iam::{far}:root"]},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {
                "ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "project"]}
            },
        },
        {
            "Sid": "Allow attachment of persistent resources",
            "Effect": "Allow",
            "Principal": {"AWS": users},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
        {
            "Sid": "Deny use from outside the corporate network",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": USE_ACTIONS,
            "Resource": "*",
            "Condition": {
                "NotIpAddress": {"aws:SourceIp": CORPORATE_NETS},
                "Bool": {"aws:ViaAWSService": "false"},
            },
        },
    )


# ----------------------------------------------------------------------------- attempts


def encryption_context(rng: random.Random, p: dict) -> dict[str, str] | None:
    roll = rng.random()
    if roll < 0.25:
        return None
    tags = p["tags"]
    ec = {"team": tags["team"] if rng.random() < 0.8 else rng.choice(TEAMS)}
    if rng.random() < 0.6:
        ec["tenant"] = tags["tenant"] if rng.random() < 0.7 else f"tenant-{rng.randrange(8)}"
    if rng.random() < 0.4:
        ec["env"] = rng.choice(ENVS)
    if rng.random() < 0.3:
        ec["project"] = f"proj-{rng.randrange(50)}"
    if rng.random() < 0.1:
        ec["request-id"] = f"req-{rng.getrandbits(32):08x}"
    return ec


def make_attempts(rng: random.Random, principals: list[dict], keys: list[dict]) -> list[dict]:
    attempts = []
    arns = [key_arn(k) for k in keys]
    for pi, p in enumerate(principals):
        arn = principal_arn(p)
        for ki, resource in enumerate(arns):
            for action, short in ACTIONS:
                a: dict = {
                    "id": f"p{pi:04d}-k{ki:02d}-{short}",
                    "principal": arn,
                    "action": action,
                    "resource": resource,
                }
                if action == "kms:ReEncryptFrom":
                    a["destination"] = arns[(ki + 1) % len(arns)]
                roll = rng.random()
                if roll < 0.3:
                    a["via_service"] = rng.choice(VIA_SERVICES)
                elif roll < 0.9:
                    inside = rng.random() < 0.85
                    ip = (
                        f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                        if inside
                        else f"203.0.113.{rng.randrange(1, 255)}"
                    )
                    a["context"] = {"aws:SourceIp": ip}
                    if rng.random() < 0.03:
                        a["context"]["aws:SecureTransport"] = False
                if action != "kms:DescribeKey":
                    ec = encryption_context(rng, p)
                    if ec:
                        a["encryption_context"] = ec
                attempts.append(a)
    return attempts


# ----------------------------------------------------------------------------- document


def generate(principals: int, keys: int, seed: int = 20261128) -> dict:
    if principals < 2 or keys < 2:
        raise ValueError("need at least 2 principals and 2 keys")
    rng = random.Random(f"{seed}:{principals}:{keys}")
    people = make_principals(rng, principals)
    key_docs = make_keys(rng, keys)
    for i, k in enumerate(key_docs):
        k["policy"] = key_policy(rng, i, k, people)
    for p in people:
        p["policies"] = identity_policies(rng, p, key_docs)
        if p["type"] == "role":
            p["trust_policy"] = trust_policy(p["account"])
    return {
        "format": 1,
        "title": f"Benchmark: {principals} principals x {keys} keys x {len(ACTIONS)} actions",
        "description": "Generated by bench/gen_scenario.py for the evaluator benchmark.",
        "region": REGION,
        "accounts": [{"id": a, "name": n} for a, n in zip(ACCOUNTS, ACCOUNT_NAMES, strict=True)],
        "principals": people,
        "keys": key_docs,
        "attempts": make_attempts(rng, people, key_docs),
    }


def dump(doc: dict, compact: bool) -> str:
    if compact:
        return json.dumps(doc, separators=(",", ":"))
    return json.dumps(doc, indent=2) + "\n"


def validate(text: str) -> list[str]:
    """Problems that make the document unusable (errors), as readable lines."""
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from evaluator import load_scenario, policy_problems

    loaded = load_scenario(text)
    lines = [f"load: {p}" for p in loaded.problems]
    if loaded.scenario is None:
        return lines or ["load: not a scenario"]
    lines += [f"policy: {p}" for p in policy_problems(loaded.scenario)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--principals", type=int, default=100)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--out", default="-", help="output file, - for standard output")
    parser.add_argument("--compact", action="store_true", help="no indentation")
    parser.add_argument("--no-validate", action="store_true", help="skip the evaluator check")
    args = parser.parse_args(argv)
    doc = generate(args.principals, args.keys, args.seed)
    text = dump(doc, args.compact)
    if not args.no_validate:
        problems = validate(text)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            return 1
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(
            f"{args.out}: {len(doc['principals'])} principals, {len(doc['keys'])} keys, "
            f"{len(doc['attempts'])} attempts, {len(text.encode()):,} bytes",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
