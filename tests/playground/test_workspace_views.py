"""The workspace through HTTP: drawing, policies, attempts, history, sharing."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from playground.models import Revision, Scenario, Snapshot, WorkingCopy
from tests.playground.conftest import ACCOUNT, HX, announced

pytestmark = pytest.mark.django_db

DENY_NOTHING_KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Root",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}


def test_a_blank_scenario_starts_with_one_account(copy):
    assert [a["id"] for a in copy.doc["accounts"]] == [ACCOUNT]
    page = copy.client.get(copy.base).content.decode()
    assert 'id="canvas"' in page and 'data-ref="111122223333"' in page
    assert "Saved automatically" in page


def test_opening_an_example_makes_a_working_copy_with_its_own_lineage(client):
    example = Scenario.objects.create(
        title="Ex",
        document={"format": 1, "accounts": [{"id": ACCOUNT}]},
        is_example=True,
        example_slug="ex",
    )
    first = client.post(f"/examples/{example.id}/open/")["Location"]
    second = client.post(f"/examples/{example.id}/open/")["Location"]
    a, b = (WorkingCopy.objects.get(pk=u.strip("/").split("/")[-1]) for u in (first, second))
    assert a.document == example.document and a.lineage != b.lineage


def test_gallery_shows_title_summary_and_an_open_button(client):
    Scenario.objects.create(
        title="Grants",
        document={"format": 1, "summary": "A grant lets a role in."},
        is_example=True,
        example_slug="g",
    )
    html = client.get("/gallery/", **HX).content.decode()
    assert "Grants" in html and "A grant lets a role in." in html
    assert "/open/" in html and 'aria-label="Open example: Grants"' in html


def test_add_node_returns_the_canvas_and_opens_its_panel(copy):
    response = copy.post("nodes/add/", {"kind": "role", "name": "app", "account": ACCOUNT})
    html = response.content.decode()
    assert 'id="canvas"' in html and 'hx-swap-oob="true"' in html
    assert "IAM role</span> app" in html
    assert announced(response) == {"attempts-stale"}


def test_add_node_without_htmx_redirects_to_the_page_with_the_node_selected(copy):
    response = copy.client.post(copy.base + "nodes/add/", {"kind": "key", "account": ACCOUNT})
    assert response.status_code == 302
    assert response["Location"].startswith(copy.base + "?node=arn%3Aaws%3Akms")


def test_move_saves_the_position_in_the_layout(copy):
    role = copy.add("role", "app")
    copy.post("nodes/move/", {"ref": role, "x": "412.6", "y": "88"})
    assert copy.doc["layout"] == {role: {"x": 413, "y": 88}}


def test_rename_and_delete_from_the_panel(copy):
    role = copy.add("role", "app")
    copy.post("nodes/rename/", {"ref": role, "name": "worker"})
    assert copy.doc["principals"][0]["name"] == "worker"
    html = copy.post("nodes/delete/", {"ref": role.replace("app", "worker")}).content.decode()
    assert copy.doc.get("principals") == [] and 'id="panel"' in html


def test_properties_form_sets_key_state_and_aliases(copy):
    key = copy.add("key", "data")
    data = {"ref": key, "state": "Disabled", "manager": "CUSTOMER", "origin": "AWS_KMS"}
    copy.post("nodes/props/", {**data, "aliases": "alias/data\nalias/more", "description": "d"})
    assert copy.doc["keys"][0]["state"] == "Disabled"
    assert copy.doc["keys"][0]["aliases"] == ["alias/data", "alias/more"]
    html = copy.post("nodes/props/", {**data, "aliases": "nope"}).content.decode()
    assert "an alias looks like alias/NAME" in html
    assert copy.doc["keys"][0]["aliases"] == ["alias/data", "alias/more"]


def _save_policy(copy, ref, path, text):
    response = copy.client.post(
        copy.base + "policies/save/",
        {"ref": ref, "path": path, "text": text},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    return response.json()


def test_valid_policy_text_is_saved_and_reports_warnings(copy):
    key = copy.add("key", "data")
    text = json.dumps(DENY_NOTHING_KEY_POLICY, indent=2)
    answer = _save_policy(copy, key, "/policy", text)
    assert answer["status"] == "saved"
    assert copy.doc["keys"][0]["policy"] == DENY_NOTHING_KEY_POLICY
    assert copy.wc.drafts == {}


def test_invalid_policy_text_is_kept_as_a_draft_with_problems_at_their_line(copy):
    key = copy.add("key", "data")
    saved = copy.doc["keys"][0]["policy"]
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Alow"}]\n}'
    answer = _save_policy(copy, key, "/policy", text)
    assert answer["status"] == "draft" and "kept as a draft" in answer["message"]
    effect = next(p for p in answer["problems"] if p["code"] == "policy.effect")
    assert effect["line"] == 3 and effect["severity"] == "error"
    assert copy.doc["keys"][0]["policy"] == saved  # the scenario keeps the last valid policy
    assert copy.wc.drafts == {f"{key}|/policy": text}
    # the panel shows what was typed, not the saved policy
    panel = copy.client.get(copy.base + "panel/", {"node": key}).content.decode()
    assert "Alow" in panel and "Not valid yet" in panel
    # broken JSON is a draft too
    assert _save_policy(copy, key, "/policy", '{"Version": ')["status"] == "draft"


def _status(response) -> tuple[str, list[dict], str]:
    """What the editor's htmx save answered: its state, its problems (data) and its words."""
    html = response.content.decode()
    found = re.search(
        r'class="policy-status[^"]*" data-state="(\w*)" data-problems="([^"]*)"', html
    )
    text = re.search(r'class="policy-status[^>]*>([^<]*)</p>', html)
    return found[1], json.loads(html_lib.unescape(found[2])), html_lib.unescape(text[1])


