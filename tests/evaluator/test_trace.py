"""The trace of an attempt: what the evaluator read, statement by statement,
and a final decision a learner can act on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator import evaluate, load_scenario

OWNER = "111122223333"
PARTNER = "444455556666"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:{OWNER}:key/{KEY_ID}"
READER = f"arn:aws:iam::{PARTNER}:role/reader"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

ENABLE_IAM = {
    "Sid": "EnableIAM",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
PARTNER_FINANCE_ONLY = {
    "Sid": "PartnerDecryptFinance",
    "Effect": "Allow",
    "Principal": {"AWS": PARTNER},
    "Action": "kms:Decrypt",
    "Resource": "*",
    "Condition": {"StringEquals": {"kms:EncryptionContext:dept": "finance"}},
}
DENY_SECRET = {
    "Sid": "NeverTheSecretLedger",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "kms:*",
    "Resource": "*",
    "Condition": {"StringEquals": {"kms:EncryptionContext:dept": "ledger"}},
}


def cross_account(*key_statements: dict, dept: str = "hr") -> dict:
    """A partner role with an IAM allow calls Decrypt on the owner's key."""
    return {
        "format": 1,
        "accounts": [{"id": OWNER, "name": "Owner"}, {"id": PARTNER, "name": "Partner"}],
        "principals": [
            {
                "type": "role",
                "account": PARTNER,
                "name": "reader",
                "policies": [
                    {
                        "name": "DecryptOwnerKey",
                        "policy": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}
                            ],
                        },
                    }
                ],
            }
        ],
        "keys": [
            {
                "id": KEY_ID,
                "account": OWNER,
                "policy": {"Version": "2012-10-17", "Statement": list(key_statements)},
            }
        ],
        "attempts": [
            {
                "id": "partner-decrypt",
                "principal": READER,
                "action": "kms:Decrypt",
                "resource": KEY_ARN,
                "encryption_context": {"dept": dept},
            }
        ],
    }


def run(document: dict, *, trace: bool = True):
    loaded = load_scenario(document)
    assert loaded.ok, [str(p) for p in loaded.problems]
    evaluation = evaluate(loaded.scenario, now=NOW, trace=trace)
    assert evaluation.ok, [str(p) for p in evaluation.problems]
    (result,) = evaluation.results
    return result


def key_policy_step(result):
    steps = [s for s in result.trace if s.policy is not None and s.policy.type == "key policy"]
    assert len(steps) == 1, [s.title for s in result.trace]
    return steps[0]


def statement(step, sid: str):
    (found,) = [s for s in step.statements if s.sid == sid]
    return found


@pytest.fixture(scope="module")
def denied():
    """Denied because the partner's statement requires dept=finance and the request says hr."""
    return run(cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY, dept="hr"))


# ----------------------------------------------------------------------------- the key policy step


def test_denied_cross_account_decrypt_is_an_implicit_deny(denied):
    assert (denied.authorization, denied.outcome) == ("implicit_deny", "AccessDeniedException")


def test_trace_names_the_key_policy_and_where_it_is_in_the_document(denied):
    step = key_policy_step(denied)
    assert step.policy.pointer == "/keys/0/policy"
    assert step.policy.owner == KEY_ARN
    assert step.verdict == "implicit_deny"


def test_trace_judges_every_key_policy_statement_at_its_pointer(denied):
    step = key_policy_step(denied)
    assert [(s.sid, s.effect, s.pointer) for s in step.statements] == [
        ("EnableIAM", "Allow", "/keys/0/policy/Statement/0"),
        ("PartnerDecryptFinance", "Allow", "/keys/0/policy/Statement/1"),
    ]
    assert not any(s.applies for s in step.statements)


@pytest.mark.parametrize(
    ("sid", "element", "matched", "pointer_suffix"),
    [
        pytest.param("EnableIAM", "Principal", False, "0/Principal", id="other-account-root"),
        pytest.param("EnableIAM", "Action", True, "0/Action", id="kms-star-matches"),
        pytest.param("EnableIAM", "Resource", True, "0/Resource", id="star-resource"),
        pytest.param(
            "PartnerDecryptFinance", "Principal", True, "1/Principal", id="partner-account"
        ),
        pytest.param("PartnerDecryptFinance", "Action", True, "1/Action", id="decrypt-matches"),
    ],
)
def test_trace_shows_each_element_verdict(denied, sid, element, matched, pointer_suffix):
    stmt = statement(key_policy_step(denied), sid)
    (verdict,) = [e for e in stmt.elements if e.element == element]
    assert verdict.matched is matched
    assert verdict.pointer == f"/keys/0/policy/Statement/{pointer_suffix}"
    assert verdict.detail  # a sentence for the learner


def test_principal_verdict_says_who_was_not_named(denied):
    stmt = statement(key_policy_step(denied), "EnableIAM")
    (principal,) = [e for e in stmt.elements if e.element == "Principal"]
    assert PARTNER in principal.detail
    assert f"arn:aws:iam::{OWNER}:root" in principal.detail


