"""The access matrix re-decided after an edit (`previous=` the matrix before it)
is exactly the matrix decided from scratch: same edges, same order.

Each example scenario and case file gets each kind of edit the playground
makes (key, identity and trust policies, grants, tags, aliases, principals,
keys, accounts, attempts that lend their contexts), one at a time and in
chains; a clock that moves between two decisions is checked on its own.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator import access_matrix, load_scenario

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("examples/*.json"), *ROOT.glob("tests/cases/*/*.json")])
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ALLOW_ALL = {"Effect": "Allow", "Action": ["kms:*", "sts:AssumeRole"], "Resource": "*"}


def _doc(path: Path) -> dict:
    doc = json.loads(path.read_text())
    doc.pop("goals", None)  # a challenge's goals name attempts; the matrix never reads them
    return doc


def _policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _arns(doc: dict) -> tuple[list[str], list[str], list[str]]:
    """(principal ARNs, key ARNs, role ARNs) in document order."""
    loaded = load_scenario(doc)
    assert loaded.ok, loaded.problems
    sc = loaded.scenario
    roles = [p.arn for p in sc.principals if p.type == "role"]
    return [p.arn for p in sc.principals], [k.arn for k in sc.keys], roles


# Each edit changes `doc` in place, picking its target by `n`; False when the
# document has nothing it applies to.
Edit = Callable[[dict, int], bool]


def key_policy_opens(doc: dict, n: int) -> bool:
    principals, keys, _ = _arns(doc)
    if not keys or not principals:
        return False
    key = doc["keys"][n % len(keys)]
    who = principals[n % len(principals)]
    statement = {"Effect": "Allow", "Principal": {"AWS": who}, "Action": "kms:*", "Resource": "*"}
    key["policy"] = _policy(*(key.get("policy") or _policy())["Statement"], statement)
    return True


def key_policy_closes(doc: dict, n: int) -> bool:
    if not doc.get("keys"):
        return False
    key = doc["keys"][n % len(doc["keys"])]
    root = f"arn:aws:iam::{key['account']}:root"
    key["policy"] = _policy(
        {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"}
    )
    return True


def identity_allows(doc: dict, n: int) -> bool:
    if not doc.get("principals"):
        return False
    p = doc["principals"][n % len(doc["principals"])]
    p["policies"] = [*(p.get("policies") or []), {"name": "All", "policy": _policy(ALLOW_ALL)}]
    return True


def identity_denies(doc: dict, n: int) -> bool:
    if not doc.get("principals"):
        return False
    p = doc["principals"][n % len(doc["principals"])]
    deny = {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}
    p["policies"] = [{"name": "NoDecrypt", "policy": _policy(deny)}]
    return True


def trust_opens(doc: dict, n: int) -> bool:
    roles = [p for p in doc.get("principals") or [] if p.get("type") == "role"]
    accounts = doc.get("accounts") or []
    if not roles or not accounts:
        return False
    role = roles[n % len(roles)]
    other = accounts[(n + 1) % len(accounts)]["id"]
    role["trust_policy"] = _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    return True


def grant_added(doc: dict, n: int) -> bool:
    principals, keys, _ = _arns(doc)
    if not keys or not principals:
        return False
    key = doc["keys"][n % len(keys)]
    grantee = principals[(n + 1) % len(principals)]
    grant = {
        "id": f"g-test-{len(key.get('grants') or [])}",
        "grantee": grantee,
        "operations": ["Decrypt", "Encrypt"],
    }
    key["grants"] = [*(key.get("grants") or []), grant]
    return True


def tags_changed(doc: dict, n: int) -> bool:
    if not doc.get("principals"):
        return False
    p = doc["principals"][n % len(doc["principals"])]
    p["tags"] = {**(p.get("tags") or {}), "team": f"team-{n}"}
    return True


def principal_added(doc: dict, n: int) -> bool:
    if not doc.get("accounts"):
        return False
    account = doc["accounts"][n % len(doc["accounts"])]["id"]
    doc.setdefault("principals", []).append(
        {
            "type": "user",
            "account": account,
            "name": f"added-{len(doc['principals'])}",
            "policies": [{"name": "All", "policy": _policy(ALLOW_ALL)}],
        }
    )
    return True


def key_added(doc: dict, n: int) -> bool:
    if not doc.get("accounts"):
        return False
    account = doc["accounts"][n % len(doc["accounts"])]["id"]
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
    doc.setdefault("keys", []).append(
        {"id": f"added-key-{len(doc['keys'])}", "account": account, "policy": _policy(anyone)}
    )
    return True


def alias_moved(doc: dict, n: int) -> bool:
    keys = doc.get("keys") or []
    with_alias = [k for k in keys if k.get("aliases")]
    others = [k for k in keys if k not in with_alias[:1]]
    if not with_alias or not others:
        return False
    source, target = with_alias[0], others[n % len(others)]
    if source["account"] != target["account"]:
        return False
    alias = source["aliases"].pop()
    target["aliases"] = [*(target.get("aliases") or []), alias]
    return True


def attempt_lends_a_context(doc: dict, n: int) -> bool:
    principals, keys, _ = _arns(doc)
    if not keys or not principals:
        return False
    doc.setdefault("attempts", []).append(
        {
            "id": f"ctx-{len(doc['attempts'])}",
            "principal": principals[n % len(principals)],
            "action": "kms:Encrypt",
            "resource": keys[n % len(keys)],
            "encryption_context": {"tenant": f"t{n}"},
        }
    )
    return True


def attempt_lends_an_external_id(doc: dict, n: int) -> bool:
    principals, _, roles = _arns(doc)
    if not roles or not principals:
        return False
    doc.setdefault("attempts", []).append(
        {
            "id": f"ext-{len(doc['attempts'])}",
            "principal": principals[n % len(principals)],
            "action": "sts:AssumeRole",
            "resource": roles[n % len(roles)],
            "context": {"sts:ExternalId": f"ext-{n}"},
        }
    )
    return True


def account_added(doc: dict, n: int) -> bool:
    accounts = doc.setdefault("accounts", [])
    accounts.append({"id": f"{999900000000 + len(accounts):012d}", "name": "added"})
    return True


EDITS: list[Edit] = [
    key_policy_opens,
    key_policy_closes,
    identity_allows,
    identity_denies,
    trust_opens,
    grant_added,
    tags_changed,
    principal_added,
    key_added,
    alias_moved,
    attempt_lends_a_context,
    attempt_lends_an_external_id,
    account_added,
]


def _matrix(doc: dict, now: datetime = NOW, previous=None):
    loaded = load_scenario(doc)
    assert loaded.ok, loaded.problems
    return access_matrix(loaded.scenario, now=now, previous=previous)


def _assert_reuse_matches_scratch(before_doc: dict, after_doc: dict) -> None:
    previous = _matrix(before_doc)
    again = _matrix(after_doc, previous=previous)
    scratch = _matrix(after_doc)
    assert list(again.edges) == list(scratch.edges)


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_one_edit_re_decided_equals_decided_from_scratch(path, edit):
    before = _doc(path)
    after = copy.deepcopy(before)
    if not edit(after, 0):
        account_added(after, 0)  # still an edit the matrix sees
    _assert_reuse_matches_scratch(before, after)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FILES),
    st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 5)), min_size=1, max_size=5),
)
def test_a_chain_of_edits_re_decided_step_by_step_equals_decided_from_scratch(path, edits):
    doc = _doc(path)
    matrix = _matrix(doc)
    for edit, n in edits:
        edit(doc, n)
        matrix = _matrix(doc, previous=matrix)
        assert list(matrix.edges) == list(_matrix(doc).edges)


def _generated(accounts: int) -> dict:
    """`accounts` accounts of 2 users, 2 roles and 2 keys each (the web benchmark's shape)."""
    doc: dict = {"format": 1, "accounts": [], "principals": [], "keys": []}
    first = "100000000001"
    for i in range(accounts):
        account = f"{100000000001 + i:012d}"
        doc["accounts"].append({"id": account})
        for j in range(2):
            use = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
            trust = {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{first}:root"},
                "Action": "sts:AssumeRole",
            }
            doc["principals"] += [
                {"type": "user", "account": account, "name": f"u{j}", "policies": []},
                {"type": "role", "account": account, "name": f"r{j}", "trust_policy": None},
            ]
            doc["principals"][-2]["policies"] = [{"name": "Use", "policy": _policy(use)}]
            doc["principals"][-1]["trust_policy"] = _policy(trust)
            doc["keys"].append({"id": f"k{i}-{j}", "account": account})
            key_policy_closes(doc, len(doc["keys"]) - 1)
    return doc


def test_a_key_policy_edit_re_decides_that_keys_column_only():
    before = _generated(4)
    after = copy.deepcopy(before)
    key_policy_opens(after, 3)
    _, keys, _ = _arns(after)
    edited = keys[3]
    previous = _matrix(before)
    again = _matrix(after, previous=previous)
    assert list(again.edges) == list(_matrix(after).edges)
    for pair, block in again.blocks.items():
        kept = previous.blocks.get(pair) is block
        assert kept == (pair[2] != edited), pair


def test_an_identity_policy_edit_re_decides_that_principals_row_only():
    before = _generated(4)
    after = copy.deepcopy(before)
    identity_allows(after, 0)
    principals, _, _ = _arns(after)
    edited = principals[0]
    previous = _matrix(before)
    again = _matrix(after, previous=previous)
    assert list(again.edges) == list(_matrix(after).edges)
    for pair, block in again.blocks.items():
        if pair[0] == "sse":
            continue
        kept = previous.blocks.get(pair) is block
        assert kept == (pair[1] != edited), pair


def _expiring(until: str) -> dict:
    doc = _doc(ROOT / "examples" / "01-key-policy-must-open-the-door.json")
    principals, _, _ = _arns(doc)
    key = doc["keys"][0]
    key["policy"] = _policy(
        *key["policy"]["Statement"],
        {
            "Effect": "Allow",
            "Principal": {"AWS": principals[0]},
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"DateLessThan": {"aws:CurrentTime": until}},
        },
    )
    return doc


def test_a_cell_whose_key_policy_reads_the_clock_is_decided_again_when_the_clock_moved():
    doc = _expiring("2026-12-03T12:30:00Z")
    before_expiry = _matrix(doc, NOW)
    later = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    again = _matrix(doc, later, previous=before_expiry)
    scratch = _matrix(doc, later)
    assert list(again.edges) == list(scratch.edges)
    assert before_expiry.cells() != scratch.cells()  # the statement did expire in between
