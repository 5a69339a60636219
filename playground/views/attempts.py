"""Attempts: build one, run one or all, and show a result with its trace."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from playground import attempt_form, document_items, engine, predict, store, verdicts, workspace
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import WorkingCopy
from playground.views.common import page_url, partial_or_page, space_for, space_of

ATTEMPTS = "playground/partials/attempts.html"
NOT_SAVED = "Not saved: see the form."
RESULT = "playground/partials/result.html"


@require_GET
def attempts(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    space = space_of(request, kind, space_id)
    editing = request.GET.get("edit", "")[:64] if space.editable else ""
    return render(request, ATTEMPTS, workspace.attempts_context(space, editing=editing))


def _attempts_result(
    request, wc, *, form=None, editing="", message="", changed=False, ok: bool | None = None
):
    space = space_for(wc)
    context = workspace.attempts_context(space, form=form, editing=editing, message=message)
    page = page_url(space)
    typed = form is not None  # a form is passed back only when it was refused
    return partial_or_page(
        request, ATTEMPTS, context, page=page, changed=changed, error=message, typed=typed, ok=ok
    )


@require_POST
@editable
def save_attempt(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = attempt_form.AttemptForm(request.POST)
    if not form.is_valid():
        editing = form.cleaned_data.get("editing", "")
        return _attempts_result(request, wc, form=form, editing=editing, message=NOT_SAVED)
    editing, action = form.cleaned_data["editing"], form.cleaned_data["action"]
    attempt_id = form.cleaned_data["attempt_id"] or editing
    attempt_id = attempt_id or workspace.new_attempt_id(wc.document, action)
    previous = document_items.attempt(wc.document, editing)
    try:
        doc, index = document_items.put_attempt(
            wc.document, form.attempt(attempt_id, previous), replacing=editing
        )
    except EditError as exc:
        return _attempts_result(request, wc, form=form, editing=editing, message=str(exc))
    # What only the whole scenario can judge (an unknown principal, a ciphertext from a
    # missing attempt) is said at its field; saving would silently drop the attempt.
    if form.add_document_errors(engine.check(doc).problems, f"/attempts/{index}"):
        return _attempts_result(request, wc, form=form, editing=editing, message=NOT_SAVED)
    try:
        store.save(wc, doc)
    except EditError as exc:
        return _attempts_result(request, wc, form=form, editing=editing, message=str(exc))
    return _attempts_result(request, wc, message=f'Attempt "{attempt_id}" saved.', changed=True)


@require_POST
@editable
def delete_attempt(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = attempt_form.AttemptRefForm(request.POST)
    if not form.is_valid():
        return _attempts_result(request, wc, message="Nothing to delete.")
    try:
        store.save(wc, document_items.delete_attempt(wc.document, form.cleaned_data["attempt"]))
    except EditError as exc:
        return _attempts_result(request, wc, message=str(exc))
    return _attempts_result(request, wc, message="Attempt deleted.", changed=True)


@require_POST
@editable
def run_attempt(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = attempt_form.AttemptRefForm(request.POST)
    space = space_for(wc)
    ids = {a["id"] for a in wc.document.get("attempts") or []}
    if not form.is_valid() or form.cleaned_data["attempt"] not in ids:
        return _attempts_result(request, wc, message="No such attempt.")
    attempt_id = form.cleaned_data["attempt"]
    evaluation = workspace.run(space, [attempt_id])
    result = next((r for r in evaluation.results if r.id == attempt_id), None)
    if result is None:
        message = workspace.not_run(evaluation, attempt_id)
        if not request.htmx:
            return partial_or_page(request, RESULT, {}, page=page_url(space), error=message)
        context = {**workspace.attempts_context(space_for(wc)), "oob_attempts": True}
        return render(request, RESULT, {**context, "space": space, "message": message})
    if not request.htmx:
        return partial_or_page(request, RESULT, {}, page=page_url(space, attempt=attempt_id))
    context = {
        **workspace.result_context(space, result),
        **workspace.attempts_context(space_for(wc)),
        "oob_attempts": True,
    }
    return render(request, RESULT, context)


@require_POST
@editable
def run_all(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    space = space_for(wc)
    found = verdicts.of(space)
    summaries = found.attempts  # every attempt, run on this revision
    passed = sum(1 for s in summaries.values() if s["passed"] is True)
    failed = sum(1 for s in summaries.values() if s["passed"] is False)
    message = f"Ran {len(summaries)} attempt(s): {passed} passed, {failed} failed."
    if workspace.challenge_document(space) is not None:
        message = f"Ran {len(summaries)} attempt(s). Use Check to see where the challenge stands."
    if found.stopped:
        message += " " + found.stopped
    return _attempts_result(request, wc, message=message, ok=not found.stopped)


def result_or_question(
    request: HttpRequest, space: workspace.Space, attempt_id: str, action: str = ""
) -> dict:
    """The result of an attempt; in predict mode the question first, then the reveal."""
    guess = predict.guess_of(request)
    if predict.is_on(request) and guess is None:
        return workspace.question_context(space, attempt_id, action)
    evaluation = workspace.run(space, [attempt_id])
    result = next((r for r in evaluation.results if r.id == attempt_id), None)
    if result is None:  # over the budget, or a stored scenario that cannot compile
        return {"space": space, "message": workspace.not_run(evaluation, attempt_id)}
    if not predict.is_on(request):
        return workspace.result_context(space, result)
    context = workspace.revealed_context(space, result, guess)
    if guess == predict.SKIP:
        context["score"] = predict.score(request)
    else:
        correct = context["prediction"]["correct"]
        context["score"] = predict.record(request, space.id, attempt_id, correct)
    return context


@require_GET
def trace(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """A result and its trace, without saving anything (read-only spaces use this)."""
    space = space_of(request, kind, space_id)
    attempt_id = request.GET.get("attempt", "")[:64]
    if not any(a.get("id") == attempt_id for a in space.document.get("attempts") or []):
        return render(request, RESULT, {"space": space, "message": "No such attempt."})
    return render(request, RESULT, result_or_question(request, space, attempt_id))
