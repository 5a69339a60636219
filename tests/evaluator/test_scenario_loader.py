"""load_scenario: the model it builds, and every problem at its pointer, line and column."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from evaluator.core.scenario import LoadResult, Principal, load_scenario

A = "111122223333"
B = "444455556666"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
POLICY = {"Version": "2012-10-17", "Statement": []}


def base() -> dict:
    """A valid document that touches every part of the format."""
    return {
        "format": 1,
        "title": "All parts",
        "organization": {
            "id": "o-a1b2c3d4e5",
            "management_account": A,
            "units": [{"id": "ou-prod", "name": "Prod", "parent": "r-root"}],
            "scps": [{"name": "guard", "targets": ["ou-prod"], "policy": POLICY}],
            "rcps": [{"name": "perimeter", "targets": ["r-root"], "policy": POLICY}],
        },
        "accounts": [{"id": A, "name": "management"}, {"id": B, "parent": "ou-prod"}],
        "groups": [{"account": B, "name": "devs", "policies": [{"name": "g", "policy": POLICY}]}],
        "principals": [
            {"type": "user", "account": B, "name": "alice", "groups": ["devs"]},
            {"type": "role", "account": B, "name": "app", "trust_policy": POLICY},
        ],
        "keys": [
            {
                "id": KEY_ID,
                "account": B,
                "aliases": ["alias/app"],
                "policy": POLICY,
                "grants": [{"id": "g1", "grantee": "s3.amazonaws.com", "operations": ["Decrypt"]}],
            }
        ],
        "buckets": [
            {
                "name": "src",
                "account": B,
                "default_encryption": {"algorithm": "aws:kms", "key": KEY_ID},
                "objects": [{"key": "a.txt"}],
                "replication": {
                    "role": f"arn:aws:iam::{B}:role/app",
                    "rules": [{"destination_bucket": "dst"}],
                },
            },
            {"name": "dst", "account": A},
        ],
        "vpc_endpoints": [{"id": "vpce-1", "account": B, "service": "kms"}],
        "attempts": [
            {
                "id": "enc",
                "principal": f"arn:aws:iam::{B}:user/alice",
                "action": "kms:Encrypt",
                "resource": "alias/app",
                "expect": "allow",
            },
            {
                "id": "dec",
                "principal": f"arn:aws:iam::{B}:role/app",
                "action": "kms:Decrypt",
                "ciphertext": {"from_attempt": "enc"},
            },
        ],
    }


def load_text(doc: dict) -> tuple[LoadResult, str]:
    text = json.dumps(doc, indent=2)
    return load_scenario(text), text


def place_of(text: str, fragment: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of `fragment` in `text`."""
    index = text.index(fragment)
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def with_change(change: Callable[[dict], object]) -> dict:
    doc = copy.deepcopy(base())
    change(doc)
    return doc


# --------------------------------------------------------------------------- valid documents


def test_minimal_document_loads_with_defaults():
    result = load_scenario('{"format": 1, "accounts": [{"id": "111122223333"}]}')
    assert result.ok and result.problems == ()
    scenario = result.scenario
    assert scenario is not None
    assert scenario.region == "us-east-1"
    assert scenario.organization is None
    account = scenario.accounts[0]
    assert (account.in_organization, account.parent, account.pointer) == (
        False,
        None,
        "/accounts/0",
    )
    assert scenario.principals == scenario.keys == scenario.attempts == ()


def test_the_full_sample_loads_without_problems():
    result, _ = load_text(base())
    assert result.ok, [str(p) for p in result.problems]
    assert result.problems == ()


def test_parsed_mapping_loads_like_text_without_positions_and_is_copied():
    doc = base()
    result = load_scenario(doc)
    assert result.ok
    doc["title"] = "changed later"
    assert result.scenario is not None and result.scenario.raw["title"] == "All parts"


def test_bytes_load_like_text():
    assert load_scenario(json.dumps(base()).encode()).ok


