"""The public sandbox: CSRF, edit tokens, escaping, size limits, key material."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from django.test import Client

from playground.access import COOKIE
from playground.keystore import DbKeyMaterial
from playground.models import KeyMaterial, Scenario, Snapshot, WorkingCopy
from playground.store import MAX_DOCUMENT_BYTES
from tests.playground.conftest import ACCOUNT, HX, WRITES, Copy

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


@pytest.mark.parametrize(("route", "data"), WRITES)
def test_every_write_needs_a_csrf_token(route, data):
    client = Client(enforce_csrf_checks=True)
    copy = Copy(Client())  # created by another client, whose token we copy below
    client.cookies[COOKIE] = copy.client.cookies[COOKIE].value
    client.cookies[COOKIE]["path"] = copy.base
    before = (copy.doc, Snapshot.objects.count(), Scenario.objects.count())
    assert client.post(copy.base + route, data, **HX).status_code == 403
    assert (copy.doc, Snapshot.objects.count(), Scenario.objects.count()) == before


def test_creating_a_scenario_needs_a_csrf_token():
    assert Client(enforce_csrf_checks=True).post("/new/").status_code == 403
    assert WorkingCopy.objects.count() == 0


@pytest.mark.parametrize(("route", "data"), WRITES)
@pytest.mark.parametrize("token", [None, "forged-token-value"])
def test_an_edit_with_a_missing_or_forged_token_changes_nothing(copy, route, data, token):
    stranger = Client()
    if token:
        stranger.cookies[COOKIE] = token
    before = (copy.doc, copy.wc.position, Snapshot.objects.count(), Scenario.objects.count())
    response = stranger.post(copy.base + route, data, **HX)
    assert response.status_code == 403
    assert "Fork to edit" in response.content.decode()
    after = (copy.doc, copy.wc.position, Snapshot.objects.count(), Scenario.objects.count())
    assert after == before


def test_a_stranger_sees_a_working_copy_read_only_and_can_fork_it(copy):
    copy.add("role", "app")
    stranger = Client()
    page = stranger.get(copy.base).content.decode()
    assert "Read-only: another browser" in page and "nodes/add/" not in page
    response = stranger.post(copy.base + "fork/")
    fork = WorkingCopy.objects.get(pk=response["Location"].strip("/").split("/")[-1])
    assert fork.document == copy.doc and fork.lineage == copy.wc.lineage
    assert (
        stranger.post(
            f"/w/{fork.id}/nodes/add/", {"kind": "key", "account": ACCOUNT}, **HX
        ).status_code
        == 200
    )
    assert stranger.post(copy.base + "undo/", **HX).status_code == 403


def test_the_edit_token_is_httponly_scoped_and_stored_only_as_a_hash(copy):
    cookie = copy.client.cookies[COOKIE]
    assert cookie["httponly"] and cookie["path"] == copy.base
    assert cookie["samesite"] == "Lax"
    assert cookie.value not in json.dumps(copy.wc.edit_token_hash)
    assert len(copy.wc.edit_token_hash) == 64


def test_html_in_names_descriptions_and_policy_text_renders_as_text(copy):
    copy.post("scenario/", {"title": SCRIPT, "description": SCRIPT, "summary": SCRIPT})
    copy.post("nodes/rename/", {"ref": ACCOUNT, "name": SCRIPT})
    key = copy.add("key", "k")
    copy.client.post(
        copy.base + "policies/save/",
        {"ref": key, "path": "/policy", "text": '{"Statement": "' + SCRIPT + '"}'},
    )
    copy.post(
        "attempts/save/",
        {"principal": SCRIPT, "action": "kms:Decrypt", "title": SCRIPT},
    )
    pages = [
        copy.client.get(copy.base).content.decode(),
        copy.client.get(copy.base + "panel/", {"node": key}).content.decode(),
        copy.client.get(copy.base + "panel/").content.decode(),
        copy.client.get(copy.base + "canvas/").content.decode(),
    ]
    for html in pages:
        assert SCRIPT not in html
    assert "&lt;script&gt;" in pages[0]
    assert "&lt;script&gt;" in pages[1]  # the draft policy text, escaped in the textarea


def test_a_request_over_the_size_limit_is_refused_with_a_clear_message(copy):
    response = copy.client.post(copy.base + "import/", {"text": "x" * (2 * 1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "larger than the 2 MB limit" in response.content.decode()


def test_a_document_over_the_limit_is_refused_and_nothing_changes(copy):
    before = copy.doc
    big = {"format": 1, "accounts": [{"id": ACCOUNT}], "description": "x" * MAX_DOCUMENT_BYTES}
    html = copy.post("import/", {"text": json.dumps(big)}).content.decode()
    assert "over the 512 KB limit" in html and copy.doc == before


def test_policy_text_over_the_limit_is_refused_with_a_message(copy):
    key = copy.add("key", "k")
    answer = copy.client.post(
        copy.base + "policies/save/",
        {"ref": key, "path": "/policy", "text": " " * 50_000},
        HTTP_ACCEPT="application/json",
    ).json()
    assert answer["status"] == "refused" and "limited to 40,000 characters" in answer["message"]


# --- key material ------------------------------------------------------------


def test_material_is_random_per_lineage_and_stable_within_one():
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"
    first = DbKeyMaterial("lineage-a").get(arn)
    assert len(first) == 32
    assert DbKeyMaterial("lineage-a").get(arn) == first
    assert DbKeyMaterial("lineage-b").get(arn) != first
    assert "lineage-a" in repr(DbKeyMaterial("lineage-a")) and first.hex() not in repr(
        KeyMaterial.objects.first()
    )


def _encrypt_then_share(copy) -> tuple[str, str]:
    role = copy.add("role", "app")
    key = copy.add("key", "data")
    copy.doc  # noqa: B018
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:*", "Resource": "*"}
        ],
    }
    copy.client.post(
        copy.base + "policies/save/", {"ref": key, "path": "/policy", "text": json.dumps(policy)}
    )
    copy.post(
        "attempts/save/",
        {
            "principal": role,
            "action": "kms:Encrypt",
            "resource": key,
            "plaintext": "secret words",
            "attempt_id": "enc",
        },
    )
    html = copy.post("attempts/run/", {"attempt": "enc"}).content.decode()
    assert "Allowed" in html
    start = html.index("<dt>ciphertext</dt>")
    blob = html[start:].split('<code class="blob">', 1)[1].split("</code>", 1)[0]
    return role, blob


def test_a_fork_decrypts_its_parents_ciphertext_and_a_stranger_scenario_does_not(copy, client):
    role, blob = _encrypt_then_share(copy)
    copy.post("share/")
    snap = Snapshot.objects.get()
    fork_url = client.post(f"/s/{snap.id}/fork/")["Location"]
    decrypt = {"principal": role, "action": "kms:Decrypt", "ciphertext": blob, "attempt_id": "dec"}
    client.post(fork_url + "attempts/save/", decrypt, **HX)
    html = client.post(fork_url + "attempts/run/", {"attempt": "dec"}, **HX).content.decode()
    assert "secret words" in html

    # An unrelated scenario with the very same key id gets different material.
    unrelated = client.post("/new/")["Location"]
    client.post(unrelated + "import/", {"text": json.dumps(copy.doc)}, **HX)
    client.post(unrelated + "attempts/save/", decrypt, **HX)
    html = client.post(unrelated + "attempts/run/", {"attempt": "dec"}, **HX).content.decode()
    assert "secret words" not in html and "InvalidCiphertextException" in html


def test_key_material_never_leaves_the_server(copy, client, caplog):
    caplog.set_level(logging.DEBUG)
    _role, _ = _encrypt_then_share(copy)
    copy.post("share/")
    snap = Snapshot.objects.get()
    materials = [bytes(m.material) for m in KeyMaterial.objects.all()]
    assert materials
    forms = []
    for m in materials:
        forms += [m.hex(), base64.b64encode(m).decode(), base64.urlsafe_b64encode(m).decode()]
    bodies = [
        copy.client.get(copy.base).content.decode(),
        copy.client.get(copy.base + "export/").content.decode(),
        client.get(f"/s/{snap.id}/").content.decode(),
        client.get(f"/s/{snap.id}/export/").content.decode(),
        client.get(f"/s/{snap.id}/", {"attempt": "enc"}).content.decode(),
        caplog.text,
    ]
    for body in bodies:
        for form in forms:
            assert form not in body
