"""Reading never writes, and a viewer sees only what the owner saved."""

from __future__ import annotations

import re
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from playground import predict
from playground.models import KeyMaterial, Scenario, Snapshot
from playground.urls import edit, urlpatterns
from tests.playground.conftest import ACCOUNT, imported, readable_urls

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)


def _writes_during(get, urls: list[str]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert get(url).status_code == 200, url
    return [q["sql"][:120] for q in queries.captured_queries if WRITE.match(q["sql"])]


def _every_readable_url(copy) -> list[str]:
    imported(copy)
    snap = Snapshot.objects.create(lineage=copy.wc.lineage, document=copy.doc)
    challenge = Scenario.objects.create(title="A challenge", document=copy.doc)
    urls = ["/", "/gallery/", "/gallery/?tag=s3", "/healthz", "/glossary/", f"/c/{challenge.id}/"]
    urls += readable_urls(copy.base, copy.doc)
    return [*urls, *readable_urls(f"/s/{snap.id}/", copy.doc), f"/s/{snap.id}/export/"]


# What only a POST reaches: each answers a GET with 405 (the test below checks).
POST_ONLY = {"new_scenario", "open_example", "fork_copy", "fork_snapshot", "start_challenge"}
POST_ONLY |= {"present_blank", *(name for _route, _view, name in edit)}


def test_the_read_test_asks_for_every_url_name_a_get_can_reach(copy):
    read = {resolve(urlsplit(url).path).url_name for url in _every_readable_url(copy)}
    names = {p.name for p in urlpatterns}
    assert names - read == POST_ONLY
    for url in (f"{copy.base}fork/", "/new/", "/present/new/", f"{copy.base}undo/"):
        assert copy.client.get(url).status_code == 405, url


def test_no_get_of_any_page_or_partial_writes_to_the_database(copy):
    urls = _every_readable_url(copy)
    assert KeyMaterial.objects.count() == 0  # the traces below need material none made yet
    for who in (copy.client, Client()):  # the owner and a viewer
        assert _writes_during(who.get, urls) == []
        assert _writes_during(lambda u, c=who: c.get(u, HTTP_HX_REQUEST="true"), urls) == []
    assert KeyMaterial.objects.count() == 0


def test_a_trace_read_twice_still_decrypts_what_it_encrypted(copy):
    imported(copy)
    first = copy.doc["attempts"][0]["id"]
    for _ in range(2):  # material made for the read only, yet consistent within it
        html = copy.client.get(f"{copy.base}trace/?attempt={first}").content.decode()
        assert "No such attempt" not in html


def test_running_an_attempt_keeps_the_key_material_it_made(copy):
    imported(copy)
    first = copy.doc["attempts"][0]["id"]
    copy.post("attempts/run/", {"attempt": first})
    assert KeyMaterial.objects.filter(lineage=copy.wc.lineage).exists()


def _draft_copy(copy) -> tuple[str, str]:
    draft = '{"Version": "2012-10-17", "Statement": [ {"Sid": "OWNER-UNSAVED-DRAFT"'
    response = copy.post(
        "policies/save/",
        {"ref": ACCOUNT, "path": "/policy", "text": draft},
        HTTP_ACCEPT="application/json",
    )
    if response.json().get("message") == "No such policy.":
        key = copy.add("key")
        response = copy.post(
            "policies/save/",
            {"ref": key, "path": "/policy", "text": draft},
            HTTP_ACCEPT="application/json",
        )
        return key, response.json()["status"]
    return ACCOUNT, response.json()["status"]


def test_a_viewer_never_sees_the_owners_unsaved_draft(copy):
    ref, status = _draft_copy(copy)
    assert status == "draft" and copy.wc.drafts
    owner = copy.client.get(f"{copy.base}panel/?node={ref}").content.decode()
    assert "OWNER-UNSAVED-DRAFT" in owner
    viewer = Client()
    for url in (f"{copy.base}?node={ref}", f"{copy.base}panel/?node={ref}"):
        html = viewer.get(url).content.decode()
        assert "OWNER-UNSAVED-DRAFT" not in html and "draft" not in html.lower(), url


def test_a_score_of_many_predictions_still_fits_in_its_cookie(copy):
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    for n in range(predict.SEEN_KEPT + 300):
        predict.record(request, copy.id, f"attempt-with-a-long-name-{n:04d}", n % 2 == 0)
    request.session.save()
    assert predict.score(request) == {"right": 250, "total": 500}
    assert len(request.session.session_key) < 4000  # what a browser keeps of a cookie
