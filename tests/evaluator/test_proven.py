"""Proven fixes: every fix offered flips its attempt, and the near miss is named."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import evaluator

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNT = "111122223333"
ETL = f"arn:aws:iam::{ACCOUNT}:role/etl-job"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _doc(*statements: dict, roles: tuple[str, ...] = ("etl-job",)) -> dict:
    return {
        "format": 1,
        "accounts": [{"id": ACCOUNT}],
        "principals": [
            {"type": "role", "account": ACCOUNT, "name": name, "trust_policy": TRUST}
            for name in roles
        ],
        "keys": [
            {
                "id": "1234abcd-12ab-34cd-56ef-1234567890ab",
                "account": ACCOUNT,
                "aliases": ["alias/orders"],
                "policy": {"Version": "2012-10-17", "Statement": list(statements)},
            }
        ],
        "attempts": [
            {
                "id": "enc",
                "principal": ETL,
                "action": "kms:Encrypt",
                "resource": KEY,
                "plaintext": "x",
            }
        ],
    }


OLD_NAME = {
    "Sid": "EtlJob",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/etl-job-old"},
    "Action": "kms:Encrypt",
    "Resource": "*",
}
GRANTS_FOR_SERVICES = {
    "Sid": "GrantsForAwsServices",
    "Effect": "Allow",
    "Principal": {"AWS": ETL},
    "Action": "kms:CreateGrant",
    "Resource": "*",
    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
}


def _authorization(doc: dict) -> str:
    loaded = evaluator.load_scenario(doc)
    assert loaded.ok, loaded.problems
    (result,) = evaluator.evaluate(loaded.scenario, now=NOW, attempt_ids=["enc"]).results
    return result.authorization


def test_every_offered_fix_flips_the_attempt_and_the_near_miss_comes_first():
    doc = _doc(OLD_NAME, GRANTS_FOR_SERVICES)
    assert _authorization(doc) == "implicit_deny"
    fixes = evaluator.proven_fixes(doc, "enc", now=NOW)
    assert fixes
    for fix in fixes:
        assert _authorization(dict(fix.document)) == "allow", fix.title
    first = fixes[0]
    assert first.kind == "near-miss principal"
    assert '"etl-job-old" is named where "etl-job" calls' in first.note
    changed = first.after["Statement"][0]["Principal"]["AWS"]  # type: ignore[index]
    assert changed == ETL


def test_adding_the_action_to_a_statement_its_condition_keeps_shut_is_not_offered():
    # Adding kms:Encrypt to the GrantIsForAWSResource statement names the caller
    # but its condition never holds for Encrypt: the edit does not flip, so it is dropped.
    fixes = evaluator.proven_fixes(_doc(OLD_NAME, GRANTS_FOR_SERVICES), "enc", now=NOW)
    assert not [f for f in fixes if f.kind == "add the action"]


def _allow_kms(name: str) -> dict:
    return {
        "name": name,
        "policy": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}],
        },
    }


def test_a_fix_that_opens_the_key_to_others_says_so_and_ranks_after_contained_ones():
    root = {
        "Sid": "RootDelegation",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    deny_all = {
        "Sid": "NoOne",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
    }
    doc = _doc(root, deny_all, roles=("etl-job", "reporting"))
    for principal in doc["principals"]:
        principal["policies"] = [_allow_kms("Kms")]
    assert _authorization(doc) == "explicit_deny"
    fixes = evaluator.proven_fixes(doc, "enc", limit=10, now=NOW)
    kinds = [f.kind for f in fixes]
    dropped = fixes[kinds.index("drop the Deny")]
    narrowed = fixes[kinds.index("narrow the Deny")]
    assert not narrowed.widens
    assert dropped.widens  # reporting may use the key too once the Deny is gone
    reporting = f"arn:aws:iam::{ACCOUNT}:role/reporting"
    assert {e.source for e in dropped.others} == {reporting}
    assert kinds.index("narrow the Deny") < kinds.index("drop the Deny")


def test_no_fix_for_an_allowed_attempt():
    allow = {**OLD_NAME, "Principal": {"AWS": ETL}}
    assert evaluator.proven_fixes(_doc(allow), "enc", now=NOW) == []


def test_the_input_document_is_left_as_it_was():
    doc = _doc(OLD_NAME)
    before = copy.deepcopy(doc)
    evaluator.proven_fixes(doc, "enc", now=NOW)
    assert doc == before


def _chain_doc(trusted_by_b: str) -> dict:
    """alice assumes role-a, which assumes role-b, which encrypts with the key."""
    assume_any = {
        "name": "assume",
        "policy": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
        },
    }
    trust_b = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/{trusted_by_b}"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    doc = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/role-b"},
            "Action": "kms:Encrypt",
            "Resource": "*",
        },
        roles=("role-a", "role-b"),
    )
    doc["principals"].insert(
        0, {"type": "user", "account": ACCOUNT, "name": "alice", "policies": [assume_any]}
    )
    doc["principals"][1]["policies"] = [assume_any]
    doc["principals"][2]["trust_policy"] = trust_b
    doc["attempts"][0].update(
        principal=f"arn:aws:iam::{ACCOUNT}:user/alice",
        assume=[
            {"role": f"arn:aws:iam::{ACCOUNT}:role/role-a"},
            {"role": f"arn:aws:iam::{ACCOUNT}:role/role-b"},
        ],
    )
    return doc


def test_a_chain_refused_at_its_second_role_is_fixed_in_that_roles_trust_policy():
    doc = _chain_doc("role-a-old")
    assert _authorization(doc) == "implicit_deny"
    assert _authorization(_chain_doc("role-a")) == "allow"  # the chain itself works
    fixes = evaluator.proven_fixes(doc, "enc", now=NOW)
    assert fixes, "a fix to role-b's trust policy flips the attempt"
    assert fixes[0].pointer == "/principals/2/trust_policy"
    assert "role-a-old" in fixes[0].note
    for fix in fixes:
        assert _authorization(dict(fix.document)) == "allow"


def test_proven_fixes_stop_at_the_budget_with_what_they_proved():
    doc = _doc(OLD_NAME, GRANTS_FOR_SERVICES)
    unbounded = evaluator.proven_fixes(doc, "enc", now=NOW)
    assert unbounded
    assert evaluator.proven_fixes(doc, "enc", now=NOW, budget=evaluator.Budget(steps=5)) == []
    roomy = evaluator.Budget(steps=10_000_000)
    assert [f.id for f in evaluator.proven_fixes(doc, "enc", now=NOW, budget=roomy)] == [
        f.id for f in unbounded
    ]


def _fix_kinds_that_flip(doc: dict) -> dict[str, evaluator.ProvenFix]:
    fixes = evaluator.proven_fixes(doc, "enc", now=NOW, limit=20)
    for fix in fixes:
        assert _authorization(dict(fix.document)) == "allow", fix.title
    return {f.kind: f for f in fixes}


def test_an_scp_level_that_allows_nothing_for_the_call_gets_an_allow_there():
    doc = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    doc["accounts"] = [{"id": "999988887777"}, {"id": ACCOUNT, "parent": "ou-a1b2-apps0000"}]
    doc["organization"] = {
        "id": "o-a1b2c3d4e5",
        "root": "r-a1b2",
        "management_account": "999988887777",
        "units": [{"id": "ou-a1b2-apps0000", "name": "Apps", "parent": "r-a1b2"}],
        "scps": [
            {
                "name": "FullAWSAccess",
                "targets": ["r-a1b2"],
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                },
            },
            {
                "name": "OnlyS3",
                "targets": ["ou-a1b2-apps0000"],
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                },
            },
        ],
    }
    doc["principals"][0]["policies"] = [
        {
            "name": "use",
            "policy": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}],
            },
        }
    ]
    assert _authorization(doc) == "implicit_deny"
    fix = _fix_kinds_that_flip(doc)["SCP allow"]
    assert fix.pointer == "/organization/scps/1/policy"
    assert "OnlyS3" in fix.title


def test_a_cross_account_s3_read_is_fixed_in_a_bucket_policy_made_for_it():
    other = "444455556666"
    doc = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ETL},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    )
    doc["accounts"].append({"id": other})
    doc["principals"][0]["policies"] = [
        {
            "name": "read",
            "policy": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            },
        }
    ]
    doc["buckets"] = [
        {
            "name": "partner-data",
            "account": other,
            "default_encryption": {"algorithm": "AES256"},
            "objects": [{"key": "report.csv"}],
        }
    ]
    doc["attempts"] = [
        {
            "id": "enc",
            "principal": ETL,
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::partner-data/report.csv",
        }
    ]
    assert _authorization(doc) == "implicit_deny"
    fix = _fix_kinds_that_flip(doc)["bucket policy"]
    assert fix.pointer == "/buckets/0/policy" and fix.before is None
    assert fix.after["Statement"][0]["Principal"] == {"AWS": ETL}