def test_key_defaults_follow_the_scenario_region_and_the_contract():
    doc = with_change(lambda d: d.update(region="eu-west-1"))
    result, _ = load_text(doc)
    key = result.scenario.keys[0]
    assert (key.region, key.state, key.manager, key.spec, key.usage, key.origin) == (
        "eu-west-1",
        "Enabled",
        "CUSTOMER",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
    )
    assert key.arn == f"arn:aws:kms:eu-west-1:{B}:key/{KEY_ID}"
    assert key.alias_arns == (f"arn:aws:kms:eu-west-1:{B}:alias/app",)
    assert key.policy.name == "key policy" and key.policy.pointer == "/keys/0/policy"
    grant = key.grants[0]
    assert (grant.propagated, grant.token, grant.constraints) == (True, "token-g1", None)


def test_accounts_join_the_organization_under_the_root_by_default():
    result, _ = load_text(base())
    scenario = result.scenario
    assert [(a.in_organization, a.parent) for a in scenario.accounts] == [
        (True, "r-root"),
        (True, "ou-prod"),
    ]
    assert scenario.organization.root == "r-root"
    assert scenario.org_path(B) == ("r-root", "ou-prod", B)


def test_an_account_can_stay_outside_the_organization():
    doc = with_change(
        lambda d: d["accounts"].append({"id": "999988887777", "in_organization": False})
    )
    result, _ = load_text(doc)
    outsider = result.scenario.account("999988887777")
    assert (outsider.in_organization, outsider.parent) == (False, None)
    assert result.scenario.org_path("999988887777") == ()


@pytest.mark.parametrize(
    ("kind", "path", "arn"),
    [
        pytest.param("user", "/", f"arn:aws:iam::{A}:user/alice", id="user-root-path"),
        pytest.param("user", "/a/b/", f"arn:aws:iam::{A}:user/a/b/alice", id="user-nested-path"),
        pytest.param("role", "/", f"arn:aws:iam::{A}:role/alice", id="role-root-path"),
        pytest.param("role", "/svc/", f"arn:aws:iam::{A}:role/svc/alice", id="role-path"),
    ],
)
def test_principal_arn_puts_the_path_between_type_and_name(kind, path, arn):
    assert Principal(kind, A, "alice", path).arn == arn


def test_role_under_aws_service_role_path_is_service_linked():
    slr = Principal("role", A, "AWSServiceRoleForX", "/aws-service-role/x.amazonaws.com/")
    assert slr.is_service_linked
    assert not Principal("role", A, "x", "/").is_service_linked
    assert not Principal("user", A, "x", "/aws-service-role/").is_service_linked


def test_lookups_find_each_part_by_its_identity():
    doc = with_change(lambda d: d["principals"][1].update(path="/svc/"))
    doc["attempts"][1]["principal"] = f"arn:aws:iam::{B}:role/svc/app"
    result, _ = load_text(doc)
    s = result.scenario
    assert s.account(A).name == "management"
    assert s.principal_by_arn(f"arn:aws:iam::{B}:user/alice").name == "alice"
    assert s.role_by_arn(f"arn:aws:iam::{B}:role/svc/app").name == "app"
    assert s.role_by_arn(f"arn:aws:iam::{B}:user/alice") is None
    assert s.role_named(B, "app").path == "/svc/"
    assert s.key_by_id(B, "us-east-1", KEY_ID) is s.keys[0]
    assert s.key_by_alias(B, "us-east-1", "alias/app") is s.keys[0]
    assert s.keys_by_alias[(B, "us-east-1", "alias/app")] is s.keys[0]
    assert s.key_by_arn(s.keys[0].arn) is s.keys[0]
    assert s.bucket("dst").arn == "arn:aws:s3:::dst"
    assert s.group(B, "devs").policies[0].pointer == "/groups/0/policies/0/policy"
    assert s.endpoint("vpce-1").service == "kms"
    assert s.attempt("dec").ciphertext_from == "enc"
    assert s.account("000000000000") is None


def test_policy_given_as_a_json_string_is_accepted_as_is():
    policy_text = json.dumps(POLICY)
    doc = with_change(lambda d: d["keys"][0].update(policy=policy_text))
    result, _ = load_text(doc)
    assert result.ok
    assert result.scenario.keys[0].policy.document == policy_text


def test_scp_keeps_its_raw_document_and_points_inside_the_entry():
    result, _ = load_text(base())
    scp = result.scenario.organization.scps[0]
    assert (scp.name, scp.targets, scp.document) == ("guard", ("ou-prod",), POLICY)
    assert scp.policy.pointer == "/organization/scps/0/policy"