def test_the_editor_saves_through_htmx_and_gets_the_problems_for_its_gutter(copy):
    key = copy.add("key", "data")
    draft = copy.post("policies/save/", {"ref": key, "path": "/policy", "text": '{\n  "Vers'})
    state, problems, said = _status(draft)
    assert state == "draft" and "kept as a draft" in said and problems[0]["line"]
    assert not announced(draft)  # nothing changed for the rest of the page
    text = json.dumps(DENY_NOTHING_KEY_POLICY, indent=2)
    saved = copy.post("policies/save/", {"ref": key, "path": "/policy", "text": text})
    assert _status(saved) == ("saved", [], "✓ Saved.")
    assert announced(saved) == {"scenario-changed"}
    assert copy.doc["keys"][0]["policy"] == DENY_NOTHING_KEY_POLICY and copy.wc.drafts == {}


def test_policy_form_without_javascript_redirects_back_to_the_node(copy):
    key = copy.add("key", "data")
    response = copy.client.post(
        copy.base + "policies/save/", {"ref": key, "path": "/policy", "text": "{"}
    )
    assert response.status_code == 302 and "node=" in response["Location"]
    assert copy.wc.drafts[f"{key}|/policy"] == "{"


def test_identity_policy_and_grant_are_added_from_the_panel(copy):
    role = copy.add("role", "app")
    key = copy.add("key", "data")
    copy.post("policies/add/", {"ref": role, "which": "identity", "name": "Use"})
    assert copy.doc["principals"][0]["policies"][0]["name"] == "Use"
    copy.post(
        "grants/save/",
        {
            "ref": key,
            "grantee": role,
            "operations": ["Decrypt", "Encrypt"],
            "constraint": "subset",
            "context": "tenant=blue",
            "propagated": "on",
        },
    )
    grant = copy.doc["keys"][0]["grants"][0]
    assert grant["grantee"] == role and grant["operations"] == ["Decrypt", "Encrypt"]
    assert grant["constraints"] == {"encryption_context_subset": {"tenant": "blue"}}
    copy.post("grants/delete/", {"ref": key, "grant_id": grant["id"]})
    assert "grants" not in copy.doc["keys"][0]


