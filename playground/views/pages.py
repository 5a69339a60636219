"""Home, gallery, new scenario, open an example, and the workspace pages."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from playground import access, documents, forms, limits, links, store, workspace
from playground.attempt_form import other_actions
from playground.models import Scenario, Snapshot, WorkingCopy
from playground.views import paste
from playground.views.attempts import result_or_question
from playground.views.common import new_copy, space_of, too_many


def _examples():
    return Scenario.objects.filter(is_example=True).only("id", "title", "example_slug", "document")


def _tags(scenario: Scenario) -> list[str]:
    tags = scenario.document.get("tags") if isinstance(scenario.document, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "playground/home.html")


@require_GET
@vary_on_headers("HX-Request")
def gallery(request: HttpRequest) -> HttpResponse:
    """The examples, filtered by a tag: a partial for htmx, a full page otherwise."""
    examples = list(_examples())
    tag = request.GET.get("tag", "")[:40]
    all_tags = sorted({t for e in examples for t in _tags(e)})
    if tag not in all_tags:
        tag = ""
    shown = [e for e in examples if not tag or tag in _tags(e)]
    for e in shown:
        e.tag_list = _tags(e)
    context = {"examples": shown, "tags": all_tags, "tag": tag}
    if request.htmx:
        return render(request, "playground/partials/gallery.html", context)
    return render(request, "playground/gallery.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _open(request: HttpRequest, document: dict, origin=None) -> HttpResponse:
    try:
        wc, token = new_copy(request, document, origin=origin)
    except limits.RateLimited as limited:
        return too_many(request, limited)
    mode = forms.OpenForm(request.POST)
    on = mode.is_valid() and mode.cleaned_data["predict"]
    url = links.with_query(reverse("working_copy", args=[wc.id]), predict=on)
    return access.grant_edit(request, redirect(url), wc, token)


@require_POST
def new_scenario(request: HttpRequest) -> HttpResponse:
    return _open(request, documents.blank_document())


@require_POST
def open_example(request: HttpRequest, scenario_id: str) -> HttpResponse:
    """An example opens as a new working copy with a lineage of its own."""
    example = get_object_or_404(Scenario, pk=scenario_id, is_example=True)
    return _open(request, example.document, origin=example)


def _page(request: HttpRequest, space: workspace.Space) -> HttpResponse:
    node = request.GET.get("node", "")[:400]
    attempt = request.GET.get("attempt", "")[:64]
    return render(request, "playground/workspace.html", page_context(request, space, node, attempt))


def page_context(
    request: HttpRequest, space: workspace.Space, node: str = "", attempt: str = ""
) -> dict:
    """Everything the workspace page shows, with `node` and `attempt` open."""
    context = {
        **workspace.canvas_context(space, node),
        **workspace.panel_context(space, node),
        **workspace.attempts_context(space),
        **workspace.changes_context(space),
        **workspace.matrix_context(space),
        **workspace.challenge_context(space, check=request.GET.get("check") == "1"),
        "space": space,
        "history": _history(space),
        "result_message": "",
    }
    if space.editable:
        context.update(paste.paste_context(space), catalogue_actions=other_actions())
    if attempt and any(a.get("id") == attempt for a in space.document.get("attempts") or []):
        found = result_or_question(request, space, attempt)
        # Shown in the result panel only (the other panels have messages of their own).
        context["result_message"] = found.pop("message", "")
        context.update(found)
    return context


def _history(space: workspace.Space) -> dict:
    if not space.editable:
        return {}
    return {"undo": store.can_undo(space.wc), "redo": store.can_redo(space.wc)}


@require_GET
def lesson(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """The lesson panel, refreshed after the description changes (the page is its twin)."""
    space = space_of(request, kind, space_id)
    return render(request, "playground/partials/lesson.html", {"space": space})


@require_GET
def changes(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """The decision diff of the last edit, refreshed after each change (the page is its twin)."""
    space = space_of(request, kind, space_id)
    return render(request, "playground/partials/changes.html", workspace.changes_context(space))


@require_GET
def matrix(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """The access matrix with its filters (a partial for htmx, a page otherwise)."""
    space = space_of(request, kind, space_id)
    get = request.GET
    context = workspace.matrix_context(
        space,
        key=get.get("key", "")[:400],
        principal=get.get("principal", "")[:400],
        show=get.get("show", "")[:10],
    )
    if request.htmx:
        return render(request, "playground/partials/matrix.html", context)
    return render(request, "playground/matrix.html", {**context, "open_matrix": True})


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