def test_attempt_fields_are_read_into_the_model():
    def change(d: dict) -> None:
        d["attempts"].append(
            {
                "id": "grant",
                "title": "Give the role Decrypt",
                "principal": f"arn:aws:sts::{B}:assumed-role/app/session-1",
                "action": "kms:CreateGrant",
                "resource": KEY_ID,
                "via_service": "ec2.us-east-1.amazonaws.com",
                "encryption_context": {"dept": "it"},
                "grant": {
                    "grantee": f"arn:aws:iam::{B}:role/app",
                    "operations": ["Decrypt"],
                    "constraints": {"encryption_context_equals": {"dept": "it"}},
                },
                "grant_tokens": ["token-g1"],
                "context": {"aws:SourceVpce": "vpce-1", "aws:SecureTransport": True},
                "assume": [{"role": f"arn:aws:iam::{B}:role/app", "session_name": "s"}],
                "expect": "AccessDeniedException",
            }
        )

    result, _ = load_text(with_change(change))
    attempt = result.scenario.attempt("grant")
    assert attempt.grant.constraints.kind == "equals"
    assert attempt.grant.constraints.context == {"dept": "it"}
    assert attempt.assume[0].session_name == "s"
    assert attempt.context["aws:SecureTransport"] is True
    assert attempt.grant_tokens == ("token-g1",)
    assert attempt.pointer == "/attempts/2"


# --------------------------------------------------------------------------- one problem each

