"""Hostile input over the web endpoints: each case gets a clear error that names
the field (or the JSON path), never a 500, and the stored document stays as it was."""

from __future__ import annotations

import copy
import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluator.core.loader_attempts import MAX_ASSUME_CHAIN
from playground import store
from playground.models import Revision, Snapshot, WorkingCopy
from tests.playground.conftest import ACCOUNT

pytestmark = pytest.mark.django_db

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
DEEP = "[" * 2000 + "]" * 2000
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"},
    ],
}
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*", "Resource": "*"},
    ],
}


def scenario() -> dict:
    return copy.deepcopy(_SCENARIO)


_SCENARIO = {
    "format": 1,
    "title": "Hostile input",
    "accounts": [{"id": ACCOUNT, "name": "main"}],
    "principals": [
        {"type": "user", "account": ACCOUNT, "name": "alice"},
        {"type": "role", "account": ACCOUNT, "name": "app", "trust_policy": TRUST},
    ],
    "keys": [{"id": KEY_ID, "account": ACCOUNT, "policy": KEY_POLICY}],
    "attempts": [
        {
            "id": "encrypt",
            "principal": ALICE,
            "action": "kms:Encrypt",
            "resource": KEY,
            "plaintext": "hello",
        }
    ],
}


@pytest.fixture
def loaded(copy):
    response = copy.post("import/", {"text": json.dumps(scenario())})
    assert response.status_code == 204, response.content
    return copy


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _stored(copy) -> tuple[dict, int]:
    wc = copy.wc
    return wc.document, Revision.objects.filter(working_copy=wc).count()


def _field_error(page: str, field: str) -> str:
    """The error shown after the field's input (the span the template puts there)."""
    start = page.index(f'name="{field}"')
    span = page.index('<span class="field-error">', start)
    assert page.find('name="', start + 1, span) == -1, f"no error right after {field}"
    return page[span : page.index("</span>", span)]


ATTEMPT = {"principal": ALICE, "action": "kms:Encrypt", "resource": KEY, "plaintext": "x"}
PUT = {"principal": ROOT, "action": "kms:PutKeyPolicy", "resource": KEY}

# (id, form data, the field that carries the error, words of the error)
ATTEMPT_CASES = [
    ("deep-key-policy", {**PUT, "policy": DEEP}, "policy", "nested too deeply"),
    (
        "deep-session-policy",
        {**ATTEMPT, "role_1": ROLE, "session_policy": DEEP},
        "session_policy",
        "nested too deeply",
    ),
    ("deep-context-value", {**ATTEMPT, "context": "k=" + DEEP}, "context", "nested too deeply"),
    ("context-number-out-of-range", {**ATTEMPT, "context": "k=1e999"}, "context", "1e999"),
    (
        "context-lone-surrogate",
        {**ATTEMPT, "context": 'k=["\\ud800"]'},
        "context",
        "surrogate",
    ),
    (
        "unknown-principal",
        {**ATTEMPT, "principal": f"arn:aws:iam::{ACCOUNT}:user/nobody"},
        "principal",
        "No user or role with this ARN in principals",
    ),
    ("put-key-policy-not-json", {**PUT, "policy": "{not json"}, "policy", "not valid JSON"),
    ("put-key-policy-not-object", {**PUT, "policy": "[1, 2]"}, "policy", "JSON object"),
    (
        "ciphertext-from-missing-attempt",
        {**ATTEMPT, "action": "kms:Decrypt", "ciphertext_from": "no-such-attempt"},
        "ciphertext_from",
        "no-such-attempt",
    ),
    (
        "session-policy-malformed",
        {**ATTEMPT, "role_1": ROLE, "session_policy": '{"Statement": [{"Effect": "Maybe"}]}'},
        "session_policy",
        "Effect",
    ),
    (
        "session-policy-over-aws-limit",
        {
            **ATTEMPT,
            "role_1": ROLE,
            "session_policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Sid": f"S{i}"}
                        for i in range(60)
                    ],
                }
            ),
        },
        "session_policy",
        "2048",
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [c[1:] for c in ATTEMPT_CASES],
    ids=[c[0] for c in ATTEMPT_CASES],
)
def test_attempt_form_says_what_is_wrong_at_the_field_and_saves_nothing(loaded, data, field, words):
    before = _stored(loaded)
    response = loaded.post("attempts/save/", {"attempt_id": "new-one", **data})
    page = _text(response)
    assert response.status_code == 200
    assert "Not saved: see the form." in page
    assert 'Attempt "new-one" saved.' not in page
    assert words in _field_error(page, field)
    assert _stored(loaded) == before


