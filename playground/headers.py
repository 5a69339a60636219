"""Response headers that limit what a page may load: the Content-Security-Policy.

Every script and style comes from our own origin (static files); nothing
inline runs. The one exception is the editor's own stylesheet, which
CodeMirror writes into a <style> element: it carries the per-request nonce
(the editor reads it from its <script nonce> tag), so no 'unsafe-inline'.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        # Django's debug error pages (DEBUG only) are all inline styles and scripts.
        if settings.DEBUG and response.status_code >= 400:
            return response
        response.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        return response


def csp_nonce(request: HttpRequest) -> dict:
    """Template context: `csp_nonce` (django-htmx's {% htmx_script %} reads it too)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
