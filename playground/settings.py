"""Django settings for KMS Playground, read from the environment.

SECRET_KEY    the key; if unset, one is generated once into .secret_key
DEBUG         1/true/yes/on turns debug on; off otherwise
ALLOWED_HOSTS comma list, default "127.0.0.1,localhost,testserver"
CSRF_TRUSTED_ORIGINS  comma list of origins (e.g. https://kms.example.org)
DATABASE_URL  default sqlite:///<project>/db.sqlite3; postgres:// URLs work
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from playground.envconf import env_bool, env_list, env_number, secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key_from_file(BASE_DIR / ".secret_key")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "evaluator",
    "playground",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "playground.urls"
WSGI_APPLICATION = "playground.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "playground.predict.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Scenario documents are posted as JSON text; 2 MB is far above any real one.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# One request's evaluation budget: past it the evaluation stops with a clear
# error (well before gunicorn's 30-second worker timeout). Steps: authorizations
# weighed by their statements; 0 or unset means no step limit.
EVALUATION_SECONDS = env_number("EVALUATION_SECONDS", 10.0)
EVALUATION_STEPS = int(env_number("EVALUATION_STEPS", 0)) or None

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Django prints errors to the console only in debug; in production (gunicorn)
# send warnings and errors to stderr too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": [] if DEBUG else ["stderr"], "level": "WARNING"},
}