def test_attempt_form_keeps_what_the_user_typed(loaded):
    typed = {**PUT, "policy": '{"Version": "2012-10-17", oops}', "title": "my try"}
    page = _text(loaded.post("attempts/save/", {"attempt_id": "new-one", **typed}))
    assert '{"Version": "2012-10-17", oops}' in page
    assert 'value="my try"' in page
    assert 'value="new-one"' in page


def test_ciphertext_from_a_missing_attempt_stays_selected(loaded):
    data = {**ATTEMPT, "action": "kms:Decrypt", "ciphertext_from": "no-such-attempt"}
    page = _text(loaded.post("attempts/save/", {"attempt_id": "new-one", **data}))
    assert '<option value="no-such-attempt" selected>' in page


def test_a_valid_attempt_is_still_saved(loaded):
    response = loaded.post("attempts/save/", {"attempt_id": "new-one", **ATTEMPT})
    assert 'Attempt "new-one" saved.' in _text(response)
    assert [a["id"] for a in loaded.doc["attempts"]] == ["encrypt", "new-one"]


def _with(**changes) -> dict:
    doc = scenario()
    for pointer, value in changes.items():
        node = doc
        *path, last = pointer.split("__")
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
    return doc


def _no_principal() -> dict:
    doc = scenario()
    del doc["keys"][0]["policy"]["Statement"][1]["Principal"]
    return doc


def _big_key_policy() -> dict:
    statement = {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "kms:*", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement] * 500}
    return _with(keys__0__policy=policy)


def _many_principals() -> dict:
    doc = scenario()
    doc["principals"] += [
        {"type": "user", "account": ACCOUNT, "name": f"u{i}"} for i in range(store.MAX_NODES)
    ]
    return doc


def _many_keys() -> dict:
    doc = scenario()
    users = 150
    doc["principals"] += [
        {"type": "user", "account": ACCOUNT, "name": f"u{i}"} for i in range(users)
    ]
    key = doc["keys"][0]
    more = store.MAX_ACCESS_ARROWS // users
    doc["keys"] += [{**key, "id": f"1234abcd-12ab-34cd-56ef-{i:012d}"} for i in range(more)]
    return doc


def _long_chain() -> dict:
    doc = scenario()
    doc["attempts"][0]["assume"] = [{"role": ROLE}] * 4000
    return doc


def _text_with(old: str, new: str) -> str:
    text = json.dumps(scenario())
    assert old in text
    return text.replace(old, new, 1)


# (id, document text, words of the error the import lists)
IMPORT_CASES = [
    ("lone-surrogate-in-a-name", _text_with('"alice"', '"al\\ud800ice"'), "surrogate"),
    ("nul-in-a-title", _text_with('"Hostile input"', '"Hostile\\u0000"'), "NUL"),
    ("number-out-of-range", _text_with('"plaintext"', '"context": {"k": 1e999}, "x"'), "1e999"),
    ("deep-json", _text_with('"Hostile input"', DEEP), "nested too deeply"),
    (
        "key-policy-statement-without-principal",
        json.dumps(_no_principal()),
        "/keys/0/policy/Statement/1",
    ),
    ("key-policy-over-32-kb", json.dumps(_big_key_policy()), "AWS allows at most 32768"),
    ("too-many-nodes", json.dumps(_many_principals()), f"holds at most {store.MAX_NODES}"),
    (
        "too-many-access-arrows",
        json.dumps(_many_keys()),
        f"pairs at most {store.MAX_ACCESS_ARROWS:,}",
    ),
    ("assume-chain-of-4000-roles", json.dumps(_long_chain()), f"at most {MAX_ASSUME_CHAIN}"),
]


