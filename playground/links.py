"""The URLs of a space's pages, by their names in playground/urls.py, never spelled out.

Working copies (/w/<id>/) and snapshots (/s/<id>/) share their templates, so
each space carries one `SpaceUrls` (reverse() worked out once per request)
for whichever space it is. `with_query` is the one place a query string is
added to a link, and with it the predict flag while the page is in predict
mode: a plain link, followed without JavaScript, keeps the mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from playground.predict import PARAM as PREDICT

# Views that serve a working copy and a snapshot alike (urls.SPACE).
SHARED = (
    "canvas",
    "panel",
    "lesson",
    "changes",
    "matrix",
    "fixes",
    "attempts",
    "trace",
    "present",
    "sheet",
)


@dataclass(frozen=True)
class SpaceUrls:
    page: str
    fork: str
    export: str
    canvas: str
    panel: str
    lesson: str
    changes: str
    matrix: str
    fixes: str
    attempts: str
    trace: str
    present: str
    sheet: str


def space_urls(kind: str, space_id: str) -> SpaceUrls:
    """The URLs of a working copy (`kind` "copy") or of a snapshot."""
    copy = kind == "copy"
    own = ("working_copy", "fork_copy", "export_copy")
    if not copy:
        own = ("snapshot", "fork_snapshot", "export_snapshot")
    page, fork, export = (reverse(name, args=[space_id]) for name in own)
    letter = {"kind": "w" if copy else "s", "space_id": space_id}
    shared = {name: reverse(name, kwargs=letter) for name in SHARED}
    return SpaceUrls(page=page, fork=fork, export=export, **shared)


def with_query(url: str, *, predict: bool = False, **params: object) -> str:
    """`url` with `params` as its query (empty ones left out), and the predict flag when on."""
    query = {name: value for name, value in params.items() if value not in (None, "")}
    if predict:
        query[PREDICT] = "1"
    return url + ("?" + urlencode(query) if query else "")
