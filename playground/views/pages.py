"""Home, gallery, new scenario, open an example, and the workspace pages."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from playground import access, documents, store, workspace
from playground.models import Scenario, Snapshot, WorkingCopy
from playground.views.nodes import _space


def _examples():
    return Scenario.objects.filter(is_example=True).only("id", "title", "example_slug", "document")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "playground/home.html")


@require_GET
@vary_on_headers("HX-Request")
def gallery(request: HttpRequest) -> HttpResponse:
    """The list of example scenarios: a partial for htmx, a full page otherwise."""
    context = {"examples": _examples()}
    if request.htmx:
        return render(request, "playground/partials/gallery.html", context)
    return render(request, "playground/gallery.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _open(request: HttpRequest, document: dict, lineage: str | None = None) -> HttpResponse:
    wc, token = store.create(document, lineage=lineage)
    return access.grant_edit(request, redirect(f"/w/{wc.id}/"), wc, token)


@require_POST
def new_scenario(request: HttpRequest) -> HttpResponse:
    return _open(request, documents.blank_document())


@require_POST
def open_example(request: HttpRequest, scenario_id: str) -> HttpResponse:
    """An example opens as a new working copy with a lineage of its own."""
    example = get_object_or_404(Scenario, pk=scenario_id, is_example=True)
    return _open(request, example.document)


def _page(request: HttpRequest, space: workspace.Space) -> HttpResponse:
    node = request.GET.get("node", "")[:400]
    attempt = request.GET.get("attempt", "")[:64]
    context = {
        **workspace.canvas_context(space, node),
        **workspace.panel_context(space, node),
        **workspace.attempts_context(space),
        "space": space,
        "history": _history(space),
        "result_message": "",
    }
    if attempt and any(a.get("id") == attempt for a in space.document.get("attempts") or []):
        evaluation = workspace.run(space, [attempt])
        result = next((r for r in evaluation.results if r.id == attempt), None)
        if result is not None:
            context.update(workspace.result_context(space, result))
        else:
            context["result_message"] = workspace.not_run(evaluation, attempt)
    return render(request, "playground/workspace.html", context)


def _history(space: workspace.Space) -> dict:
    if not space.editable:
        return {}
    return {"undo": store.can_undo(space.wc), "redo": store.can_redo(space.wc)}


@require_GET
def lesson(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """The lesson panel, refreshed after the description changes (the page is its twin)."""
    space = _space(request, kind, space_id)
    return render(request, "playground/partials/lesson.html", {"space": space})


@require_GET
def working_copy(request: HttpRequest, wc_id: str) -> HttpResponse:
    wc = get_object_or_404(WorkingCopy, pk=wc_id)
    return _page(request, workspace.from_copy(wc, access.can_edit(request, wc)))


@require_GET
def snapshot(request: HttpRequest, snap_id: str) -> HttpResponse:
    return _page(request, workspace.from_snapshot(get_object_or_404(Snapshot, pk=snap_id)))


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """400, or 413 with the limit stated when the request body was too large."""
    if isinstance(exception, RequestDataTooBig):
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = f"The request is larger than the {limit} MB limit and was refused."
        return render(request, "playground/error.html", {"message": message}, status=413)
    message = "The request could not be understood."
    return render(request, "playground/error.html", {"message": message}, status=400)
