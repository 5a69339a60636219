"""The answer to a write made from a version the working copy has moved past.

Nothing is applied, and nothing the user sent is lost: the refusal shows
every field back and offers to apply the same change to the latest version
(a plain form, so it works without JavaScript), or to reload.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import reselect, reswap, retarget

from playground import predict
from playground.links import with_query
from playground.models import WorkingCopy
from playground.store import Conflict

PARTIAL = "playground/partials/conflict.html"
# Sent again by the form itself, not shown as something the user typed.
HIDDEN = {"csrfmiddlewaretoken", "revision", predict.PARAM}


def refused(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    """409 "changed elsewhere, reload", with what was sent shown back."""
    if "application/json" in request.headers.get("Accept", ""):
        body = {"status": "conflict", "message": Conflict.message, "problems": []}
        return JsonResponse(body, status=409)
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in HIDDEN
        for value in values
    ]
    page = reverse("working_copy", args=[wc.id])
    context = {
        "wc": wc,
        "reload_url": with_query(page, predict=predict.is_on(request)),
        "message": Conflict.message,
        "fields": fields,
        "files": bool(request.FILES),
        "action": request.path,
    }
    if not request.htmx:
        return render(request, "playground/conflict.html", context, status=409)
    response = render(request, PARTIAL, context, status=409)
    # Whatever the form targets, the refusal goes to the page's #conflict box.
    return reselect(reswap(retarget(response, "#conflict"), "outerHTML"), "#conflict")
