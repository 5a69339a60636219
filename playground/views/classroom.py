"""Classroom pages: the rule glossary (the presenter view and lesson sheet live here too)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground import glossary as rules


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """Every rule number the lessons and traces cite, with its one-line explanation."""
    return render(request, "playground/glossary.html", {"sections": rules.sections()})
