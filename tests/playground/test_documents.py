"""Node refs and edits on plain scenario documents."""

from __future__ import annotations

import pytest

from playground import documents
from playground.documents import EditError

ACCOUNT = "111122223333"


def _doc_with(*kinds: str) -> tuple[dict, list[str]]:
    doc, refs = documents.blank_document(), []
    for kind in kinds:
        doc, ref = documents.add_node(doc, kind, f"my-{kind}", ACCOUNT)
        refs.append(ref)
    return doc, refs


def test_refs_are_the_arns_the_trace_uses():
    doc, (user, role, key, bucket) = _doc_with("user", "role", "key", "bucket")
    assert user == f"arn:aws:iam::{ACCOUNT}:user/my-user"
    assert role == f"arn:aws:iam::{ACCOUNT}:role/my-role"
    assert key.startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/")
    assert bucket == "arn:aws:s3:::my-bucket"
    kinds = {n.ref: n.kind for n in documents.iter_nodes(doc)}
    assert kinds[ACCOUNT] == "account"


def test_edits_never_change_their_input():
    doc = documents.blank_document()
    before = repr(doc)
    documents.add_node(doc, "role", "x", ACCOUNT)
    assert repr(doc) == before


def test_new_role_trusts_its_account_and_new_key_delegates_to_iam():
    doc, (_role, _key) = _doc_with("role", "key")
    role_obj = doc["principals"][0]
    statement = role_obj["trust_policy"]["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert doc["keys"][0]["policy"]["Statement"][0]["Action"] == "kms:*"
    assert doc["keys"][0]["aliases"] == ["alias/my-key"]


def test_names_are_made_unique_within_an_account():
    _doc, (first, second) = _doc_with("role", "role")
    assert first != second and second.endswith("my-role-2")


def test_rename_moves_layout_and_attempts_to_the_new_arn():
    doc, (role,) = _doc_with("role")
    doc = documents.move_node(doc, role, 10, 20)
    doc["attempts"] = [{"id": "a", "principal": role, "action": "kms:Decrypt"}]
    renamed, new_ref = documents.rename(doc, role, "better")
    assert new_ref.endswith("role/better")
    assert renamed["layout"] == {new_ref: {"x": 10, "y": 20}}
    assert renamed["attempts"][0]["principal"] == new_ref


def test_rename_refuses_an_invalid_iam_name():
    doc, (role,) = _doc_with("role")
    with pytest.raises(EditError, match="letters, digits"):
        documents.rename(doc, role, "<script>")


def test_deleting_an_account_removes_its_nodes_but_not_the_last_account():
    doc, _ = _doc_with("role", "key")
    with pytest.raises(EditError, match="at least one account"):
        documents.delete_node(doc, ACCOUNT)
    doc, other = documents.add_node(doc, "account", "B", None)
    doc, _ = documents.add_node(doc, "role", "there", other)
    doc = documents.delete_node(doc, other)
    assert [a["id"] for a in doc["accounts"]] == [ACCOUNT]
    assert [p["name"] for p in doc["principals"]] == ["my-role"]


def test_units_create_an_organization_and_scps_attach_to_targets():
    doc = documents.blank_document()
    doc, unit = documents.add_node(doc, "unit", "Prod", None)
    assert doc["organization"]["units"][0]["id"] == unit
    doc, ref = documents.add_org_policy(doc, "scp", "DenyAll", unit)
    assert ref == "scp:DenyAll"
    assert documents.org_policies_for(doc, unit)[0][0] == "scp:DenyAll"
    slots = documents.policy_slots(doc, ref)
    assert [(s.path, s.kind) for s in slots] == [("/policy", "scp")]


def test_policy_slots_of_a_role():
    doc, (role,) = _doc_with("role")
    doc = documents.add_identity_policy(doc, role, "Read")
    doc = documents.add_resource_policy(doc, role)
    slots = documents.policy_slots(doc, role)
    assert [(s.path, s.kind) for s in slots] == [
        ("/trust_policy", "trust"),
        ("/policies/0/policy", "identity"),
        ("/permissions_boundary", "boundary"),
    ]


def test_set_policy_only_on_an_existing_slot():
    doc, (key,) = _doc_with("key")
    with pytest.raises(EditError):
        documents.set_policy(doc, key, "/trust_policy", {})
    new = documents.set_policy(doc, key, "/policy", {"Version": "2012-10-17", "Statement": []})
    assert new["keys"][0]["policy"]["Statement"] == []


def test_repair_drops_attempts_left_dangling():
    doc = {"attempts": [{"id": "a"}, {"id": "b"}], "principals": []}
    assert documents.repair(doc, ["/attempts/0/principal"]) == {
        "attempts": [{"id": "b"}],
        "principals": [],
    }
    assert documents.repair(doc, ["/keys/0/account"]) is None
