"""Challenges: share a scenario's goals as a challenge, start one, check a solution."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from playground import access, challenges, limits, store, workspace
from playground.access import editable
from playground.models import Scenario, WorkingCopy
from playground.views.common import new_copy, share_client, space_for, too_many

CHALLENGE = "playground/partials/challenge.html"
SHARE = "playground/partials/share.html"


@require_POST
@editable
def share_challenge(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    """Freeze the working copy, goals and answers included, behind a /c/ link."""
    if challenges.goals_of(wc.document) is None:
        context = {"space": space_for(wc), "share_error": "Add goals to the scenario first."}
        return render(request, SHARE, context, status=200 if request.htmx else 400)
    challenge = store.existing_challenge(wc.document)  # the same link again costs nothing
    if challenge is None:
        client = share_client(request, wc, SHARE)
        if isinstance(client, HttpResponse):
            return client
        challenge = store.share_challenge(wc.document, client=client)
    path = reverse("challenge", args=[challenge.id])
    if not request.htmx:
        return redirect(path)
    context = {
        "space": space_for(wc),
        "share_url": request.build_absolute_uri(path),
        "challenge_link": True,
    }
    return render(request, SHARE, context)


def _challenge(scenario_id: str) -> Scenario:
    scenario = get_object_or_404(Scenario, pk=scenario_id)
    if challenges.goals_of(scenario.document) is None:
        raise Http404("This scenario is not a challenge.")
    return scenario


@require_GET
def challenge_page(request: HttpRequest, scenario_id: str) -> HttpResponse:
    """The challenge as a student first sees it: its tasks, never their answers."""
    scenario = _challenge(scenario_id)
    doc = challenges.student_document(scenario.document)
    goals = challenges.goals_of(scenario.document)
    context = {
        "challenge": scenario,
        "document": doc,
        "title": doc.get("title") or "Challenge",
        "tasks": challenges.tasks(scenario.document),
        "least_privilege": bool(goals.get("least_privilege")),
        "intro": goals.get("intro", ""),
    }
    return render(request, "playground/challenge.html", context)


@require_POST
def start_challenge(request: HttpRequest, scenario_id: str) -> HttpResponse:
    scenario = _challenge(scenario_id)
    try:
        wc, token = new_copy(request, challenges.student_document(scenario.document), scenario)
    except limits.RateLimited as limited:
        return too_many(request, limited)
    return access.grant_edit(request, redirect("working_copy", wc.id), wc, token)


@require_GET
def check(request: HttpRequest, wc_id: str) -> HttpResponse:
    """The challenge panel, graded (GET: grading changes nothing); the page is its twin."""
    wc = get_object_or_404(WorkingCopy, pk=wc_id)
    space = workspace.from_copy(wc, access.can_edit(request, wc))
    return render(request, CHALLENGE, workspace.challenge_context(space, check=True))
