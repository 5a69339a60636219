"""Undo and redo, share (snapshot), fork, export and import."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from playground import (
    access,
    document_nodes,
    engine,
    forms,
    limits,
    links,
    predict,
    store,
    workspace,
)
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import Snapshot, WorkingCopy
from playground.views.common import HISTORY as HISTORY_EVENTS
from playground.views.common import page_url, partial_or_page, share_client, space_for, too_many

HISTORY = "playground/partials/history.html"
SHARE = "playground/partials/share.html"
IMPORT = "playground/partials/import.html"


def _history_result(request, wc, changed: bool) -> HttpResponse:
    space = space_for(wc)
    context = {
        "space": space,
        "history": {"undo": store.can_undo(wc), "redo": store.can_redo(wc)},
    }
    events = HISTORY_EVENTS if changed else False
    return partial_or_page(request, HISTORY, context, page=page_url(space), changed=events)


@require_POST
@editable
def undo(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    return _history_result(request, wc, store.step_history(wc, -1))


@require_POST
@editable
def redo(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    return _history_result(request, wc, store.step_history(wc, +1))


@require_POST
@editable
def share(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    """A share link; sharing the same version again gives the same link (and costs nothing)."""
    snap = store.existing_snapshot(wc)
    if snap is None:
        client = share_client(request, wc, SHARE)
        if isinstance(client, HttpResponse):
            return client
        snap = store.share(wc, client=client)
    path = links.with_query(reverse("snapshot", args=[snap.id]), predict=predict.is_on(request))
    if not request.htmx:
        return redirect(path)
    url = request.build_absolute_uri(path)
    return render(request, SHARE, {"space": space_for(wc), "snapshot": snap, "share_url": url})


def _fork(request: HttpRequest, document: dict, lineage: str, origin=None) -> HttpResponse:
    client = limits.client_id(request)
    try:
        limits.check(client, "fork")
    except limits.RateLimited as limited:
        return too_many(request, limited)
    wc, token = store.fork(document, lineage, origin=origin, client=client)
    return access.grant_edit(request, redirect("working_copy", wc.id), wc, token)


@require_POST
def fork_copy(request: HttpRequest, wc_id: str) -> HttpResponse:
    wc = get_object_or_404(WorkingCopy, pk=wc_id)
    return _fork(request, wc.document, wc.lineage, origin=wc.origin)


@require_POST
def fork_snapshot(request: HttpRequest, snap_id: str) -> HttpResponse:
    snap = get_object_or_404(Snapshot, pk=snap_id)
    return _fork(request, snap.document, snap.lineage)


def _download(document: dict) -> HttpResponse:
    name = slugify(document.get("title") or "scenario") or "scenario"
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_GET
def export_copy(request: HttpRequest, wc_id: str) -> HttpResponse:
    return _download(get_object_or_404(WorkingCopy, pk=wc_id).document)


@require_GET
def export_snapshot(request: HttpRequest, snap_id: str) -> HttpResponse:
    return _download(get_object_or_404(Snapshot, pk=snap_id).document)


@require_POST
@editable
def import_document(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    """Replace the document with an imported one, or report every problem and keep it."""
    form = forms.ImportForm(request.POST, request.FILES)
    space = space_for(wc)
    problems: list[dict] = []
    if form.is_valid():
        result = engine.check(form.cleaned_data["source"])
        problems = [p.as_dict() for p in result.problems if p.is_error]
        if result.ok:
            try:
                store.save(wc, document_nodes.copy_document(result.scenario.raw), drafts={})
            except EditError as exc:
                problems = [{"severity": "error", "message": str(exc), "pointer": ""}]
            else:
                if request.htmx:  # the whole page changed: htmx loads it afresh
                    return HttpResponseClientRedirect(space.urls.page, status=204)
                return redirect(space.urls.page)
    context = {"space": space, "import_form": form, "import_problems": problems}
    if request.htmx:
        return render(request, IMPORT, context)
    page = workspace.canvas_context(space)
    return render(request, "playground/import.html", {**page, **context})


@require_GET
def history(request: HttpRequest, wc_id: str) -> HttpResponse:
    """The undo/redo buttons, refreshed after each change."""
    wc = get_object_or_404(WorkingCopy, pk=wc_id)
    if not access.can_edit(request, wc):
        return HttpResponse("")
    context = {
        "space": space_for(wc),
        "history": {"undo": store.can_undo(wc), "redo": store.can_redo(wc)},
    }
    return render(request, HISTORY, context)