def test_undo_and_redo_walk_the_history(copy):
    copy.add("role", "one")
    copy.add("role", "two")
    assert len(copy.doc["principals"]) == 2
    response = copy.post("undo/")
    assert "history-changed" in announced(response)
    assert len(copy.doc["principals"]) == 1
    copy.post("undo/")
    assert copy.doc.get("principals") is None
    copy.post("redo/")
    assert len(copy.doc["principals"]) == 1
    copy.add("key", "k")  # a new edit drops the redo branch
    assert copy.post("redo/").status_code == 200
    assert len(copy.doc["principals"]) == 1 and len(copy.doc["keys"]) == 1
    assert Revision.objects.filter(working_copy_id=copy.id).count() == 3  # blank, one, key


def test_an_edit_that_would_break_the_scenario_changes_nothing(copy):
    before = copy.doc
    html = copy.post("nodes/delete/", {"ref": ACCOUNT}).content.decode()
    assert "at least one account" in html and copy.doc == before


def _attempts_doc(copy):
    role = copy.add("role", "app")
    key = copy.add("key", "data")
    copy.post("policies/add/", {"ref": role, "which": "identity", "name": "Use"})
    return role, key


def test_attempts_are_saved_run_and_traced(copy):
    role, key = _attempts_doc(copy)
    copy.post(
        "attempts/save/",
        {
            "principal": role,
            "action": "kms:Encrypt",
            "resource": key,
            "plaintext": "hi",
            "expect": "deny",
            "encryption_context": "app=web",
        },
    )
    attempt = copy.doc["attempts"][0]
    assert attempt["id"] == "encrypt-1" and attempt["encryption_context"] == {"app": "web"}
    html = copy.post("attempts/run/", {"attempt": "encrypt-1"}).content.decode()
    assert "Implicit deny" in html and "AccessDeniedException" in html
    assert 'data-step="0"' in html and "How to fix it" in html
    assert 'id="attempts"' in html and "✓ as expected" in html  # out-of-band list update
    assert copy.shown()["encrypt-1"]["passed"] == "true"


def test_run_all_reports_pass_and_fail(copy):
    role, key = _attempts_doc(copy)
    for expect in ("allow", "deny"):
        copy.post(
            "attempts/save/",
            {"principal": role, "action": "kms:Decrypt", "resource": key, "expect": expect},
        )
    html = copy.post("attempts/run-all/").content.decode()
    assert "Ran 2 attempt(s): 1 passed, 1 failed." in html
    assert "✗ not as expected" in html and "✓ as expected" in html


def test_attempt_form_errors_are_shown_and_nothing_is_saved(copy):
    html = copy.post("attempts/save/", {"principal": "", "action": "kms:Nope"}).content.decode()
    assert "Not saved" in html and "attempts" not in copy.doc


def test_export_downloads_the_document(copy):
    copy.add("role", "app")
    response = copy.client.get(copy.base + "export/")
    assert response["Content-Disposition"] == 'attachment; filename="untitled-scenario.json"'
    assert json.loads(response.content) == copy.doc


def test_import_replaces_a_valid_document(copy):
    doc = {"format": 1, "title": "Imported", "accounts": [{"id": "444455556666"}]}
    response = copy.post("import/", {"text": json.dumps(doc)})
    assert response["HX-Redirect"] == copy.base
    assert copy.doc["title"] == "Imported"


def test_import_reports_errors_by_path_and_line_and_keeps_the_scenario(copy):
    before = copy.doc
    text = '{\n  "format": 1,\n  "accounts": [\n    {"id": "12"}\n  ]\n}'
    html = copy.post("import/", {"text": text}).content.decode()
    assert "Not imported; the scenario is unchanged." in html
    assert "/accounts/0/id" in html and "line 4" in html
    assert copy.doc == before
    html = copy.post("import/", {"text": "{ nope"}).content.decode()
    assert "line 1" in html and copy.doc == before