@pytest.mark.parametrize(
    ("text", "words"), [c[1:] for c in IMPORT_CASES], ids=[c[0] for c in IMPORT_CASES]
)
def test_import_lists_the_problem_and_keeps_the_scenario(loaded, text, words):
    before = _stored(loaded)
    response = loaded.post("import/", {"text": text})
    page = _text(response)
    assert response.status_code == 200
    assert "Not imported; the scenario is unchanged." in page
    assert words in page
    assert _stored(loaded) == before


def _stored_as_is(copy, document: dict) -> None:
    """A copy stored before the checks existed (written straight to the database)."""
    WorkingCopy.objects.filter(pk=copy.id).update(document=document)


def test_running_an_attempt_on_a_scenario_that_cannot_compile_says_why(loaded):
    _stored_as_is(loaded, _no_principal())
    before = _stored(loaded)
    response = loaded.post("attempts/run/", {"attempt": "encrypt"})
    page = _text(response)
    assert response.status_code == 200
    assert "The scenario cannot be evaluated: /keys/0/policy/Statement/1" in page
    assert "Principal" in page
    assert _stored(loaded) == before
    trace = loaded.client.get(loaded.base + "trace/", {"attempt": "encrypt"})
    assert trace.status_code == 200
    assert "cannot be evaluated" in _text(trace)
    page = loaded.client.get(loaded.base, {"attempt": "encrypt"})
    assert page.status_code == 200
    assert "cannot be evaluated" in _text(page)


def test_an_evaluation_over_its_budget_stops_with_a_clear_error(loaded, settings):
    settings.EVALUATION_STEPS = 3  # fewer than one authorization of this scenario needs
    before = _stored(loaded)
    response = loaded.post("attempts/run/", {"attempt": "encrypt"})
    page = _text(response)
    assert response.status_code == 200
    assert 'Evaluation stopped at attempt "encrypt"' in page
    assert "more than 3 steps, the limit per request" in page
    assert _stored(loaded) == before
    snapshot = Snapshot.objects.create(lineage=loaded.wc.lineage, document=loaded.doc)
    trace = loaded.client.get(f"/s/{snapshot.id}/trace/", {"attempt": "encrypt"})
    assert trace.status_code == 200
    assert "the limit per request" in _text(trace)
    run_all = _text(loaded.post("attempts/run-all/"))
    assert "Evaluation stopped" in run_all


def test_the_hostile_wildcard_of_the_issue_is_answered(loaded):
    # "*" + "a"*10000 + "?b" against 20,000 characters took 27 s; now it is decided.
    doc = scenario()
    statement = doc["keys"][0]["policy"]["Statement"][1]
    statement["Condition"] = {"StringLike": {"kms:EncryptionContext:k": "*" + "a" * 10000 + "?b"}}
    doc["attempts"][0]["encryption_context"] = {"k": "a" * 20000}
    assert loaded.post("import/", {"text": json.dumps(doc)}).status_code == 204
    snapshot = Snapshot.objects.create(lineage=loaded.wc.lineage, document=loaded.doc)
    trace = loaded.client.get(f"/s/{snapshot.id}/trace/", {"attempt": "encrypt"})
    assert trace.status_code == 200
    assert "Implicit deny" in _text(trace)


# (id, policy text typed in a node's policy editor, words of the problem)
EDITOR_CASES = [
    ("deep-json", DEEP, "nested too deeply"),
    ("number-out-of-range", '{"Version": "2012-10-17", "Statement": [], "x": 1e999}', "1e999"),
    ("lone-surrogate", '{"Version": "2012-10-17", "Statement": [], "Sid": "\\udc00"}', "surrogate"),
]


