"""The web app's foundation: pages, the htmx gallery, settings, loadexamples."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test.utils import override_settings

from playground.envconf import env_bool, env_list, secret_key_from_file
from playground.models import SLUG_LENGTH, Scenario

ROOT = Path(__file__).resolve().parents[2]
HX = {"HTTP_HX_REQUEST": "true"}


def _example(slug: str, title: str) -> Scenario:
    return Scenario.objects.create(
        title=title, document={"format": 1}, is_example=True, example_slug=slug
    )


# --- pages -----------------------------------------------------------------


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


# --- model -----------------------------------------------------------------


@pytest.mark.django_db
def test_scenario_ids_are_short_random_slugs():
    ids = {Scenario.objects.create(document={"format": 1}).id for _ in range(20)}
    assert len(ids) == 20
    for sid in ids:
        assert len(sid) == SLUG_LENGTH
        assert sid.isascii() and sid.isalnum()


# --- loadexamples ----------------------------------------------------------


def _load(folder: Path) -> str:
    out = StringIO()
    call_command("loadexamples", "--dir", str(folder), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loadexamples_missing_or_empty_folder(tmp_path):
    assert "nothing loaded" in _load(tmp_path / "missing")
    assert "nothing loaded" in _load(tmp_path)
    assert Scenario.objects.count() == 0


@pytest.mark.django_db
def test_loadexamples_is_idempotent(tmp_path):
    (tmp_path / "cross-account.json").write_text(
        json.dumps({"format": 1, "title": "Cross account", "accounts": []})
    )
    (tmp_path / "no_title.json").write_text(json.dumps({"format": 1, "accounts": []}))
    (tmp_path / "notes.txt").write_text("not an example")
    assert "2 new, 0 updated" in _load(tmp_path)

    (tmp_path / "cross-account.json").write_text(
        json.dumps({"format": 1, "title": "Cross account, v2", "accounts": []})
    )
    assert "0 new, 2 updated" in _load(tmp_path)

    rows = {s.example_slug: s for s in Scenario.objects.all()}
    assert set(rows) == {"cross-account", "no_title"}
    assert rows["cross-account"].title == "Cross account, v2"
    assert rows["cross-account"].document["title"] == "Cross account, v2"
    assert rows["no_title"].title == "no title"
    assert all(s.is_example for s in rows.values())


@pytest.mark.django_db
def test_loadexamples_rejects_bad_json(tmp_path):
    (tmp_path / "good.json").write_text(json.dumps({"format": 1, "title": "Good"}))
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CommandError, match=r"broken\.json"):
        _load(tmp_path)
    assert Scenario.objects.count() == 0  # all or nothing


@pytest.mark.django_db
def test_loadexamples_default_folder_runs():
    # examples/ at the project root may be empty or missing; either way it works.
    out = StringIO()
    call_command("loadexamples", stdout=out)
    assert "example" in out.getvalue().lower()


# --- settings helpers ------------------------------------------------------


def test_secret_key_file_is_generated_once(tmp_path):
    path = tmp_path / ".secret_key"
    first = secret_key_from_file(path)
    assert len(first) >= 50
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_file(path) == first


def test_secret_key_empty_file_is_filled(tmp_path):
    path = tmp_path / ".secret_key"
    path.write_text("\n")
    key = secret_key_from_file(path)
    assert key and path.read_text().strip() == key


def test_env_helpers(monkeypatch):
    for word in ("1", "true", "TRUE", "yes", "on"):
        monkeypatch.setenv("X_FLAG", word)
        assert env_bool("X_FLAG") is True
    for word in ("0", "false", "", "no", "2"):
        monkeypatch.setenv("X_FLAG", word)
        assert env_bool("X_FLAG") is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG") is False
    monkeypatch.setenv("X_LIST", " a.example , ,b.example")
    assert env_list("X_LIST", "z") == ["a.example", "b.example"]
    monkeypatch.delenv("X_LIST")
    assert env_list("X_LIST", "x,y") == ["x", "y"]


def _settings_in_fresh_process(env: dict[str, str]) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "db = settings.DATABASES['default'];"
        "print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS,"
        "'engine': db['ENGINE'], 'name': str(db['NAME']), 'key': settings.SECRET_KEY,"
        "'upload': settings.DATA_UPLOAD_MAX_MEMORY_SIZE}))"
    )
    full_env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "ALLOWED_HOSTS")}
    full_env.pop("DATABASE_URL", None)
    full_env.update(env, DJANGO_SETTINGS_MODULE="playground.settings")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_settings_defaults():
    got = _settings_in_fresh_process({"SECRET_KEY": "k" * 50})
    assert got["debug"] is False
    assert got["hosts"] == ["127.0.0.1", "localhost", "testserver"]
    assert got["engine"] == "django.db.backends.sqlite3"
    assert got["name"] == str(ROOT / "db.sqlite3")
    assert got["key"] == "k" * 50
    assert got["upload"] == 2 * 1024 * 1024


def test_settings_from_environment():
    got = _settings_in_fresh_process(
        {
            "SECRET_KEY": "s" * 50,
            "DEBUG": "true",
            "ALLOWED_HOSTS": "kms.example.org, other.example.org",
            "DATABASE_URL": "postgres://kms:pw@db.invalid:5432/kms",
        }
    )
    assert got["debug"] is True
    assert got["hosts"] == ["kms.example.org", "other.example.org"]
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["name"] == "kms"


def test_postgres_driver_is_installed():
    import psycopg

    assert psycopg.__version__


# --- production static files -----------------------------------------------


@pytest.mark.django_db
def test_manifest_static_files_after_collectstatic(tmp_path, client):
    """What `make serve` does: collectstatic with the manifest storage, DEBUG off."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        assert (tmp_path / "staticfiles.json").exists()
        html = client.get("/").content.decode()
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        for name in ("dist/editor.js", "css/app.css", "favicon.svg"):
            assert f"/static/{manifest[name]}" in html
            assert (tmp_path / manifest[name]).exists()
