"""Helpers shared by the views: the space a URL names, the htmx-or-redirect
response, and the events a response announces."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import trigger_client_event

from playground import access, limits, links, store, workspace
from playground.models import Snapshot, WorkingCopy

# Events a response announces (HX-Trigger); partials listen for them to refresh.
CHANGED = ("scenario-changed",)  # the document changed: canvas, attempts, history refresh
STALE = ("attempts-stale",)  # the canvas was already redrawn: attempts and history refresh
HISTORY = (*CHANGED, "history-changed")  # undo/redo: the panel and lesson refresh too
LESSON = (*CHANGED, "lesson-changed")  # title or description saved: the lesson refreshes

PANEL = "playground/partials/panel.html"


def announce(response: HttpResponse, events: tuple[str, ...]) -> HttpResponse:
    for name in events:
        trigger_client_event(response, name)
    return response


def too_many(request: HttpRequest, limited, template: str = "playground/error.html", **context):
    """429 with the limit, when it resets, and that nothing was made."""
    response = render(request, template, {"message": limited.message, **context}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def share_client(request: HttpRequest, wc: WorkingCopy, template: str) -> str | HttpResponse:
    """The client about to make a share link, or the 429 answer once it made its allowance
    (`template` for htmx, the error page without)."""
    client = limits.client_id(request)
    try:
        limits.check(client, "share")
    except limits.RateLimited as limited:
        page = template if request.htmx else "playground/error.html"
        return too_many(request, limited, page, space=space_for(wc))
    return client


def new_copy(request: HttpRequest, document: dict, origin=None) -> tuple[WorkingCopy, str]:
    """A new working copy and its edit token, if this client may make one (else RateLimited)."""
    client = limits.client_id(request)
    limits.check(client, "new")
    return store.create(document, origin=origin, client=client)


def page_url(space: workspace.Space, **params) -> str:
    return links.with_query(space.urls.page, **params)


def space_of(request: HttpRequest, kind: str, space_id: str) -> workspace.Space:
    """The working copy (`kind` "w") or snapshot ("s") a read-only URL names."""
    if kind == "s":
        return workspace.from_snapshot(get_object_or_404(Snapshot, pk=space_id))
    wc = get_object_or_404(WorkingCopy, pk=space_id)
    return workspace.from_copy(wc, access.can_edit(request, wc))


def space_for(wc: WorkingCopy) -> workspace.Space:
    """The space of a working copy whose edit token was checked."""
    return workspace.from_copy(wc, editable=True)


def partial_or_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    page: str,
    changed: bool | tuple[str, ...] = False,
    error: str = "",
    typed: bool = False,
    ok: bool | None = None,
) -> HttpResponse:
    """The partial for htmx (telling the page the scenario changed), else back to `page`
    with `error` said above it (as a notice when `ok`, by default when the write
    `changed` the scenario: what was done, not what went wrong); a refused form
    (`typed`) without htmx gets the whole page, 400, as sent."""
    if ok is None:
        ok = bool(changed)
    if request.htmx:
        response = render(request, template, context)
        if changed:
            announce(response, CHANGED if changed is True else changed)
        return response
    if error:
        (messages.success if ok and not typed else messages.error)(request, error)
    if error and typed:
        return refused_page(request, context)
    return redirect(page)


def refused_page(request: HttpRequest, context: dict) -> HttpResponse:
    """The workspace page, its part of `context` (a refused form) as the user sent it."""
    from playground.views.pages import page_context  # pages imports the views using this

    space = context["space"]
    shown = {k: v for k, v in context.items() if k != "message"}  # said once, above the page
    full = {**page_context(request, space, node=context.get("ref", "")), **shown, "refused": True}
    return render(request, "playground/workspace.html", full, status=400)


def panel_result(
    request: HttpRequest,
    wc: WorkingCopy,
    ref: str,
    *,
    message: str = "",
    form=None,
    grant: dict | None = None,
    changed: bool | tuple[str, ...] = True,
    ok: bool | None = None,
) -> HttpResponse:
    """The node panel after a write to `ref` (or the scenario's, for ""); a refused
    `form` or `grant` is shown as it was sent (`ok`: see partial_or_page)."""
    space = space_for(wc)
    context = workspace.panel_context(space, ref, form=form, message=message, grant=grant)
    typed = form is not None or grant is not None
    page = page_url(space, node=ref)
    return partial_or_page(
        request, PANEL, context, page=page, changed=changed, error=message, typed=typed, ok=ok
    )
