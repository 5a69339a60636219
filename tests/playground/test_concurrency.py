"""Two writers on one working copy: every write lands on the version it was made
from, or is refused with "changed elsewhere" and nothing of it is lost."""

from __future__ import annotations

import html as html_lib
import json
import re
import threading

import pytest
from django.db import connection
from django.test import Client

from playground import store
from playground.access import COOKIE
from playground.models import Scenario, Snapshot, WorkingCopy
from tests.playground.conftest import ACCOUNT, HX, WRITES, Copy, imported

CHANGED_ELSEWHERE = "changed elsewhere"


def _tabs(copy: Copy) -> tuple[Client, Client]:
    """Two tabs of the same browser: both hold the copy's edit token."""
    second = Client()
    second.cookies[COOKIE] = copy.client.cookies[COOKIE].value
    second.cookies[COOKIE]["path"] = copy.base
    return copy.client, second


def _attempt(role: str, key: str, name: str, revision: int | None) -> dict:
    data = {"principal": role, "action": "kms:Decrypt", "resource": key, "attempt_id": name}
    return data if revision is None else {**data, "revision": revision}


def _ids(copy: Copy) -> list[str]:
    return [a["id"] for a in copy.doc.get("attempts") or []]


@pytest.fixture
def drawn(copy):
    role, key = copy.add("role", "app"), copy.add("key")
    return copy, role, key


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-http"])
def test_two_tabs_saving_from_the_same_revision_one_wins_the_other_is_refused(drawn, htmx):
    copy, role, key = drawn
    first, second = _tabs(copy)
    seen = copy.wc.version  # both tabs rendered this version
    extra = HX if htmx else {}
    won = first.post(copy.base + "attempts/save/", _attempt(role, key, "from-a", seen), **extra)
    lost = second.post(copy.base + "attempts/save/", _attempt(role, key, "from-b", seen), **extra)
    assert won.status_code == (200 if htmx else 302)
    assert won["X-Revision"] == str(seen + 1)
    assert lost.status_code == 409
    html = lost.content.decode()
    assert CHANGED_ELSEWHERE in html and "Reload" in html
    # nothing silently dropped: the refused attempt is shown back, ready to apply again
    assert "from-b" in html and f'name="revision" value="{seen + 1}"' in html
    assert _ids(copy) == ["from-a"] and copy.wc.version == seen + 1
    again = second.post(copy.base + "attempts/save/", _attempt(role, key, "from-b", seen + 1))
    assert again.status_code == 302 and _ids(copy) == ["from-a", "from-b"]


@pytest.mark.django_db
def test_a_refusal_over_htmx_goes_to_the_conflict_box_whatever_the_form_targets(drawn):
    copy, role, _key = drawn
    first, second = _tabs(copy)
    seen = copy.wc.version
    first.post(copy.base + "nodes/move/", {"ref": role, "x": 5, "y": 5, "revision": seen}, **HX)
    lost = second.post(
        copy.base + "nodes/props/", {"ref": ACCOUNT, "name": "b", "revision": seen}, **HX
    )
    assert lost.status_code == 409
    assert lost["HX-Retarget"] == "#conflict" and lost["HX-Reselect"] == "#conflict"
    assert "X-Revision" not in lost


@pytest.mark.django_db
def test_the_policy_editor_is_told_in_json_and_its_text_is_not_stored(drawn):
    copy, _role, key = drawn
    first, second = _tabs(copy)
    seen = copy.wc.version
    first.post(
        copy.base + "nodes/add/",
        {"kind": "role", "name": "other", "account": ACCOUNT, "revision": seen},
        **HX,
    )
    text = '{"Version": "2012-10-17", "Statement": []}'
    lost = second.post(
        copy.base + "policies/save/",
        {"ref": key, "path": "/policy", "text": text, "revision": seen},
        HTTP_ACCEPT="application/json",
    )
    assert lost.status_code == 409
    assert lost.json()["status"] == "conflict" and CHANGED_ELSEWHERE in lost.json()["message"]
    assert copy.wc.drafts == {}


@pytest.mark.django_db
def test_undo_in_one_tab_refuses_a_write_from_a_tab_that_saw_the_newer_version(drawn):
    copy, role, key = drawn
    first, second = _tabs(copy)
    seen = copy.wc.version
    first.post(copy.base + "undo/", {"revision": seen}, **HX)
    lost = second.post(copy.base + "attempts/save/", _attempt(role, key, "x", seen), **HX)
    assert lost.status_code == 409 and "attempts" not in copy.doc


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "data"), WRITES, ids=[route for route, _ in WRITES])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-http"])
def test_every_kind_of_write_from_an_old_revision_changes_nothing(copy, route, data, htmx):
    imported(copy, "01-key-policy-must-open-the-door.json")  # goals: it can be a challenge
    stale = {**data, "revision": copy.wc.version - 1}
    before = (copy.doc, copy.wc.version, Snapshot.objects.count(), Scenario.objects.count())
    response = copy.post(route, stale) if htmx else copy.client.post(copy.base + route, stale)
    assert response.status_code == 409
    assert CHANGED_ELSEWHERE in response.content.decode()
    assert (copy.doc, copy.wc.version, Snapshot.objects.count(), Scenario.objects.count()) == before


