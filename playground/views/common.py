"""Small helpers shared by the views: the htmx-or-redirect response."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from playground import workspace
from playground.models import WorkingCopy

# Events a response announces (HX-Trigger); partials listen for them to refresh.
CHANGED = "scenario-changed"  # the document changed: canvas, attempts, history refresh
STALE = "attempts-stale"  # the canvas was already redrawn: attempts and history refresh
HISTORY = "scenario-changed, history-changed"  # undo/redo: the panel and lesson refresh too
LESSON = "scenario-changed, lesson-changed"  # title or description saved: the lesson refreshes


def too_many(request: HttpRequest, limited, template: str = "playground/error.html", **context):
    """429 with the limit, when it resets, and that nothing was made."""
    response = render(request, template, {"message": limited.message, **context}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def page_url(space_or_base, **params) -> str:
    base = space_or_base if isinstance(space_or_base, str) else space_or_base.base
    query = urlencode({k: v for k, v in params.items() if v})
    return base + (f"?{query}" if query else "")


def space_for(wc: WorkingCopy) -> workspace.Space:
    """The space of a working copy whose edit token was checked."""
    return workspace.from_copy(wc, editable=True)


def partial_or_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    page: str,
    changed: bool | str = False,
    error: str = "",
) -> HttpResponse:
    """The partial for htmx (telling the page the scenario changed), else back to `page`."""
    if request.htmx:
        response = render(request, template, context)
        if changed:
            response["HX-Trigger"] = CHANGED if changed is True else changed
        return response
    if error:
        messages.error(request, error)
    return redirect(page)