# (change, pointer, code, fragment of the dumped text where the editor should point)
ONE_PROBLEM = [
    pytest.param(
        lambda d: d["keys"][0].update(state="Disabeld"),
        "/keys/0/state",
        "scenario.value",
        '"state"',
        id="key-state-not-in-enum",
    ),
    pytest.param(
        lambda d: d["keys"][0].update(manager="ME"),
        "/keys/0/manager",
        "scenario.value",
        '"manager"',
        id="key-manager-not-in-enum",
    ),
    pytest.param(
        lambda d: d["keys"][0].update(origin="HSM"),
        "/keys/0/origin",
        "scenario.value",
        '"origin"',
        id="key-origin-not-in-enum",
    ),
    pytest.param(
        lambda d: d["principals"][0].update(type="group"),
        "/principals/0/type",
        "scenario.value",
        '"type": "group"',
        id="principal-type-not-in-enum",
    ),
    pytest.param(
        lambda d: d["vpc_endpoints"][0].update(service="ec2"),
        "/vpc_endpoints/0/service",
        "scenario.value",
        '"service"',
        id="endpoint-service-not-in-enum",
    ),
    pytest.param(
        lambda d: d["buckets"][0]["default_encryption"].update(algorithm="DES"),
        "/buckets/0/default_encryption/algorithm",
        "scenario.value",
        '"algorithm"',
        id="encryption-algorithm-not-in-enum",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(expect="maybe"),
        "/attempts/0/expect",
        "scenario.value",
        '"expect"',
        id="expect-not-an-outcome",
    ),
    pytest.param(
        lambda d: d["accounts"].append({"id": "12345"}),
        "/accounts/2/id",
        "scenario.value",
        '"id": "12345"',
        id="account-id-not-12-digits",
    ),
    pytest.param(
        lambda d: d["accounts"].append({"id": A}),
        "/accounts/2/id",
        "scenario.duplicate",
        '"id": "111122223333"\n    }\n  ]',
        id="account-listed-twice",
    ),
    pytest.param(
        lambda d: d["principals"].append({"type": "role", "account": "999999999999", "name": "x"}),
        "/principals/2/account",
        "scenario.reference",
        '"account": "999999999999"',
        id="principal-account-unknown",
    ),
    pytest.param(
        lambda d: d["principals"][0]["groups"].append("ops"),
        "/principals/0/groups/1",
        "scenario.reference",
        '"ops"',
        id="user-group-unknown",
    ),
    pytest.param(
        lambda d: d["principals"][0].update(trust_policy=POLICY),
        "/principals/0/trust_policy",
        "scenario.value",
        '"trust_policy"',
        id="trust-policy-on-a-user",
    ),
    pytest.param(
        lambda d: d["principals"][1].update(groups=["devs"]),
        "/principals/1/groups",
        "scenario.value",
        '"groups": [\n        "devs"\n      ]\n    }\n  ]',
        id="groups-on-a-role",
    ),
    pytest.param(
        lambda d: d["principals"].append({"type": "user", "account": B, "name": "alice"}),
        "/principals/2/name",
        "scenario.duplicate",
        '"name": "alice"\n    }\n  ]',
        id="principal-listed-twice",
    ),
    pytest.param(
        lambda d: d["principals"][0].update(tags={"team": 7}),
        "/principals/0/tags/team",
        "scenario.type",
        '"team"',
        id="tag-value-not-a-string",
    ),
    pytest.param(
        lambda d: d["principals"].append({"type": "role", "account": B, "name": "x", "path": "a"}),
        "/principals/2/path",
        "scenario.value",
        '"path"',
        id="iam-path-without-slashes",
    ),
    pytest.param(
        lambda d: d["organization"]["units"][0].update(parent="ou-none"),
        "/organization/units/0/parent",
        "scenario.reference",
        '"parent": "ou-none"',
        id="unit-parent-unknown",
    ),
    pytest.param(
        lambda d: d["organization"]["scps"][0]["targets"].append("ou-none"),
        "/organization/scps/0/targets/1",
        "scenario.reference",
        '"ou-none"',
        id="scp-target-unknown",
    ),
    pytest.param(
        lambda d: d["organization"]["rcps"][0].update(targets=["999999999999"]),
        "/organization/rcps/0/targets/0",
        "scenario.reference",
        '"999999999999"',
        id="rcp-target-not-a-member-account",
    ),
    pytest.param(
        lambda d: d["organization"].update(management_account="999999999999"),
        "/organization/management_account",
        "scenario.reference",
        '"management_account"',
        id="management-account-unknown",
    ),
    pytest.param(
        lambda d: d["accounts"][1].update(parent="ou-none"),
        "/accounts/1/parent",
        "scenario.reference",
        '"parent": "ou-none"',
        id="account-parent-unknown",
    ),
    pytest.param(
        lambda d: d["keys"][0]["aliases"].append("app2"),
        "/keys/0/aliases/1",
        "scenario.value",
        '"app2"',
        id="alias-without-prefix",
    ),
    pytest.param(
        lambda d: d["keys"].append(
            {"id": "k2", "account": B, "aliases": ["alias/app"], "policy": {}}
        ),
        "/keys/1/aliases/0",
        "scenario.duplicate",
        '"alias/app"\n      ],\n      "policy": {}',
        id="alias-on-two-keys",
    ),
    pytest.param(
        lambda d: d["keys"].append({"id": KEY_ID, "account": B, "policy": {}}),
        "/keys/1/id",
        "scenario.duplicate",
        f'"id": "{KEY_ID}",\n      "account": "{B}",\n      "policy"',
        id="key-listed-twice",
    ),
    pytest.param(
        lambda d: d["keys"][0]["grants"].append(
            {"id": "g1", "grantee": "s3.amazonaws.com", "operations": ["Encrypt"]}
        ),
        "/keys/0/grants/1/id",
        "scenario.duplicate",
        '"id": "g1",\n          "grantee": "s3.amazonaws.com",\n          "operations": [\n'
        '            "Encrypt"',
        id="grant-id-twice-on-a-key",
    ),
    pytest.param(
        lambda d: d["keys"][0]["grants"][0].update(operations=["kms:Decrypt"]),
        "/keys/0/grants/0/operations/0",
        "scenario.value",
        '"kms:Decrypt"',
        id="grant-operation-with-prefix",
    ),
    pytest.param(
        lambda d: d["keys"][0]["grants"][0].update(
            constraints={"encryption_context_subset": {}, "encryption_context_equals": {}}
        ),
        "/keys/0/grants/0/constraints",
        "scenario.value",
        '"constraints"',
        id="grant-constraints-both-kinds",
    ),
    pytest.param(
        lambda d: d["keys"][0].update(policy=42),
        "/keys/0/policy",
        "scenario.type",
        '"policy": 42',
        id="policy-not-object-or-string",
    ),
    pytest.param(
        lambda d: d["keys"][0].update(policy='{"Statement": [}'),
        "/keys/0/policy",
        "json.syntax",
        '"policy": "{',
        id="policy-string-not-json",
    ),
    pytest.param(
        lambda d: d["buckets"].append({"name": "dst", "account": A}),
        "/buckets/2/name",
        "scenario.duplicate",
        '"name": "dst",\n      "account": "111122223333"\n    }\n  ]',
        id="bucket-name-twice",
    ),
    pytest.param(
        lambda d: d["buckets"][0]["replication"]["rules"][0].update(destination_bucket="gone"),
        "/buckets/0/replication/rules/0/destination_bucket",
        "scenario.reference",
        '"destination_bucket"',
        id="replication-destination-unknown",
    ),
    pytest.param(
        lambda d: d["vpc_endpoints"][0].update(account="999999999999"),
        "/vpc_endpoints/0/account",
        "scenario.reference",
        '"account": "999999999999"',
        id="endpoint-account-unknown",
    ),
    pytest.param(
        lambda d: d["attempts"].append(
            {"id": "enc", "principal": "s3.amazonaws.com", "action": "kms:Encrypt", "resource": "k"}
        ),
        "/attempts/2/id",
        "scenario.duplicate",
        '"id": "enc",\n      "principal": "s3.amazonaws.com"',
        id="attempt-id-twice",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(ciphertext={"from_attempt": "dec"}),
        "/attempts/0/ciphertext/from_attempt",
        "scenario.reference",
        '"from_attempt": "dec"',
        id="ciphertext-from-a-later-attempt",
    ),
    pytest.param(
        lambda d: d["attempts"][1].update(ciphertext={"from_attempt": "nope"}),
        "/attempts/1/ciphertext/from_attempt",
        "scenario.reference",
        '"from_attempt"',
        id="ciphertext-from-unknown-attempt",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(principal=f"arn:aws:iam::{B}:user/bob"),
        "/attempts/0/principal",
        "scenario.reference",
        '"principal"',
        id="attempt-principal-unknown-user",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(principal=f"arn:aws:sts::{B}:assumed-role/ghost/s"),
        "/attempts/0/principal",
        "scenario.reference",
        '"principal"',
        id="attempt-session-of-unknown-role",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(principal="arn:aws:iam::999999999999:root"),
        "/attempts/0/principal",
        "scenario.reference",
        '"principal"',
        id="attempt-root-of-unknown-account",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(principal="alice"),
        "/attempts/0/principal",
        "scenario.value",
        '"principal"',
        id="attempt-principal-not-an-arn",
    ),
    pytest.param(
        lambda d: d["attempts"][0].pop("resource"),
        "/attempts/0/resource",
        "scenario.required",
        '{\n      "id": "enc"',
        id="attempt-without-resource",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(action="kms:ReEncryptFrom"),
        "/attempts/0/destination",
        "scenario.required",
        '{\n      "id": "enc"',
        id="reencrypt-without-destination",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(action="Decrypt"),
        "/attempts/0/action",
        "scenario.value",
        '"action"',
        id="action-without-service-prefix",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(context={"aws:SourceIp": None}),
        "/attempts/0/context/aws:SourceIp",
        "scenario.type",
        '"aws:SourceIp"',
        id="context-value-null",
    ),
    pytest.param(
        lambda d: d["attempts"][0].update(encryption_context={"n": 1}),
        "/attempts/0/encryption_context/n",
        "scenario.type",
        '"n": 1',
        id="encryption-context-value-not-a-string",
    ),
    pytest.param(
        lambda d: d.update(format=2),
        "/format",
        "scenario.format",
        '"format"',
        id="unsupported-format",
    ),
    pytest.param(
        lambda d: d.update(format="1"),
        "/format",
        "scenario.type",
        '"format"',
        id="format-as-string",
    ),
    pytest.param(
        lambda d: d.update(region="Virginia"),
        "/region",
        "scenario.value",
        '"region"',
        id="region-malformed",
    ),
    pytest.param(
        lambda d: d["keys"][0].pop("policy"),
        "/keys/0/policy",
        "scenario.required",
        '{\n      "id": "1234',
        id="key-without-policy",
    ),
]