def test_share_freezes_a_snapshot_that_opens_read_only(copy, client):
    copy.add("role", "app")
    html = copy.post("share/").content.decode()
    snap = Snapshot.objects.get()
    assert f"/s/{snap.id}/" in html and snap.lineage == copy.wc.lineage
    copy.add("key", "later")
    assert "keys" not in Snapshot.objects.get().document
    page = client.get(f"/s/{snap.id}/").content.decode()
    assert "Read-only snapshot" in page and "Fork to edit" in page
    assert "nodes/add/" not in page and 'data-editable="false"' in page


def test_fork_of_a_snapshot_is_editable_and_keeps_the_lineage(copy, client):
    copy.post("share/")
    snap = Snapshot.objects.get()
    response = client.post(f"/s/{snap.id}/fork/")
    fork = WorkingCopy.objects.get(pk=response["Location"].strip("/").split("/")[-1])
    assert fork.lineage == snap.lineage and fork.document == snap.document
    assert "Saved automatically" in client.get(response["Location"]).content.decode()


def test_a_share_link_can_open_an_attempts_trace(copy, client):
    role, key = _attempts_doc(copy)
    copy.post(
        "attempts/save/",
        {"principal": role, "action": "kms:Decrypt", "resource": key, "attempt_id": "read"},
    )
    copy.post("share/")
    snap = Snapshot.objects.get()
    page = client.get(f"/s/{snap.id}/", {"attempt": "read"}).content.decode()
    assert 'id="result-badge"' in page and "Implicit deny" in page
    partial = client.get(f"/s/{snap.id}/trace/", {"attempt": "read"}, **HX).content.decode()
    assert "<html" not in partial and "Implicit deny" in partial


def _said(html: str) -> list[tuple[str, str]]:
    """The messages above a page without JavaScript: (kind, text)."""
    found = re.findall(r'<li class="message message-(\w+)">(.*?)</li>', html, re.S)
    return [(kind, html_lib.unescape(text)) for kind, text in found]


@pytest.mark.parametrize(
    ("route", "data", "said"),
    [
        ("nodes/props/", {"ref": ACCOUNT, "name": "Prod"}, ("success", "Saved.")),
        ("nodes/rename/", {"ref": ACCOUNT, "name": ""}, ("error", "Give a name.")),
        ("nodes/delete/", {"ref": "no-such-node"}, ("error", "No such node.")),
        ("attempts/run-all/", {}, ("success", "Ran 0 attempt(s): 0 passed, 0 failed.")),
    ],
    ids=["saved", "refused-rename", "refused-delete", "report"],
)
def test_without_javascript_what_was_done_is_not_shown_as_an_error(copy, route, data, said):
    response = copy.client.post(copy.base + route, {**data, "revision": copy.wc.version})
    assert response.status_code == 302
    assert said in _said(copy.client.get(response["Location"]).content.decode())


@pytest.mark.parametrize(
    ("route", "data", "said"),
    [
        ("attempts/delete/", {"attempt": "nope"}, 'No attempt "nope": nothing was deleted.'),
        ("grants/delete/", {"grant_id": "nope"}, "This key has no such grant"),
        ("policies/remove/", {"path": "/permissions_boundary"}, "There is no such policy"),
    ],
    ids=["attempt", "grant", "boundary"],
)
def test_deleting_what_is_not_there_says_so_and_changes_nothing(copy, route, data, said):
    role, key = _attempts_doc(copy)
    ref = key if route.startswith("grants/") else role
    before = copy.wc.version
    html = copy.post(route, {"ref": ref, **data}).content.decode()
    assert said in html_lib.unescape(html)
    assert "deleted." not in html.replace("nothing was deleted.", "")
    assert copy.wc.version == before
