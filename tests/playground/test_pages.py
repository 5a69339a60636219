"""playground/views/pages.py: the home page, the htmx gallery and its plain twin, healthz."""

from __future__ import annotations

import pytest

from playground.models import Scenario

HX = {"HTTP_HX_REQUEST": "true"}


def _example(slug: str, title: str) -> Scenario:
    return Scenario.objects.create(
        title=title, document={"format": 1}, is_example=True, example_slug=slug
    )


@pytest.mark.django_db
def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "KMS Playground" in html
    assert 'id="gallery"' in html
    assert 'hx-get="/gallery/"' in html
    assert 'hx-trigger="load"' in html
    assert "dist/editor.js" in html
    assert "django_htmx/htmx" in html  # htmx comes from django-htmx's static files
    assert "X-CSRFToken" in html


@pytest.mark.django_db
def test_gallery_partial_for_htmx(client):
    _example("b", "Beta lesson")
    _example("a", "Alpha lesson")
    Scenario.objects.create(title="A user's scenario", document={"format": 1})
    response = client.get("/gallery/", **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.index("Alpha lesson") < html.index("Beta lesson")
    assert "A user's scenario" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_gallery_full_page_without_htmx(client):
    _example("a", "Alpha lesson")
    response = client.get("/gallery/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Alpha lesson" in html


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HX])
def test_gallery_empty_state(client, headers):
    response = client.get("/gallery/", **headers)
    assert response.status_code == 200
    assert "No example scenarios yet" in response.content.decode()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_pages_refuse_post(client):
    assert client.post("/gallery/").status_code == 405


@pytest.mark.django_db
def test_unknown_page_is_404(client):
    assert client.get("/no-such-page/").status_code == 404