def test_trace_shows_the_failing_condition_with_both_sides(denied):
    stmt = statement(key_policy_step(denied), "PartnerDecryptFinance")
    (cond,) = stmt.conditions
    assert cond.operator == "StringEquals"
    assert cond.key == "kms:EncryptionContext:dept"
    assert cond.policy_values == ("finance",)
    assert cond.request_values == ("hr",)
    assert cond.passed is False
    assert "hr" in cond.reason and "finance" in cond.reason
    assert cond.pointer.startswith("/keys/0/policy/Statement/1/Condition")


def test_condition_that_holds_is_shown_as_passed():
    result = run(cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY, dept="finance"))
    assert result.authorization == "allow"
    (cond,) = statement(key_policy_step(result), "PartnerDecryptFinance").conditions
    assert cond.passed is True
    assert cond.request_values == ("finance",)


def test_trace_also_shows_the_callers_identity_policy(denied):
    identity = [s for s in denied.trace if s.policy and s.policy.type == "identity policy"]
    assert [(s.policy.pointer, s.verdict) for s in identity] == [
        ("/principals/0/policies/0/policy", "allow")
    ]


# ----------------------------------------------------------------------------- the decision


def test_trace_ends_with_a_decision_step(denied):
    last = denied.trace[-1]
    assert last.kind == "decision"
    assert last.verdict == "implicit_deny"
    assert denied.decision.authorization == "implicit_deny"
    assert denied.decision.outcome == "AccessDeniedException"


def test_decision_reason_is_plain_english(denied):
    reason = denied.decision.reason
    assert reason.endswith(".") or reason.endswith(")")
    assert "key policy" in reason
    assert PARTNER in reason
    assert reason in denied.trace[-1].detail


def test_decision_offers_a_fix_naming_the_statement_and_condition_to_change(denied):
    fixes = denied.decision.fixes
    assert fixes
    fix = next(f for f in fixes if "PartnerDecryptFinance" in f)
    assert "key policy" in fix
    assert "kms:EncryptionContext:dept" in fix
    assert "/keys/0/policy/Statement/1" in fix
    assert fix in denied.trace[-1].detail


def test_key_policy_that_never_mentions_the_partner_gets_a_fix_that_adds_a_statement():
    result = run(cross_account(ENABLE_IAM))
    assert result.authorization == "implicit_deny"
    fix = next(f for f in result.decision.fixes if "key policy" in f)
    assert READER in fix
    assert "kms:Decrypt" in fix
    assert KEY_ARN in fix


# ----------------------------------------------------------------------------- explicit deny


def test_explicit_deny_trace_marks_the_deny_statement_as_applying():
    result = run(cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY, DENY_SECRET, dept="ledger"))
    assert (result.authorization, result.outcome) == ("explicit_deny", "AccessDeniedException")
    step = key_policy_step(result)
    assert step.verdict == "explicit_deny"
    deny = statement(step, "NeverTheSecretLedger")
    assert deny.applies is True
    assert deny.pointer == "/keys/0/policy/Statement/2"
    assert [c.passed for c in deny.conditions] == [True]


def test_explicit_deny_fix_names_the_deny_statements_sid():
    result = run(cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY, DENY_SECRET, dept="ledger"))
    assert result.decision.fixes
    assert all("NeverTheSecretLedger" in f for f in result.decision.fixes)
    assert any("/keys/0/policy/Statement/2" in f for f in result.decision.fixes)
    assert "NeverTheSecretLedger" in result.decision.reason
    assert result.trace[-1].verdict == "explicit_deny"


def test_explicit_deny_in_an_identity_policy_fix_names_that_sid():
    doc = cross_account(ENABLE_IAM, {**PARTNER_FINANCE_ONLY, "Condition": {}}, dept="hr")
    doc["principals"][0]["policies"].append(
        {
            "name": "Guardrail",
            "policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "NoDecryptHere", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}
                ],
            },
        }
    )
    result = run(doc)
    assert result.authorization == "explicit_deny"
    assert any("NoDecryptHere" in f and "identity policy" in f for f in result.decision.fixes)


# ----------------------------------------------------------------------------- serialisation


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY), id="implicit-deny"),
        pytest.param(
            cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY, DENY_SECRET, dept="ledger"),
            id="explicit-deny",
        ),
        pytest.param(cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY, dept="finance"), id="allowed"),
    ],
)
def test_trace_is_json_serialisable(document):
    result = run(document)
    text = json.dumps(result.as_dict())
    back = json.loads(text)
    assert back["id"] == "partner-decrypt"
    assert back["authorization"] == result.authorization
    assert len(back["trace"]) == len(result.trace)
    assert back["trace"][-1]["kind"] == "decision"
    policy_steps = [s for s in back["trace"] if s.get("policy", {}).get("type") == "key policy"]
    assert policy_steps and policy_steps[0]["policy"]["pointer"] == "/keys/0/policy"


