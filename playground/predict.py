"""Predict, then reveal: the classroom mode that keeps every answer off the page.

The mode lives in the URL (`?predict=1`), so a link or a share link carries
it. An htmx request of such a page carries it too: htmx sends the page's URL
in `HX-Current-URL`, and a small script adds the flag to the requests it
makes (static/js/predict.js). While it is on, the server leaves verdicts,
access arrows, expectations and verdict-bearing titles out of the HTML
altogether; a viewer predicts each attempt's answer, then reveals it.

The viewer's running score is kept in their session (one per browser: a signed
cookie, so scoring a guess writes no row).
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit, urlunsplit

from django.http import HttpRequest

PARAM = "predict"
SESSION_KEY = "predict-score"
# What a viewer may predict: the three authorization answers, then the error
# codes a call can end with once it is authorized (or when the key is missing).
ANSWERS = (
    ("allow", "Allowed"),
    ("implicit_deny", "Implicit deny"),
    ("explicit_deny", "Explicit deny"),
)
ERROR_CODES = (
    "DisabledException",
    "KMSInvalidStateException",
    "NotFoundException",
    "InvalidCiphertextException",
    "IncorrectKeyException",
    "InvalidKeyUsageException",
    "InvalidGrantTokenException",
    "MalformedPolicyDocumentException",
    "LimitExceededException",
    "ValidationException",
)
SEEN_KEPT = 200  # attempts a browser remembers having predicted (each counts once)
SKIP = "skip"  # reveal without predicting (the presenter's space bar): not scored
CHOICES = frozenset([a for a, _ in ANSWERS] + list(ERROR_CODES) + [SKIP])
DENIED_CODES = ("Success", "AccessDeniedException", "AccessDenied", "")
# Expectations as AWS documentation words them.
EXPECT_LABELS = {
    "allow": "Allowed",
    "deny": "Denied (implicitly or explicitly)",
    "implicit_deny": "Implicitly denied",
    "explicit_deny": "Explicitly denied",
    "Success": "Succeeds",
}


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "on", "true", "yes")


def is_on(request: HttpRequest) -> bool:
    """Predict mode for this request: its own query, the form it posts (a plain
    post from a predict page), or (htmx) the page's URL."""
    if PARAM in request.GET:
        return _flag(request.GET.get(PARAM))
    if request.method == "POST" and PARAM in request.POST:
        return _flag(request.POST.get(PARAM))
    current = request.headers.get("HX-Current-URL", "")
    if current:
        values = parse_qs(urlsplit(current).query).get(PARAM)
        return bool(values) and _flag(values[-1])
    return False


def answer(authorization: str, outcome: str) -> str:
    """The answer a prediction is compared with: an error code, else the authorization."""
    if outcome not in DENIED_CODES:
        return outcome
    return authorization


def answer_label(key: str) -> str:
    return dict(ANSWERS).get(key, key)


def expect_label(expect: str | None) -> str:
    if not expect:
        return ""
    return EXPECT_LABELS.get(expect, expect)


# ----------------------------------------------------------------------------- score


def score(request: HttpRequest) -> dict:
    saved = request.session.get(SESSION_KEY) or {}
    right, total = int(saved.get("right", 0)), int(saved.get("total", 0))
    return {"right": right, "total": total}


def record(request: HttpRequest, space_id: str, attempt_id: str, correct: bool) -> dict:
    """Count a prediction once per attempt of a scenario; returns the new score."""
    saved = dict(request.session.get(SESSION_KEY) or {})
    seen = list(saved.get("seen") or [])
    # A short digest per attempt, and only the latest few: the session is a cookie.
    mark = hashlib.sha256(f"{space_id}/{attempt_id}".encode()).hexdigest()[:8]
    if mark not in seen:
        seen = [*seen, mark][-SEEN_KEPT:]
        saved["right"] = int(saved.get("right", 0)) + (1 if correct else 0)
        saved["total"] = int(saved.get("total", 0)) + 1
        saved["seen"] = seen
        request.session[SESSION_KEY] = saved
    return score(request)


def reset(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def guess_of(request: HttpRequest) -> str | None:
    """The viewer's prediction in this request (None: not predicted yet)."""
    guess = request.GET.get("guess", "")[:64]
    if guess == "error":
        guess = request.GET.get("code", "")[:64]
    return guess if guess in CHOICES else None


def context(request: HttpRequest) -> dict:
    """Template context processor: `predict` (the mode) and, in it, the viewer's score."""
    on = is_on(request)
    return {"predict": on, "score": score(request) if on else {}}


class KeepMode:
    """Middleware: a redirect answering a request in predict mode (a plain form
    post, followed without JavaScript) goes to a page in predict mode too."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
        if location.startswith("/") and not location.startswith("//") and is_on(request):
            parts = urlsplit(location)
            if PARAM not in parse_qs(parts.query):
                query = f"{parts.query}&{PARAM}=1" if parts.query else f"{PARAM}=1"
                response["Location"] = urlunsplit(parts._replace(query=query))
        return response
