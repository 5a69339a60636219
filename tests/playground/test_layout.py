"""Canvas geometry: automatic layout, saved positions, organization, arrows."""

from __future__ import annotations

from itertools import combinations

from playground import canvas, documents, layout

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


def test_trust_arrows_come_from_trusted_principals_in_other_accounts():
    doc = documents.blank_document()
    doc, other = documents.add_node(doc, "account", "B", None)
    doc, user = documents.add_node(doc, "user", "alice", other)
    doc, role = documents.add_node(doc, "role", "shared", ACCOUNT)
    doc["principals"][1]["trust_policy"]["Statement"][0]["Principal"] = {"AWS": user}
    drawn = canvas.build(doc, [])
    trust = [a for a in drawn.arrows if a.kind == "trust"]
    assert [(a.source, a.target) for a in trust] == [(user, role)]


def test_sse_kms_arrow_from_bucket_to_its_key_by_alias():
    doc, key = documents.add_node(documents.blank_document(), "key", "data", ACCOUNT)
    doc, bucket = documents.add_node(doc, "bucket", "reports", ACCOUNT)
    doc["buckets"][0]["default_encryption"] = {"algorithm": "aws:kms", "key": "alias/data"}
    drawn = canvas.build(doc, [])
    assert [(a.source, a.target, a.label) for a in drawn.arrows] == [(bucket, key, "SSE-KMS")]


class _Edge:
    def __init__(self, principal, key, action, authorization, via_grant=False):
        self.principal, self.key, self.action = principal, key, action
        self.authorization, self.via_grant = authorization, via_grant


def test_access_arrows_say_allowed_denied_or_grant_in_words_too():
    doc, role = documents.add_node(documents.blank_document(), "role", "r", ACCOUNT)
    doc, key = documents.add_node(doc, "key", "k", ACCOUNT)
    doc, key2 = documents.add_node(doc, "key", "k2", ACCOUNT)
    doc, key3 = documents.add_node(doc, "key", "k3", ACCOUNT)
    edges = [
        _Edge(role, key, "kms:Decrypt", "allow"),
        _Edge(role, key, "kms:Encrypt", "implicit_deny"),
        _Edge(role, key2, "kms:Decrypt", "explicit_deny"),
        _Edge(role, key3, "kms:Decrypt", "allow", via_grant=True),
    ]
    arrows = {a.target: a for a in canvas.build(doc, edges).arrows}
    assert (arrows[key].status, arrows[key].label) == ("allowed", "✓ Decrypt")
    assert (arrows[key2].status, arrows[key2].label) == ("denied", "✗")
    assert arrows[key3].status == "grant" and "grant" in arrows[key3].label
    assert "Encrypt denied" in arrows[key].title
