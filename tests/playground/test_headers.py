"""Response headers: a Content-Security-Policy with nothing inline, HTTPS settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from playground.envconf import Rate
from playground.models import Scenario, Snapshot
from tests.playground.conftest import imported, readable_urls

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INLINE = {
    # a data block (json_script, type="application/json") never runs: allowed
    "inline script": re.compile(r"<script(?![^>]*\s(?:src=|type=\"application/json\"))", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


def test_every_page_has_a_content_security_policy_without_unsafe_inline(copy):
    response = copy.client.get(copy.base)
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source for sources in csp.values() for source in sources)


def test_the_style_nonce_is_new_on_every_page_and_given_to_the_editor_script(copy):
    first, second = (copy.client.get(copy.base) for _ in range(2))
    nonces = []
    for response in (first, second):
        (nonce,) = [s for s in _csp(response)["style-src"] if s.startswith("'nonce-")]
        nonce = nonce[len("'nonce-") : -1]
        assert f'editor.js" nonce="{nonce}"' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client):
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html


def _no_inline(url: str, html: str) -> None:
    for what, pattern in INLINE.items():
        found = pattern.search(html)
        assert found is None, f"{url} has an {what}: {found and found.group(0)[:80]}"


def test_no_page_or_partial_has_inline_script_style_or_handler(copy):
    imported(copy)
    snap = Snapshot.objects.create(lineage=copy.wc.lineage, document=copy.doc)
    challenge = Scenario.objects.create(title="A challenge", document=copy.doc)
    urls = ["/", "/gallery/", "/nonexistent/", "/glossary/", f"/c/{challenge.id}/"]
    urls += [*readable_urls(copy.base, copy.doc), *readable_urls(f"/s/{snap.id}/", copy.doc)]
    for url in urls:
        _no_inline(url, copy.client.get(url).content.decode())


def test_no_refusal_page_has_inline_script_style_or_handler(copy, settings):
    imported(copy)
    stale = {"title": "x", "revision": copy.wc.version - 1}
    refusals = {
        "stale": copy.client.post(copy.base + "scenario/", stale),
        "refused form": copy.client.post(copy.base + "scenario/", {"region": "the moon"}),
        "stranger": Client().post(copy.base + "scenario/", {"title": "x"}),
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "new": Rate(1, 600)}
    Client().post("/new/")
    refusals["too many"] = Client().post("/new/")
    for what, response in refusals.items():
        assert response.status_code in (400, 403, 409, 429), what
        _no_inline(what, response.content.decode())


# The browser tests' conftest allows async-unsafe calls; a deployment does not.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**CLEAN_ENV, "DEBUG": "0", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_secure_https():
    result = _run({"SECURE_HTTPS": "1"}, "manage.py", "check", "--deploy", "--fail-level", "INFO")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_secure_https():
    result = _run({"SECURE_HTTPS": "0"}, "manage.py", "check", "--deploy")
    assert "SECURE_HSTS_SECONDS" in result.stdout + result.stderr


SECURE_PROBE = """
import django, json
django.setup()
from django.test import Client
plain = Client().get("/healthz")
secure = Client().get("/healthz", secure=True)
print(json.dumps({"plain": [plain.status_code, plain.get("Location", "")],
                  "hsts": secure.get("Strict-Transport-Security", "")}))
from django.conf import settings
print(json.dumps([settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]))
"""


def test_secure_https_redirects_to_https_sends_hsts_and_marks_cookies_secure():
    env = {"SECURE_HTTPS": "1", "DJANGO_SETTINGS_MODULE": "playground.settings"}
    result = _run(env, "-c", SECURE_PROBE)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().splitlines()
    assert '"plain": [301, "https://testserver/healthz"]' in first
    assert '"hsts": "max-age=31536000; includeSubDomains; preload"' in first
    assert second == "[true, true]"


def test_the_edit_cookie_is_secure_over_https(client, settings):
    settings.SECURE_HTTPS = True
    response = client.post("/new/")
    assert response.cookies["kmsp-edit"]["secure"] is True


def test_every_template_that_loads_the_editor_gives_it_the_style_nonce():
    """CodeMirror's stylesheet is admitted by the nonce its <script> tag carries."""
    for template in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script[^>]*dist/editor\.js[^>]*>", template.read_text()):
            assert 'nonce="{{ csp_nonce }}"' in tag, f"{template.name}: {tag}"
