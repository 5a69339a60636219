"""Proven fixes for a denied attempt: list them (each a JSON diff, ranked by
how little other access it adds) and apply one (an ordinary, undoable edit)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from playground import engine, forms, store, workspace
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import WorkingCopy
from playground.views.common import (
    CHANGED,
    announce,
    page_url,
    partial_or_page,
    space_for,
    space_of,
)

FIXES = "playground/partials/fixes.html"
RESULT = "playground/partials/result.html"


@require_GET
def fixes(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """The proven fixes of one attempt (a partial for htmx, a page of its own otherwise)."""
    space = space_of(request, kind, space_id)
    attempt_id = request.GET.get("attempt", "")[:64]
    context = workspace.fixes_context(space, attempt_id)
    if request.htmx:
        return render(request, FIXES, context)
    return render(request, "playground/fixes.html", context)


@require_POST
@editable
def apply_fix(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.FixForm(request.POST)
    form.is_valid()  # an unknown attempt or fix is said below: it no longer applies
    attempt_id, fix_id = form.cleaned_data.get("attempt", ""), form.cleaned_data.get("fix", "")
    space = space_for(wc)
    fixes = engine.proven_fixes(space.document, attempt_id, space.lineage)
    found = next((f for f in fixes if f.id == fix_id), None)
    message = ""
    if found is None:
        message = "That fix no longer applies: the scenario changed since it was proven."
    else:
        try:
            store.save(wc, dict(found.document))
        except EditError as exc:
            message = str(exc)
    if not request.htmx:  # back to the page, saying why nothing was applied
        return partial_or_page(
            request, RESULT, {}, page=page_url(space, attempt=attempt_id), error=message
        )
    space = space_for(wc)
    evaluation = workspace.run(space, [attempt_id])
    result = next((r for r in evaluation.results if r.id == attempt_id), None)
    context = workspace.result_context(space, result) if result else {"space": space}
    context["message"] = message
    if found is not None and not message:
        context["applied"] = found.title
    response = render(request, RESULT, context)
    return announce(response, CHANGED) if not message else response
