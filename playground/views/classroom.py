"""Classroom pages: the rule glossary, the presenter view and the printable lesson sheet."""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from playground import (
    access,
    challenges,
    document_nodes,
    documents,
    limits,
    links,
    predict,
    presenter,
    tracing,
    workspace,
)
from playground import glossary as rules
from playground.views.attempts import result_or_question
from playground.views.common import new_copy, space_of, too_many


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """Every rule number the lessons and traces cite, with its one-line explanation."""
    return render(request, "playground/glossary.html", {"sections": rules.sections()})


def _present_url(space: workspace.Space, attempt_id: str, on: bool) -> str:
    return links.with_query(space.urls.present, attempt=attempt_id, predict=on)


@require_GET
def present(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """One attempt at a time, full screen, in large type: the teacher's projector view."""
    space = space_of(request, kind, space_id)
    shown = dataclasses.replace(space, editable=False)  # nothing to edit on a projector
    attempts = [a for a in space.document.get("attempts") or [] if "id" in a]
    ids = [a["id"] for a in attempts]
    wanted = request.GET.get("attempt", "")[:64]
    current = wanted if wanted in ids else (ids[0] if ids else "")
    on = predict.is_on(request)
    context = {**workspace.canvas_context(shown), "space": shown, "ids": ids}
    if current:
        index = ids.index(current)
        here = _present_url(space, current, on)
        context.update(result_or_question(request, shown, current, action=space.urls.present))
        context.update(
            number=index + 1,
            line=workspace.attempt_lines(space.document).get(current, ""),
            prev_url=_present_url(space, ids[index - 1], on) if index else "",
            next_url=_present_url(space, ids[index + 1], on) if index + 1 < len(ids) else "",
            here=here,
        )
        view = context.get("result")
        if view is not None:
            evaluation = workspace.run(space, [current])
            result = next(r for r in evaluation.results if r.id == current)
            status, _, _ = tracing.badge(result.authorization, result.outcome)
            attempt = attempts[index]
            context["path"] = presenter.request_path(
                result, attempt, context["canvas"].geometry, status
            )
    context["workspace_url"] = links.with_query(space.urls.page, predict=on)
    return render(request, "playground/present.html", context)


@require_POST
def present_blank(request: HttpRequest) -> HttpResponse:
    """A fresh blank scenario, opened for screen-sharing: the presenter view of a new copy."""
    try:
        wc, token = new_copy(request, documents.blank_document())
    except limits.RateLimited as limited:
        return too_many(request, limited)
    url = reverse("present", kwargs={"kind": "w", "space_id": wc.id})
    return access.grant_edit(request, redirect(url), wc, token)


@require_GET
def sheet(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    """The lesson on paper: the scenario, its attempts and (unless ?answers=0) the answers."""
    space = space_of(request, kind, space_id)
    shown = dataclasses.replace(space, editable=False)
    answers = request.GET.get("answers", "1") != "0" and not predict.is_on(request)
    lines = workspace.attempt_lines(space.document)
    rows = []
    if answers:
        for result in workspace.run(space, None).results:
            _, label, _ = tracing.badge(result.authorization, result.outcome)
            rows.append(
                {
                    "title": result.title or result.id,
                    "line": lines.get(result.id, ""),
                    "answer": label,
                    "outcome": result.outcome,
                    "reason": result.decision.reason,
                    "rule": result.decision.rule,
                }
            )
    else:
        rows = [{"line": line} for line in lines.values()]
    nodes = list(document_nodes.iter_nodes(space.document))
    parts = [
        {
            "ref": a.ref,
            "label": a.label,
            "nodes": [
                {"kind": document_nodes.KIND_LABELS.get(n.kind, n.kind), "label": n.label}
                for n in nodes
                if n.account == a.ref and n.kind != "account"
            ],
        }
        for a in nodes
        if a.kind == "account"
    ]
    reference = workspace.challenge_document(space) or space.document
    goals = challenges.goals_of(reference) or {}
    context = {
        **workspace.canvas_context(shown),
        "space": shown,
        "answers": answers,
        "predict": not answers,  # without answers, the canvas draws no verdict arrows
        "rows": rows,
        "parts": parts,
        "tasks": challenges.tasks(reference) if goals else [],
        "least_privilege": bool(goals.get("least_privilege")),
    }
    return render(request, "playground/sheet.html", context)
