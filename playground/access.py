"""Who may edit a working copy: the browser holding its edit token.

The token is random, shown to nobody, and kept in an HttpOnly cookie scoped to
the copy's own URLs (/w/<id>/); the database stores only its SHA-256. Anyone
else who opens the copy sees it read-only, with "Fork to edit".
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from playground import conflicts, forms
from playground.models import WorkingCopy
from playground.store import Conflict, token_matches

COOKIE = "kmsp-edit"
COOKIE_AGE = 60 * 60 * 24 * 365


def grant_edit(request: HttpRequest, response: HttpResponse, wc: WorkingCopy, token: str):
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_AGE,
        path=reverse("working_copy", args=[wc.id]),  # the copy's pages and writes only
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.SECURE_HTTPS,
    )
    return response


def can_edit(request: HttpRequest, wc: WorkingCopy) -> bool:
    return token_matches(wc, request.COOKIES.get(COOKIE))


def stated_version(request: HttpRequest) -> int | None:
    """The version a write says it was made from (the form's `revision`), if it says."""
    return forms.RevisionForm(request.POST).stated()


def editable(view):
    """Load the working copy named in the URL; refuse (403) without its edit token.

    A write that names the version it was made from (every form of the page
    does) is refused with 409 if the copy has moved on; one that names none
    (a script) is made from the version read here. Either way the store
    applies it only if the copy is still at that version (store.Conflict).
    The response says the version the copy is at now (X-Revision).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, wc_id: str, *args, **kwargs):
        wc = get_object_or_404(WorkingCopy, pk=wc_id)
        if not can_edit(request, wc):
            response = render(
                request,
                "playground/partials/refused.html",
                {"wc": wc},
                status=403,
            )
            return response
        stated = stated_version(request)
        if stated is not None and stated != wc.version:
            return conflicts.refused(request, wc)
        try:
            response = view(request, wc, *args, **kwargs)
        except Conflict:
            return conflicts.refused(request, WorkingCopy.objects.get(pk=wc.pk))
        response["X-Revision"] = str(wc.version)
        return response

    return wrapper
