"""Canvas geometry: automatic layout, saved positions, organization, arrows."""

from __future__ import annotations

from itertools import combinations

from playground import canvas, documents, engine, layout

ACCOUNT = "111122223333"


def _overlap(a, b) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _big_doc(n_accounts: int = 3, per_kind: int = 4) -> dict:
    doc = documents.blank_document()
    for _ in range(n_accounts - 1):
        doc, _ = documents.add_node(doc, "account", "", None)
    for account in [a["id"] for a in doc["accounts"]]:
        for kind in ("user", "role", "key", "bucket"):
            for i in range(per_kind):
                doc, _ = documents.add_node(doc, kind, f"{kind}{i}", account)
    return doc


def test_automatic_layout_puts_nodes_inside_their_account_without_overlap():
    geo = layout.compute(_big_doc())
    assert len(geo.nodes) == 48
    for a, b in combinations(geo.nodes.values(), 2):
        assert not _overlap(a.box, b.box), (a.ref, b.ref)
    for a, b in combinations(geo.accounts.values(), 2):
        assert not _overlap(a.box, b.box)
    for node in geo.nodes.values():
        region = geo.accounts[node.account].box
        assert region.x <= node.box.x and node.box.right <= region.right
        assert region.y <= node.box.y and node.box.bottom <= region.bottom


def test_principals_sit_left_of_resources():
    doc, role = documents.add_node(documents.blank_document(), "role", "r", ACCOUNT)
    doc, key = documents.add_node(doc, "key", "k", ACCOUNT)
    geo = layout.compute(doc)
    assert geo.nodes[role].box.right < geo.nodes[key].box.x


def test_saved_positions_win_and_the_account_grows_around_them():
    doc, role = documents.add_node(documents.blank_document(), "role", "r", ACCOUNT)
    doc = documents.move_node(doc, role, 900, 700)
    geo = layout.compute(doc)
    assert (geo.nodes[role].box.x, geo.nodes[role].box.y) == (900, 700)
    assert geo.nodes[role].pinned
    assert geo.accounts[ACCOUNT].box.right >= 900 + layout.NODE_W
    assert geo.bounds.right >= 900 + layout.NODE_W


def test_organization_frames_member_accounts_with_root_and_unit_chips():
    doc = documents.blank_document()
    doc, unit = documents.add_node(doc, "unit", "Prod", None)
    doc["accounts"][0]["parent"] = unit
    geo = layout.compute(doc)
    assert set(geo.chips) == {"r-root", unit}
    assert (unit, ACCOUNT) in geo.org_links
    frame = geo.org_frame.box
    account = geo.accounts[ACCOUNT].box
    assert frame.x <= account.x and account.right <= frame.right
    assert "in Prod" in geo.accounts[ACCOUNT].sublabel


def _drawn(doc: dict) -> canvas.Canvas:
    """The canvas as the page draws it: the evaluator's matrix, placed."""
    loaded = engine.load(doc)
    assert loaded.ok, loaded.problems
    return canvas.build(doc, engine.access_matrix(loaded.scenario).edges)


def _statement(effect: str, principal: str, action: str, **extra) -> dict:
    return {"Effect": effect, "Principal": {"AWS": principal}, "Action": action, **extra}


def _allow_own(action: str) -> dict:
    return {
        "name": "Own",
        "policy": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        },
    }


def _trust_doc(*statements: dict) -> tuple[dict, str, str]:
    doc = documents.blank_document()
    doc, other = documents.add_node(doc, "account", "B", None)
    doc, user = documents.add_node(doc, "user", "alice", other)
    doc, role = documents.add_node(doc, "role", "shared", ACCOUNT)
    doc["principals"][1]["trust_policy"]["Statement"] = [
        st if st["Principal"] != "USER" else {**st, "Principal": {"AWS": user}} for st in statements
    ]
    return doc, user, role


def _trust(doc: dict) -> list[tuple[str, str, str, str]]:
    return [
        (a.source, a.target, a.status, a.label) for a in _drawn(doc).arrows if a.kind == "trust"
    ]


def test_a_named_caller_without_its_own_permission_is_drawn_refused():
    doc, user, role = _trust_doc(
        {"Effect": "Allow", "Principal": "USER", "Action": "sts:AssumeRole"}
    )
    assert _trust(doc) == [(user, role, "denied", "✗ may not assume")]
    doc["principals"][0]["policies"] = [_allow_own("sts:AssumeRole")]
    assert _trust(doc) == [(user, role, "trust", "may assume")]


def test_a_wildcard_action_in_the_trust_policy_draws_may_assume():
    doc, user, role = _trust_doc({"Effect": "Allow", "Principal": "USER", "Action": "sts:Assume*"})
    doc["principals"][0]["policies"] = [_allow_own("sts:*")]
    assert _trust(doc) == [(user, role, "trust", "may assume")]


def test_allow_and_deny_for_the_same_caller_draw_a_refusal():
    doc, user, role = _trust_doc(
        {"Effect": "Allow", "Principal": "USER", "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "USER", "Action": "sts:AssumeRole"},
    )
    doc["principals"][0]["policies"] = [_allow_own("sts:AssumeRole")]
    assert _trust(doc) == [(user, role, "denied", "✗ may not assume")]


def test_a_trusted_account_is_drawn_from_its_box():
    doc, _, role = _trust_doc(
        {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole"}
    )
    assert _trust(doc) == [("444455556666", role, "trust", "may assume")]


def test_sse_kms_arrow_from_bucket_to_its_key_by_alias():
    doc, key = documents.add_node(documents.blank_document(), "key", "data", ACCOUNT)
    doc, bucket = documents.add_node(doc, "bucket", "reports", ACCOUNT)
    doc["buckets"][0]["default_encryption"] = {"algorithm": "aws:kms", "key": "alias/data"}
    sse = [(a.source, a.target, a.label) for a in _drawn(doc).arrows if a.kind == "sse"]
    assert sse == [(bucket, key, "SSE-KMS")]


def test_access_arrows_say_allowed_denied_or_grant_in_words_too():
    doc, role = documents.add_node(documents.blank_document(), "role", "r", ACCOUNT)
    keys = []
    for name in ("k", "k2", "k3"):
        doc, key = documents.add_node(doc, "key", name, ACCOUNT)
        keys.append(key)
    allow_decrypt = _statement("Allow", role, "kms:Decrypt", Resource="*")
    doc["keys"][0]["policy"]["Statement"] = [allow_decrypt]
    doc["keys"][1]["policy"]["Statement"] += [
        allow_decrypt,
        _statement("Deny", role, "kms:Decrypt", Resource="*"),
    ]
    doc["keys"][2]["policy"]["Statement"] = []
    doc["keys"][2]["grants"] = [{"id": "g1", "grantee": role, "operations": ["Decrypt"]}]
    arrows = {a.target: a for a in _drawn(doc).arrows if a.kind == "access"}
    key, key2, key3 = keys
    assert (arrows[key].status, arrows[key].label) == ("allowed", "✓ Decrypt")
    assert (arrows[key2].status, arrows[key2].label) == ("denied", "✗")
    assert arrows[key3].status == "grant" and "grant" in arrows[key3].label
    assert "Encrypt denied" in arrows[key].title
