"""Helpers for the web app's tests: a working copy owned by the test client."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from playground.models import WorkingCopy
from playground.urls import edit

HX = {"HTTP_HX_REQUEST": "true"}
ACCOUNT = "111122223333"
SHOWN = re.compile(
    r'data-attempt="(?P<id>[^"]+)" data-authorization="(?P<auth>[^"]*)" '
    r'data-outcome="(?P<outcome>[^"]*)" data-passed="(?P<passed>[^"]*)"'
)


# What a write sends, for the routes where it matters; every route of urls.edit is tried.
SENT = {
    "nodes/add/": {"kind": "role", "name": "x", "account": ACCOUNT},
    "nodes/rename/": {"ref": ACCOUNT, "name": "x"},
    "nodes/delete/": {"ref": ACCOUNT},
    "nodes/move/": {"ref": ACCOUNT, "x": 1, "y": 1},
    "nodes/props/": {"ref": ACCOUNT, "name": "x"},
    "scenario/": {"title": "x"},
    "policies/save/": {"ref": ACCOUNT, "path": "/policy", "text": "{}"},
    "org-policies/add/": {"which": "scp", "target": ACCOUNT},
    "attempts/save/": {"principal": "x", "action": "kms:Decrypt"},
    "import/": {"text": '{"format": 1, "accounts": [{"id": "444455556666"}]}'},
    "paste-aws/": {"text": '{"KeyMetadata": {"KeyId": "k"}}'},
}
WRITES = [(route, SENT.get(route, {})) for route, _view, _name in edit]


class Copy:
    """A working copy created through the app, so the client holds its edit token."""

    def __init__(self, client):
        self.client = client
        response = client.post("/new/")
        assert response.status_code == 302
        self.base = response["Location"]
        self.id = self.base.strip("/").split("/")[-1]

    @property
    def wc(self) -> WorkingCopy:
        return WorkingCopy.objects.get(pk=self.id)

    @property
    def doc(self) -> dict:
        return self.wc.document

    def post(self, route: str, data: dict | None = None, **extra):
        return self.client.post(self.base + route, data or {}, **HX, **extra)

    def shown(self) -> dict[str, dict]:
        """What the attempts list shows for each attempt: authorization, outcome, passed."""
        html = self.client.get(self.base + "attempts/", **HX).content.decode()
        return {
            m["id"]: {"authorization": m["auth"], "outcome": m["outcome"], "passed": m["passed"]}
            for m in SHOWN.finditer(html)
        }

    def add(self, kind: str, name: str = "", account: str = ACCOUNT) -> str:
        before = {n for n in _refs(self.doc)}
        response = self.post("nodes/add/", {"kind": kind, "name": name, "account": account})
        assert response.status_code == 200, response.content
        (new,) = _refs(self.doc) - before
        return new


def announced(response) -> set[str]:
    """The events a response tells the page about (HX-Trigger), for partials to refresh."""
    return set(json.loads(response.get("HX-Trigger", "{}")))


def _refs(doc: dict) -> set[str]:
    from playground.documents import iter_nodes

    return {n.ref for n in iter_nodes(doc)}


@pytest.fixture
def copy(client, db):
    return Copy(client)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def imported(copy: Copy, example: str = "08-replication-with-sse-kms.json") -> Copy:
    """`copy` with an example's scenario imported (many node kinds, grants, attempts)."""
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    assert copy.post("import/", {"text": text}).status_code == 204
    return copy


def readable_urls(base: str, doc: dict) -> list[str]:
    """Every page and partial a GET can ask for, for each node and attempt of `doc`
    (in predict mode too, a guess revealed and scored)."""
    urls = [base, base + "canvas/", base + "panel/", base + "lesson/", base + "attempts/"]
    urls += [base + "export/", base + "changes/", base + "matrix/", base + "present/"]
    urls += [base + "sheet/", base + "sheet/?answers=0", base + "?predict=1", base + "?check=1"]
    for ref in sorted(_refs(doc)):
        urls += [f"{base}?node={quote(ref)}", f"{base}panel/?node={quote(ref)}"]
        urls += [f"{base}matrix/?key={quote(ref)}", f"{base}matrix/?principal={quote(ref)}"]
    for attempt in doc.get("attempts") or []:
        one = attempt["id"]
        urls += [f"{base}?attempt={one}", f"{base}trace/?attempt={one}"]
        urls += [f"{base}attempts/?edit={one}", f"{base}fixes/?attempt={one}"]
        urls += [f"{base}present/?attempt={one}", f"{base}present/?attempt={one}&predict=1"]
        for guess in ("allow", "implicit_deny", "skip"):
            urls += [f"{base}trace/?attempt={one}&predict=1&guess={guess}"]
            urls += [f"{base}?attempt={one}&predict=1&guess={guess}"]
            urls += [f"{base}present/?attempt={one}&predict=1&guess={guess}"]
    if base.startswith("/w/"):
        urls += [base + "history/", base + "challenge/"]
    return urls