@pytest.mark.parametrize(("change", "pointer", "code", "fragment"), ONE_PROBLEM)
def test_each_kind_of_error_is_reported_at_its_path_and_line(change, pointer, code, fragment):
    result, text = load_text(with_change(change))
    assert not result.ok and result.scenario is None
    errors = [p for p in result.problems if p.is_error]
    assert [(p.code, p.pointer) for p in errors] == [(code, pointer)], [str(p) for p in errors]
    assert (errors[0].line, errors[0].column) == place_of(text, fragment)


def test_unknown_key_state_is_reported_at_its_path_and_line():
    text = """{
  "format": 1,
  "accounts": [{"id": "111122223333"}],
  "keys": [
    {"id": "k1", "account": "111122223333", "policy": {}},
    {"id": "k2", "account": "111122223333", "policy": {},
     "state": "Disabeld"}
  ]
}"""
    result = load_scenario(text)
    (found,) = result.problems
    assert str(found) == (
        "/keys/1/state (line 7, column 6): must be one of Enabled, Disabled, "
        'PendingDeletion, PendingImport, Unavailable (got "Disabeld") [scenario.value]'
    )


def test_missing_field_points_at_the_object_that_lacks_it():
    text = '{\n  "format": 1,\n  "accounts": [\n    {"name": "no id"}\n  ]\n}'
    (found,) = load_scenario(text).problems
    assert (found.code, found.pointer, found.line, found.column) == (
        "scenario.required",
        "/accounts/0/id",
        4,
        5,
    )