def test_serialised_condition_verdict_keeps_operator_key_and_both_sides(denied):
    back = json.loads(json.dumps(denied.as_dict()))
    (step,) = [s for s in back["trace"] if s.get("policy", {}).get("type") == "key policy"]
    (stmt,) = [s for s in step["statements"] if s.get("sid") == "PartnerDecryptFinance"]
    (cond,) = stmt["conditions"]
    assert cond["operator"] == "StringEquals"
    assert cond["key"] == "kms:EncryptionContext:dept"
    assert cond["policy_values"] == ["finance"]
    assert cond["request_values"] == ["hr"]


def test_without_trace_the_decision_and_its_fixes_remain(denied):
    bare = run(cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY, dept="hr"), trace=False)
    assert bare.trace == ()
    assert bare.as_dict(trace=False)["trace"] == []
    assert bare.decision == denied.decision


def test_json_trace_keeps_the_index_of_the_first_statement():
    # 0 == False in Python: pruning empty members must not drop "index": 0.
    statements = [
        {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": OWNER},
            "Action": "kms:DescribeKey",
            "Resource": "*",
        }
        for sid in ("First", "Second")
    ]
    doc = {
        "format": 1,
        "accounts": [{"id": OWNER}],
        "principals": [{"type": "user", "account": OWNER, "name": "alice"}],
        "keys": [
            {
                "id": KEY_ID,
                "account": OWNER,
                "policy": {"Version": "2012-10-17", "Statement": statements},
            }
        ],
        "attempts": [
            {
                "id": "a",
                "principal": f"arn:aws:iam::{OWNER}:user/alice",
                "action": "kms:Encrypt",
                "resource": KEY_ARN,
            }
        ],
    }
    evaluation = evaluate(load_scenario(doc).scenario, now=NOW)
    trace = json.loads(json.dumps(evaluation.results[0].as_dict()))["trace"]
    (step,) = [s for s in trace if s.get("policy", {}).get("type") == "key policy"]
    assert [s.get("index") for s in step["statements"]] == [0, 1]


def _context_names(result) -> set[str]:
    (step,) = [s for s in result.trace if s.kind == "context"]
    return {c.key for c in step.context}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("DEPT", "dept", id="upper-then-lower"),
        pytest.param("dept", "Dept", id="lower-then-capitalised"),
    ],
)
def test_each_trace_shows_the_key_spelling_of_its_own_request(first, second):
    # R5.9: keys match whatever their case, but each user reads the names they wrote,
    # never the spelling another request (another user's, in the web app) used first.
    for spelling in (first, second, first):
        doc = cross_account(ENABLE_IAM, PARTNER_FINANCE_ONLY)
        doc["attempts"][0]["encryption_context"] = {spelling: "finance"}
        names = _context_names(run(doc))
        assert f"kms:EncryptionContext:{spelling}" in names
        assert not {f"kms:EncryptionContext:{s}" for s in (first, second) if s != spelling} & names


def test_trace_values_read_as_json_not_python():
    """Encryption contexts and grant constraints in trace text are JSON (double quotes)."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples/04-grant-with-context-constraint.json"
    loaded = load_scenario(path.read_text())
    results = evaluate(loaded.scenario, now=NOW).results

    def texts(steps):
        for s in steps:
            yield s.title
            yield s.detail or ""
            yield from texts(s.children)

    every = [t for r in results for t in texts(r.trace)]
    assert not [t for t in every if "{'" in t or "['" in t]
    assert any('"tenant": "acme-corp"' in t for t in every), json.dumps(every)[:400]


GRANT_EXAMPLE = (
    Path(__file__).resolve().parents[2] / "examples" / "16-aws-service-needs-a-grant.json"
)


def _decision(doc: dict, attempt: str):
    scenario = load_scenario(doc).scenario
    result = evaluate(scenario, now=datetime(2026, 1, 1, tzinfo=UTC), attempt_ids=[attempt])
    return result.results[0].decision


def test_an_allow_through_a_grant_names_the_grant_it_rests_on():
    doc = json.loads(GRANT_EXAMPLE.read_text())
    decision = _decision(doc, "asg-ops-volume")
    assert decision.authorization == "allow" and decision.rule == "R3.5"
    (grant,) = decision.determining
    assert (grant.effect, grant.statement, grant.policy) == ("Allow", "grant 'g-asg-ops'", "grant")
    assert grant.pointer == "/keys/0/grants/0"
    assert grant.owner.endswith(":key/" + doc["keys"][0]["id"])


def test_an_allow_through_the_key_policy_does_not_name_a_grant():
    doc = json.loads(GRANT_EXAMPLE.read_text())
    decision = _decision(doc, "admin-app-volume")
    assert decision.authorization == "allow"
    assert decision.determining and all(x.policy != "grant" for x in decision.determining)