@pytest.mark.django_db
def test_a_write_racing_another_between_read_and_update_is_refused_atomically(drawn):
    copy, _role, _key = drawn
    stale = WorkingCopy.objects.get(pk=copy.id)  # read by request B
    fresh = WorkingCopy.objects.get(pk=copy.id)  # read by request A, which writes first
    store.save(fresh, {**fresh.document, "title": "A"})
    with pytest.raises(store.Conflict):
        store.save(stale, {**stale.document, "title": "B"})
    assert copy.doc["title"] == "A" and stale.document.get("title") != "B"
    with pytest.raises(store.Conflict):
        store.save_drafts(stale, {"x|/policy": "{"})
    with pytest.raises(store.Conflict):
        store.step_history(stale, -1)
    assert copy.wc.drafts == {} and copy.doc["title"] == "A"


@pytest.mark.django_db
def test_every_write_form_on_the_page_names_the_revision_it_shows(drawn):
    copy, role, key = drawn
    copy.post("attempts/save/", _attempt(role, key, "one", None))
    version = copy.wc.version
    for url in (copy.base, f"{copy.base}?node={key}", f"{copy.base}?node={ACCOUNT}"):
        html = copy.client.get(url).content.decode()
        assert f'data-revision="{version}"' in html
        forms = re.findall(r"<form\b[^>]*>.*?</form>", html, re.S)
        writes = [f for f in forms if 'method="post"' in f and "/fork/" not in f]
        assert len(writes) > 5
        for form in writes:
            assert f'name="revision" value="{version}"' in form, form[:200]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_lose_nothing_silently():
    """Eight scripts saving attempts at once: each is either in the document or was refused."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database cannot take writers from several threads")
    copy = Copy(Client())
    role, key = copy.add("role", "app"), copy.add("key")
    clients = _tabs(copy) * 4
    outcome: dict[str, int] = {}

    def write(n: int) -> None:
        for i in range(5):
            name = f"w{n}-{i}"
            response = clients[n].post(
                copy.base + "attempts/save/", _attempt(role, key, name, None)
            )
            outcome[name] = response.status_code
        connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = {name for name, status in outcome.items() if status == 302}
    refused = {name for name, status in outcome.items() if status == 409}
    assert saved | refused == set(outcome), outcome
    assert set(_ids(copy)) == saved and saved


def _sent_back(html: str) -> list[str]:
    """The policy text a page holds in its fields (a textarea, or the hidden field of a retry)."""
    fields = re.findall(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', html, re.S)
    fields += re.findall(r'<input type="hidden" name="text" value="([^"]*)"', html)
    return [html_lib.unescape(f) for f in fields]


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["stale", "too-long"])
def test_a_refused_policy_save_without_javascript_shows_the_typed_text_back(drawn, why):
    copy, _role, key = drawn
    statement = {"Sid": "TYPED-WITHOUT-JS", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    if why == "stale":
        seen = copy.wc.version
        copy.post("nodes/add/", {"kind": "role", "name": "elsewhere", "account": ACCOUNT})
        status = 409
    else:
        seen = copy.wc.version
        statement["Sid"] += "x" * 40_001  # over the editor's limit on policy text
        status = 400
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)
    before = (copy.doc, copy.wc.drafts, copy.wc.version)
    response = copy.client.post(
        copy.base + "policies/save/",
        {"ref": key, "path": "/policy", "text": text, "revision": seen},
    )
    assert response.status_code == status
    html = response.content.decode()
    assert "Not saved" in html
    assert text in _sent_back(html)  # nothing typed is lost
    assert (copy.doc, copy.wc.drafts, copy.wc.version) == before


@pytest.mark.django_db
def test_the_challenge_and_proven_fix_forms_name_the_revision_too(copy):
    imported(copy, "01-key-policy-must-open-the-door.json")
    version = copy.wc.version
    page = copy.client.get(copy.base).content.decode()
    fixes = "".join(
        copy.client.get(f"{copy.base}fixes/?attempt={a['id']}", **HX).content.decode()
        for a in copy.doc["attempts"]
    )
    forms = re.findall(r"<form\b[^>]*>.*?</form>", page + fixes, re.S)
    for route in ("share-challenge/", "fixes/apply/"):
        found = [f for f in forms if f'action="{copy.base}{route}"' in f]
        assert found, route
        for form in found:
            assert f'name="revision" value="{version}"' in form, form[:300]


@pytest.mark.django_db
def test_sharing_a_challenge_from_an_old_revision_makes_no_challenge(copy):
    imported(copy, "01-key-policy-must-open-the-door.json")
    before = Scenario.objects.count()
    response = copy.client.post(copy.base + "share-challenge/", {"revision": copy.wc.version - 1})
    assert response.status_code == 409 and CHANGED_ELSEWHERE in response.content.decode()
    assert Scenario.objects.count() == before