@pytest.mark.parametrize(
    ("text", "words"), [c[1:] for c in EDITOR_CASES], ids=[c[0] for c in EDITOR_CASES]
)
def test_policy_editor_keeps_hostile_text_as_a_draft(loaded, text, words):
    before = _stored(loaded)
    response = loaded.post(
        "policies/save/",
        {"ref": KEY, "path": "/policy", "text": text},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft"
    assert any(words in p["message"] for p in body["problems"])
    assert _stored(loaded)[0] == before[0]


def test_an_access_matrix_over_its_budget_says_so_instead_of_drawing(copy, settings):
    settings.EVALUATION_STEPS = 3  # fewer than the matrix's first authorization needs
    doc = scenario()
    doc["title"] = "The matrix over its budget"  # a revision no earlier test has decided
    assert copy.post("import/", {"text": json.dumps(doc)}).status_code == 204
    for path in ("", "canvas/", "matrix/"):
        response = copy.client.get(copy.base + path)
        assert response.status_code == 200
        page = _text(response)
        assert "The access matrix was not drawn" in page, path
        assert "more than 3 steps, the limit per request" in page, path


def test_a_revision_stopped_by_one_requests_budget_is_decided_again_by_the_next(copy, settings):
    settings.EVALUATION_STEPS = 3
    doc = scenario()
    doc["title"] = "Decided again after a stop"
    assert copy.post("import/", {"text": json.dumps(doc)}).status_code == 204
    assert "The access matrix was not drawn" in _text(copy.client.get(copy.base + "matrix/"))
    settings.EVALUATION_STEPS = None
    again = _text(copy.client.get(copy.base + "matrix/"))
    assert "The access matrix was not drawn" not in again
    assert "matrix-table" in again


# (id, bytes of an uploaded file, where the error is placed)
UPLOAD_CASES = [
    (
        "lone-surrogate-as-utf-8-bytes",
        b'{"format": 1, "title": "\xed\xa0\x80"}',
        "line 1, column 25",
    ),
    ("utf-16-with-a-byte-order-mark", '{"format": 1}'.encode("utf-16"), "line 1, column 1"),
    ("latin-1-in-a-name", b'{"format": 1,\n "title": "caf\xe9"}', "line 2, column 15"),
]


@pytest.mark.parametrize(
    ("content", "where"), [c[1:] for c in UPLOAD_CASES], ids=[c[0] for c in UPLOAD_CASES]
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-http"])
def test_an_uploaded_file_that_is_not_utf_8_is_refused_with_its_line_and_column(
    loaded, content, where, htmx
):
    before = _stored(loaded)
    upload = SimpleUploadedFile("scenario.json", content, content_type="application/json")
    post = (
        loaded.post if htmx else lambda route, data: loaded.client.post(loaded.base + route, data)
    )
    response = post("import/", {"file": upload})
    page = _text(response)
    assert response.status_code == 200
    assert "Not imported; the scenario is unchanged." in page
    assert "not valid UTF-8" in page and where in page
    assert _stored(loaded) == before


# (id, route, form data, the error naming the field, what was typed and must come back)
TYPED_CASES = [
    (
        "attempt-with-deep-policy",
        "attempts/save/",
        {**PUT, "attempt_id": "typed-attempt", "policy": DEEP},
        "nested too deeply",
        "typed-attempt",
    ),
    (
        "key-with-a-bad-alias",
        "nodes/props/",
        {
            "ref": KEY,
            "state": "Enabled",
            "manager": "CUSTOMER",
            "origin": "AWS_KMS",
            "description": "TYPED DESCRIPTION",
            "aliases": "not-an-alias",
        },
        "aliases: 'not-an-alias': an alias looks like alias/NAME.",
        "TYPED DESCRIPTION",
    ),
    (
        "scenario-with-a-bad-region",
        "scenario/",
        {"title": "TYPED TITLE", "region": "the moon"},
        "region: Enter a valid value.",
        "TYPED TITLE",
    ),
    (
        "grant-with-a-context-line-that-is-no-pair",
        "grants/save/",
        {
            "ref": KEY,
            "grantee": ALICE,
            "operations": "Decrypt",
            "name": "TYPED NAME",
            "constraint": "subset",
            "context": "no equals sign",
        },
        "context: Encryption context, line 1: write it as key=value.",
        "TYPED NAME",
    ),
]


@pytest.mark.parametrize(
    ("route", "data", "words", "typed"),
    [c[1:] for c in TYPED_CASES],
    ids=[c[0] for c in TYPED_CASES],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-http"])
def test_a_refused_form_names_the_field_and_shows_what_was_typed(
    loaded, route, data, words, typed, htmx
):
    before = _stored(loaded)
    post = (
        loaded.post if htmx else lambda route, data: loaded.client.post(loaded.base + route, data)
    )
    response = post(route, data)
    page = _text(response)
    assert response.status_code == (200 if htmx else 400)
    assert "Not saved" in page and "saved." not in page.replace("Not saved", "")
    assert "Saved automatically" not in page
    assert words in page
    assert typed in page
    assert _stored(loaded) == before
