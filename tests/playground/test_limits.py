"""Limits on what clients make: rate limits, the storage cap, snapshot de-duplication,
and pruning old working copies."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from playground import envconf, store
from playground.envconf import Rate
from playground.keystore import DbKeyMaterial
from playground.models import KeyMaterial, Revision, Scenario, Snapshot, WorkingCopy
from tests.playground.conftest import ACCOUNT, EXAMPLES, HX, Copy, imported

pytestmark = pytest.mark.django_db

OFF = {"new": None, "fork": None, "share": None}


@pytest.fixture
def limits(settings):
    def set_limits(**rates):
        settings.RATE_LIMITS = {**OFF, **{k: Rate(*v) for k, v in rates.items()}}

    return set_limits


@pytest.mark.parametrize(
    ("text", "rate", "said"),
    [
        ("30/10m", Rate(30, 600), "30 per 10 minutes"),
        ("5/1h", Rate(5, 3600), "5 per hour"),
        ("100/d", Rate(100, 86400), "100 per day"),
        ("7/45", Rate(7, 45), "7 per 45 seconds"),
        ("off", None, None),
    ],
    ids=["minutes", "hour", "day", "seconds", "off"],
)
def test_a_rate_is_read_from_the_environment(monkeypatch, text, rate, said):
    monkeypatch.setenv("RATE_X", text)
    assert envconf.env_rate("RATE_X", "1/1h") == rate
    if rate:
        assert rate.describe() == said


@pytest.mark.parametrize("text", ["lots", "0/1m", "5/xm", "-1/1h"])
def test_a_rate_that_makes_no_sense_stops_the_server_with_its_name(monkeypatch, text):
    monkeypatch.setenv("RATE_X", text)
    with pytest.raises(ValueError, match="RATE_X must look like 30/10m"):
        envconf.env_rate("RATE_X", "1/1h")


def test_too_many_new_copies_from_one_address_get_a_clear_429(limits):
    limits(new=(2, 600))
    client = Client()
    assert [client.post("/new/").status_code for _ in range(2)] == [302, 302]
    refused = client.post("/new/")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many new working copies from your address" in html
    assert "the limit is 2 per 10 minutes" in html and "Nothing was created" in html
    assert 0 < int(refused["Retry-After"]) <= 600
    assert WorkingCopy.objects.count() == 2
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post("/new/").status_code == 302


def test_the_window_slides_copies_made_long_ago_no_longer_count(limits):
    limits(new=(1, 600))
    client = Client()
    client.post("/new/")
    WorkingCopy.objects.update(created=timezone.now() - timedelta(seconds=601))
    assert client.post("/new/").status_code == 302


def test_forks_have_their_own_limit(limits, copy):
    limits(fork=(1, 3600))
    assert copy.client.post(copy.base + "fork/").status_code == 302
    refused = copy.client.post(copy.base + "fork/")
    assert refused.status_code == 429 and "Too many forks" in refused.content.decode()
    assert "1 per hour" in refused.content.decode()
    assert copy.client.post("/new/").status_code == 302  # creating is not forking


def test_sharing_is_limited_but_sharing_the_same_version_again_is_free(limits, copy):
    limits(share=(1, 600))
    first = copy.post("share/")
    assert first.status_code == 200
    again = copy.post("share/")
    assert again.status_code == 200 and Snapshot.objects.count() == 1
    copy.add("role", "app")
    refused = copy.post("share/")
    assert refused.status_code == 429
    assert 'id="share"' in refused.content.decode()
    assert "Too many share links" in refused.content.decode()
    assert Snapshot.objects.count() == 1


def test_sharing_the_same_document_twice_gives_the_same_link(copy):
    copy.add("role", "app")
    first = copy.client.post(copy.base + "share/")["Location"]
    second = copy.client.post(copy.base + "share/")["Location"]
    assert first == second and Snapshot.objects.count() == 1
    copy.add("key")
    third = copy.client.post(copy.base + "share/")["Location"]
    assert third != first and Snapshot.objects.count() == 2


def test_the_same_document_in_another_lineage_is_another_snapshot(copy):
    other = Copy(Client())
    other.post("import/", {"text": json.dumps(copy.doc)})
    assert other.doc == copy.doc
    a = copy.client.post(copy.base + "share/")["Location"]
    b = other.client.post(other.base + "share/")["Location"]
    assert a != b


def test_a_fork_shares_the_lineage_so_sharing_it_unchanged_gives_the_parents_link(copy):
    link = copy.client.post(copy.base + "share/")["Location"]
    fork = copy.client.post(link + "fork/")["Location"]
    assert copy.client.post(fork + "share/")["Location"] == link


def _big_document(n: int) -> dict:
    doc = {"format": 1, "accounts": [{"id": ACCOUNT}]}
    doc["description"] = f"{n}:" + "x" * 30_000
    return doc


def test_a_working_copy_stays_under_its_storage_cap_by_dropping_old_undo_steps(copy, settings):
    settings.COPY_STORAGE_LIMIT_KB = 200
    for n in range(12):
        assert copy.post("import/", {"text": json.dumps(_big_document(n))}).status_code == 204
    wc = copy.wc
    assert store.stored_bytes(wc) <= 200 * 1024
    assert wc.document["description"].startswith("11:")
    kept = Revision.objects.filter(working_copy=wc).count()
    assert 2 <= kept < 12  # undo still works, for fewer steps
    assert store.can_undo(wc)


def test_a_change_that_alone_would_exceed_the_cap_is_refused_and_nothing_changes(copy, settings):
    settings.COPY_STORAGE_LIMIT_KB = 50
    before = (copy.doc, copy.wc.version)
    response = copy.post("import/", {"text": json.dumps(_big_document(1))})
    assert "more than its 50 KB of storage" in response.content.decode()
    assert (copy.doc, copy.wc.version) == before


def test_prune_removes_copies_untouched_for_n_days_and_keeps_snapshots(copy):
    old = Copy(Client())
    old.add("key")
    share = old.client.post(old.base + "share/")["Location"]
    DbKeyMaterial(old.wc.lineage).get("arn:aws:kms:us-east-1:111122223333:key/k")
    lonely = Copy(Client())
    DbKeyMaterial(lonely.wc.lineage).get("arn:aws:kms:us-east-1:111122223333:key/k")
    WorkingCopy.objects.filter(pk__in=[old.id, lonely.id]).update(
        updated=timezone.now() - timedelta(days=31)
    )
    out = StringIO()
    call_command("prune", "--days", "30", "--dry-run", stdout=out)
    assert "Would delete 2 working copies" in out.getvalue()
    assert WorkingCopy.objects.count() == 3
    out = StringIO()
    call_command("prune", "--days", "30", stdout=out)
    assert "Deleted 2 working copies untouched for 30 days" in out.getvalue()
    assert set(WorkingCopy.objects.values_list("pk", flat=True)) == {copy.id}
    assert not Revision.objects.filter(working_copy_id__in=[old.id, lonely.id]).exists()
    # the snapshot stays, with the key material its lineage needs; the lonely one's goes
    assert Client().get(share).status_code == 200
    assert KeyMaterial.objects.filter(lineage=Snapshot.objects.get().lineage).exists()
    assert KeyMaterial.objects.count() == 1


def test_prune_needs_a_positive_number_of_days():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune", "--days", "0")


def test_viewing_a_copy_does_not_keep_it_from_being_pruned(copy):
    WorkingCopy.objects.filter(pk=copy.id).update(updated=timezone.now() - timedelta(days=8))
    copy.client.get(copy.base)
    copy.client.get(copy.base + "canvas/", **HX)
    call_command("prune", "--days", "7", stdout=StringIO())
    assert not WorkingCopy.objects.filter(pk=copy.id).exists()


def _challenge() -> str:
    doc = json.loads((EXAMPLES / "01-key-policy-must-open-the-door.json").read_text())
    return Scenario.objects.create(title="A challenge", document=doc).id


@pytest.mark.parametrize("route", ["/present/new/", "challenge"], ids=["presenting", "challenge"])
def test_every_way_of_making_a_copy_counts_against_the_new_copy_limit(limits, route):
    limits(new=(1, 600))
    client = Client()
    assert client.post("/new/").status_code == 302
    url = f"/c/{_challenge()}/start/" if route == "challenge" else route
    refused = client.post(url)
    assert refused.status_code == 429
    assert "Too many new working copies" in refused.content.decode()
    assert WorkingCopy.objects.count() == 1
    assert Client(REMOTE_ADDR="10.1.2.3").post(url).status_code == 302


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-http"])
def test_sharing_as_a_challenge_counts_against_the_share_limit(limits, copy, htmx):
    limits(share=(1, 600))
    imported(copy, "01-key-policy-must-open-the-door.json")
    post = copy.post if htmx else lambda route: copy.client.post(copy.base + route)
    first = post("share-challenge/")
    assert first.status_code == (200 if htmx else 302)
    made = Scenario.objects.count()
    again = post("share-challenge/")  # the same document: the same link, nothing counted
    assert again.status_code == first.status_code
    assert Scenario.objects.count() == made
    copy.post("scenario/", {"title": "Changed since"})
    refused = post("share-challenge/")
    assert refused.status_code == 429
    assert "Too many share links" in refused.content.decode()
    assert Scenario.objects.count() == made
    assert post("share/").status_code == 429  # a challenge link is a share link
