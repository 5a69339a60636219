from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from playground.models import Scenario


def _examples():
    return Scenario.objects.filter(is_example=True).only("id", "title", "example_slug")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "playground/home.html")


@require_GET
@vary_on_headers("HX-Request")
def gallery(request: HttpRequest) -> HttpResponse:
    """The list of example scenarios: a partial for htmx, a full page otherwise."""
    context = {"examples": _examples()}
    if request.htmx:
        return render(request, "playground/partials/gallery.html", context)
    return render(request, "playground/gallery.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
