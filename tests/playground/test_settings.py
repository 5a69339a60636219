"""playground/settings.py: defaults, the environment, production static files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

ROOT = Path(__file__).resolve().parents[2]


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