def test_missing_format_is_reported_at_the_document():
    (found,) = load_scenario('{"accounts": [{"id": "111122223333"}]}').problems
    assert (found.code, found.pointer, found.line, found.column) == (
        "scenario.required",
        "/format",
        1,
        1,
    )


def test_a_document_needs_at_least_one_account():
    (found,) = load_scenario('{"format": 1, "accounts": []}').problems
    assert (found.code, found.pointer, found.line, found.column) == (
        "scenario.value",
        "/accounts",
        1,
        15,
    )


def test_document_that_is_not_an_object_is_one_type_error():
    (found,) = load_scenario("[1, 2]").problems
    assert (found.code, found.pointer) == ("scenario.type", "")


def test_json_syntax_error_is_the_only_problem_with_its_line():
    result = load_scenario('{\n  "format": 1,\n  "accounts": [}\n}')
    (found,) = result.problems
    assert (found.code, found.line, found.column) == ("json.syntax", 3, 16)
    assert result.scenario is None


def test_policy_string_syntax_error_names_the_place_inside_the_string():
    doc = with_change(lambda d: d["keys"][0].update(policy='{\n"Statement": [}'))
    result, _ = load_text(doc)
    (found,) = result.problems
    assert "line 2, column 15 of the string" in found.message


def test_several_errors_are_reported_at_once_in_document_order():
    def change(d: dict) -> None:
        d["accounts"][0]["id"] = "1"
        d["keys"][0]["state"] = "Off"
        d["attempts"][0]["expect"] = "yes"
        d["principals"][0]["type"] = "robot"

    result, _ = load_text(with_change(change))
    pointers = [p.pointer for p in result.problems if p.is_error]
    assert {"/accounts/0/id", "/keys/0/state", "/attempts/0/expect", "/principals/0/type"} <= set(
        pointers
    )
    lines = [p.line for p in result.problems]
    assert lines == sorted(lines)


def test_unknown_fields_are_kept_in_raw_and_warned_not_rejected():
    def change(d: dict) -> None:
        d["theme"] = "dark"
        d["keys"][0]["colour"] = "red"
        d["keys"][0]["stat"] = "Enabled"

    result, text = load_text(with_change(change))
    assert result.ok
    warnings = {p.pointer: p for p in result.problems}
    assert set(warnings) == {"/theme", "/keys/0/colour", "/keys/0/stat"}
    assert all(p.code == "scenario.unknown_field" and not p.is_error for p in warnings.values())
    assert 'did you mean "state"' in warnings["/keys/0/stat"].message
    assert (warnings["/theme"].line, warnings["/theme"].column) == place_of(text, '"theme"')
    raw = result.scenario.raw
    assert raw["theme"] == "dark" and raw["keys"][0]["colour"] == "red"


