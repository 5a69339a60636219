"""Settings shared by the whole suite.

The suite runs with DEBUG off, like production, but without needing
`collectstatic`: static files come straight from the finders (static/ and the
apps), through plain StaticFilesStorage, and STATIC_ROOT is an empty temporary
folder. A file that no finder has (e.g. an unbuilt static/dist/editor.js) is
a 404, which the browser tests turn into a failure.
"""

from __future__ import annotations

import pytest
from django.test.utils import override_settings


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a database file, as the server does, not a shared in-memory one.

    With a file, every thread of the live server (browser tests) and of the
    concurrency tests has a connection of its own, locked as in production
    (WAL, IMMEDIATE writers, busy timeout); an in-memory database shared by
    threads answers "table is locked" instead.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_finders(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=static_root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=False,
        # The suite makes many copies from one address; tests of the limits set their own.
        RATE_LIMITS={"new": None, "fork": None, "share": None},
    ):
        yield
