"""Laws of policy evaluation, checked on random small scenarios.

Each scenario has one or two accounts, a few users and roles with identity
policies, one KMS key with a key policy, sometimes an organization with an
SCP, and one attempt. The statements are random mixes of Allow and Deny over
a few actions, principal forms and simple conditions. Whatever the mix:

(a) a matching explicit Deny, added anywhere that applies, gives explicit_deny;
(b) adding an Allow never turns an allow into a deny (nor lifts a Deny);
(c) the order of statements and of policies never matters;
(d) tracing does not change the answer.
"""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator import evaluate, load_scenario

A = "111122223333"
B = "444455556666"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:{A}:key/{KEY_ID}"
OTHER_KEY_ARN = f"arn:aws:kms:us-east-1:{A}:key/99999999-12ab-34cd-56ef-1234567890ab"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
NAMES = ("alpha", "beta", "gamma")

LAWS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------- strategies

REQUEST_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
POLICY_ACTIONS = st.sampled_from(
    ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:*", "kms:Generate*", "*"]
)
ACTION_ELEMENT = st.one_of(
    POLICY_ACTIONS,
    st.lists(POLICY_ACTIONS, min_size=1, max_size=3, unique=True),
)
CONDITIONS = st.sampled_from(
    [
        None,
        None,
        None,
        {"StringEquals": {"kms:CallerAccount": A}},
        {"StringEquals": {"kms:CallerAccount": B}},
        {"StringEquals": {"kms:EncryptionContext:dept": "finance"}},
        {"StringNotEquals": {"kms:EncryptionContext:dept": "finance"}},
        {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"Null": {"kms:EncryptionContext:dept": "true"}},
        {"StringEqualsIfExists": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    ]
)


def principal_arns() -> list[str]:
    return [
        f"arn:aws:iam::{acct}:{kind}/{name}"
        for acct in (A, B)
        for kind in ("user", "role")
        for name in NAMES
    ]


PRINCIPAL_FORMS = st.one_of(
    st.just("*"),
    st.sampled_from(
        [{"AWS": A}, {"AWS": B}, {"AWS": f"arn:aws:iam::{A}:root"}, {"AWS": [A, B]}, {"AWS": "*"}]
    ),
    st.sampled_from(principal_arns()).map(lambda arn: {"AWS": arn}),
)


@st.composite
def statements(draw, *, with_principal: bool, effects=("Allow", "Allow", "Allow", "Deny")) -> dict:
    """Allow-heavy, so that plenty of requests end up allowed."""
    stmt: dict = {"Effect": draw(st.sampled_from(effects))}
    if with_principal:
        stmt["Principal"] = draw(PRINCIPAL_FORMS)
    if draw(st.booleans()):
        stmt["Action"] = draw(ACTION_ELEMENT)
    else:
        stmt["NotAction"] = draw(st.sampled_from(["kms:Encrypt", "kms:Decrypt", "kms:Create*"]))
    stmt["Resource"] = draw(st.sampled_from(["*", KEY_ARN, OTHER_KEY_ARN]))
    condition = draw(CONDITIONS)
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


def policy(stmts: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": stmts}


@st.composite
def principals(draw, accounts: list[str]) -> list[dict]:
    count = draw(st.integers(1, 3))
    out = []
    for name in NAMES[:count]:
        entry = {
            "type": draw(st.sampled_from(["user", "role"])),
            "account": draw(st.sampled_from(accounts)),
            "name": name,
            "policies": [
                {
                    "name": f"{name}-{i}",
                    "policy": policy(
                        draw(st.lists(statements(with_principal=False), min_size=1, max_size=3))
                    ),
                }
                for i in range(draw(st.integers(0, 2)))
            ],
        }
        out.append(entry)
    return out


@st.composite
def scenarios(draw) -> dict:
    accounts = [A] if draw(st.booleans()) else [A, B]
    people = draw(principals(accounts))
    key_statements = draw(st.lists(statements(with_principal=True), min_size=1, max_size=4))
    if draw(st.booleans()):  # usually the key trusts its account, as the default policy does
        key_statements.insert(
            0,
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
        )
    doc: dict = {
        "format": 1,
        "accounts": [{"id": acct} for acct in accounts],
        "principals": people,
        "keys": [{"id": KEY_ID, "account": A, "policy": policy(key_statements)}],
    }
    if draw(st.booleans()):
        scp = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
        scp += draw(st.lists(statements(with_principal=False), max_size=2))
        doc["organization"] = {
            "id": "o-a1b2c3d4e5",
            "scps": [{"name": "guard", "targets": ["r-root"], "policy": policy(scp)}],
        }
    caller = draw(st.sampled_from(people))
    request = {
        "id": "request",
        "principal": f"arn:aws:iam::{caller['account']}:{caller['type']}/{caller['name']}",
        "action": draw(st.sampled_from(REQUEST_ACTIONS)),
        "resource": KEY_ARN,
    }
    context = draw(st.sampled_from([None, {"dept": "finance"}, {"dept": "hr"}]))
    if context is not None:
        request["encryption_context"] = context
    doc["attempts"] = [request]
    return doc


# ----------------------------------------------------------------------------- helpers


def decide(doc: dict, *, trace: bool = False) -> tuple[str, str]:
    result = result_of(doc, trace=trace)
    return result.authorization, result.outcome


def result_of(doc: dict, *, trace: bool = False):
    loaded = load_scenario(doc)
    assert loaded.ok, [str(p) for p in loaded.problems]
    evaluation = evaluate(loaded.scenario, now=NOW, trace=trace)
    assert evaluation.ok, [str(p) for p in evaluation.problems]
    (result,) = evaluation.results
    return result


def caller_of(doc: dict) -> dict:
    arn = doc["attempts"][0]["principal"]
    return next(p for p in doc["principals"] if arn.endswith(f"{p['type']}/{p['name']}"))


def request_action(doc: dict) -> str:
    return doc["attempts"][0]["action"]


def with_key_statement(doc: dict, stmt: dict) -> dict:
    out = copy.deepcopy(doc)
    out["keys"][0]["policy"]["Statement"].append(stmt)
    return out


def with_identity_statement(doc: dict, principal_name: str, stmt: dict) -> dict:
    out = copy.deepcopy(doc)
    who = next(p for p in out["principals"] if p["name"] == principal_name)
    who["policies"].append({"name": "added", "policy": policy([stmt])})
    return out


def with_scp_statement(doc: dict, stmt: dict) -> dict:
    out = copy.deepcopy(doc)
    org = out.setdefault("organization", {"id": "o-a1b2c3d4e5", "scps": []})
    full_access = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    org["scps"].append({"name": "added", "targets": ["r-root"], "policy": policy([full_access])})
    org["scps"][-1]["policy"]["Statement"].append(stmt)
    return out


def shuffled(doc: dict, rng: random.Random) -> dict:
    """The same scenario with every statement list and policy list reordered."""
    out = copy.deepcopy(doc)
    policies = [out["keys"][0]["policy"]]
    for person in out["principals"]:
        rng.shuffle(person["policies"])
        policies += [p["policy"] for p in person["policies"]]
    if "organization" in out:
        rng.shuffle(out["organization"]["scps"])
        policies += [s["policy"] for s in out["organization"]["scps"]]
    for pol in policies:
        rng.shuffle(pol["Statement"])
    return out


# ----------------------------------------------------------------------------- (a) Deny wins


MATCHING_DENIES = st.sampled_from(
    [
        "exact-action",
        "kms-star",
        "star",
        "not-action-of-something-else",
        "key-arn-resource",
        "true-condition",
    ]
)


def matching_deny(form: str, action: str, *, principal: bool) -> dict:
    stmt: dict = {"Sid": "AddedDeny", "Effect": "Deny"}
    if principal:
        stmt["Principal"] = "*"
    stmt["Action"] = {"exact-action": action, "kms-star": "kms:*", "star": "*"}.get(form, action)
    if form == "not-action-of-something-else":
        del stmt["Action"]
        stmt["NotAction"] = "kms:ScheduleKeyDeletion"
    stmt["Resource"] = KEY_ARN if form == "key-arn-resource" else "*"
    if form == "true-condition":
        stmt["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    return stmt


@LAWS
@given(doc=scenarios(), form=MATCHING_DENIES)
def test_matching_deny_in_the_key_policy_always_gives_explicit_deny(doc, form):
    deny = matching_deny(form, request_action(doc), principal=True)
    assert decide(with_key_statement(doc, deny))[0] == "explicit_deny"


@LAWS
@given(doc=scenarios(), form=MATCHING_DENIES)
def test_matching_deny_in_the_callers_identity_policy_always_gives_explicit_deny(doc, form):
    deny = matching_deny(form, request_action(doc), principal=False)
    changed = with_identity_statement(doc, caller_of(doc)["name"], deny)
    assert decide(changed)[0] == "explicit_deny"


@LAWS
@given(doc=scenarios(), form=MATCHING_DENIES)
def test_matching_deny_in_an_scp_always_gives_explicit_deny(doc, form):
    deny = matching_deny(form, request_action(doc), principal=False)
    assert decide(with_scp_statement(doc, deny))[0] == "explicit_deny"


@LAWS
@given(doc=scenarios(), form=MATCHING_DENIES)
def test_explicit_deny_result_reports_access_denied(doc, form):
    deny = matching_deny(form, request_action(doc), principal=True)
    assert decide(with_key_statement(doc, deny)) == ("explicit_deny", "AccessDeniedException")


# ------------------------------------------------------------------------ (b) Allow is monotone


@st.composite
def added_allows(draw, doc: dict):
    """(where, changed document): one Allow statement added to some policy."""
    targets = ["key"] + [f"identity:{p['name']}" for p in doc["principals"]]
    if "organization" in doc:
        targets.append("scp")
    where = draw(st.sampled_from(targets))
    if where == "key":
        stmt = draw(statements(with_principal=True, effects=("Allow",)))
        return where, with_key_statement(doc, stmt)
    stmt = draw(statements(with_principal=False, effects=("Allow",)))
    if where == "scp":
        out = copy.deepcopy(doc)
        out["organization"]["scps"][0]["policy"]["Statement"].append(stmt)
        return where, out
    return where, with_identity_statement(doc, where.split(":", 1)[1], stmt)


@LAWS
@given(data=st.data(), doc=scenarios())
def test_adding_an_allow_never_turns_allow_into_deny(data, doc):
    before = decide(doc)[0]
    where, changed = data.draw(added_allows(doc), label="added allow")
    after = decide(changed)[0]
    if before == "allow":
        assert after == "allow", f"an Allow added to {where} denied the request"
    if before == "explicit_deny":
        assert after == "explicit_deny", f"an Allow added to {where} lifted a Deny"


@LAWS
@given(data=st.data(), doc=scenarios())
def test_adding_a_broad_allow_to_the_callers_identity_policy_never_denies(data, doc):
    before = decide(doc)[0]
    broad = {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    after = decide(with_identity_statement(doc, caller_of(doc)["name"], broad))[0]
    if before == "allow":
        assert after == "allow"
    if before == "explicit_deny":
        assert after == "explicit_deny"


# ----------------------------------------------------------------------------- (c) order


@LAWS
@given(doc=scenarios(), rng=st.randoms(use_true_random=False))
def test_decision_does_not_depend_on_statement_or_policy_order(doc, rng):
    assert decide(shuffled(doc, rng)) == decide(doc)


@LAWS
@given(doc=scenarios())
def test_decision_does_not_depend_on_reversing_the_key_policy(doc):
    reversed_doc = copy.deepcopy(doc)
    reversed_doc["keys"][0]["policy"]["Statement"].reverse()
    assert decide(reversed_doc) == decide(doc)


# ----------------------------------------------------------------------------- (d) tracing


@LAWS
@given(doc=scenarios())
def test_tracing_does_not_change_the_answer(doc):
    traced = result_of(doc, trace=True)
    fast = result_of(doc, trace=False)
    assert (traced.authorization, traced.outcome) == (fast.authorization, fast.outcome)
    assert traced.decision.reason == fast.decision.reason
    assert traced.warnings == fast.warnings
    assert traced.trace and fast.trace == ()