def test_free_form_maps_take_any_names_without_warnings():
    def change(d: dict) -> None:
        d["layout"] = {"key:1": {"x": 10, "y": 20, "pinned": True}}
        d["principals"][0]["tags"] = {"anything": "goes"}
        d["attempts"][0]["context"] = {"custom:Key": ["a", 1, True]}

    result, _ = load_text(with_change(change))
    assert result.ok and result.problems == ()
    assert result.scenario.layout["key:1"]["pinned"] is True


def test_duplicate_keys_in_text_are_warnings_that_do_not_block_loading():
    text = '{"format": 1, "title": "a", "title": "b", "accounts": [{"id": "111122223333"}]}'
    result = load_scenario(text)
    assert result.ok
    (found,) = result.problems
    assert (found.code, found.pointer, found.line, found.column) == (
        "json.duplicate_key",
        "/title",
        1,
        29,
    )
    assert result.scenario.title == "b"


def test_a_later_format_stops_before_reporting_other_fields():
    result = load_scenario('{"format": 2, "accounts": "not a list"}')
    assert [p.code for p in result.problems] == ["scenario.format"]


def test_decrypt_with_a_ciphertext_needs_no_resource():
    def change(d: dict) -> None:
        d["attempts"].append(
            {
                "id": "blob",
                "principal": "s3.amazonaws.com",
                "action": "kms:Decrypt",
                "ciphertext": "AQID",
            }
        )

    result, _ = load_text(with_change(change))
    assert result.ok
    assert result.scenario.attempt("blob").ciphertext == "AQID"
    assert result.scenario.attempt("blob").resource is None


def test_in_organization_without_an_organization_is_an_error():
    text = '{"format": 1, "accounts": [{"id": "111122223333", "in_organization": true}]}'
    (found,) = load_scenario(text).problems
    assert (found.code, found.pointer) == ("scenario.value", "/accounts/0/in_organization")


def test_unit_cycle_is_reported():
    def change(d: dict) -> None:
        d["organization"]["units"] = [
            {"id": "ou-a", "parent": "ou-b"},
            {"id": "ou-b", "parent": "ou-a"},
        ]
        d["organization"]["scps"][0]["targets"] = ["ou-a"]
        d["accounts"][1]["parent"] = "ou-a"

    result, _ = load_text(with_change(change))
    assert {p.pointer for p in result.problems} == {
        "/organization/units/0/parent",
        "/organization/units/1/parent",
    }
    assert all("cycle" in p.message for p in result.problems)


def test_load_never_raises_on_garbage():
    garbage = [b"\xff\xfe", "null", "42", '{"format": 1, "accounts": [null, 3, "x"]}', "{}"]
    for source in garbage:
        result = load_scenario(source)
        assert not result.ok and result.problems


def _nested_list(depth: int) -> list:
    root: list = []
    current = root
    for _ in range(depth):
        inner: list = []
        current.append(inner)
        current = inner
    return root


def test_load_scenario_reports_a_deeply_nested_mapping_instead_of_raising():
    # The web side passes documents already parsed, so the text's depth cap does not apply.
    doc = {"format": 1, "accounts": [{"id": A}], "description": _nested_list(1000)}
    loaded = load_scenario(doc)
    assert not loaded.ok
    assert loaded.problems and all(p.is_error for p in loaded.problems)


def test_a_wrong_principal_arn_gets_a_did_you_mean_for_the_first_few_only():
    # Each hint compares the name with every principal: thousands of wrong names
    # (3,000 attempts took 43 s to load) get an error each, a hint the first HINTS.
    from evaluator.core.loader_reader import HINTS

    doc = {
        "format": 1,
        "accounts": [{"id": "111122223333"}],
        "principals": [{"type": "role", "account": "111122223333", "name": "payments-app"}],
        "attempts": [
            {
                "id": f"a{i}",
                "principal": "arn:aws:iam::111122223333:role/payment-app",
                "action": "kms:Encrypt",
                "resource": "*",
            }
            for i in range(HINTS + 5)
        ],
    }
    errors = [p for p in load_scenario(doc).problems if p.code == "scenario.reference"]
    assert [p.pointer for p in errors] == [f"/attempts/{i}/principal" for i in range(HINTS + 5)]
    hinted = [
        p
        for p in errors
        if "did you mean arn:aws:iam::111122223333:role/payments-app?" in p.message
    ]
    assert hinted == errors[:HINTS]
