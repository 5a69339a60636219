"""Django settings for KMS Playground, read from the environment.

SECRET_KEY    the key; if unset, one is generated once into .secret_key
DEBUG         1/true/yes/on turns debug on; off otherwise
ALLOWED_HOSTS comma list, default "127.0.0.1,localhost,testserver"
CSRF_TRUSTED_ORIGINS  comma list of origins (e.g. https://kms.example.org)
DATABASE_URL  default sqlite:///<project>/db.sqlite3; postgres:// URLs work
SECURE_HTTPS  1 when served over HTTPS: redirect to https, HSTS, secure cookies
HSTS_SECONDS  HSTS max-age with SECURE_HTTPS (default one year)
BEHIND_PROXY  1 when a proxy in front sets X-Forwarded-Proto (and -For)
RATE_LIMIT_NEW, RATE_LIMIT_FORK, RATE_LIMIT_SHARE  per client, e.g. 30/10m, or off
COPY_STORAGE_LIMIT_KB  what one working copy may store, undo history included
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from playground.envconf import (
    env_bool,
    env_int,
    env_list,
    env_number,
    env_rate,
    secret_key_from_file,
)

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
    "playground.headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "playground.engine.RequestBudget",
    "playground.predict.KeepMode",
    "playground.keystore.ReadsWriteNothing",
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
                "playground.headers.csp_nonce",
                "playground.predict.context",
            ],
            "builtins": [
                "playground.templatetags.revision",
                "playground.templatetags.links",
                "playground.templatetags.data",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers never wait for the writer (WAL); a writer takes the lock when its
    # transaction begins (IMMEDIATE), so it waits its turn instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
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
# What one client may make, and what one working copy may store.
RATE_LIMITS = {
    "new": env_rate("RATE_LIMIT_NEW", "30/10m"),
    "fork": env_rate("RATE_LIMIT_FORK", "30/10m"),
    "share": env_rate("RATE_LIMIT_SHARE", "60/10m"),
}
COPY_STORAGE_LIMIT_KB = env_int("COPY_STORAGE_LIMIT_KB", 4096)

# Messages and the session (predict mode's score) live in signed cookies, never
# in a table: a GET writes nothing, even one that reveals and scores a guess.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

# Behind HTTPS (SECURE_HTTPS=1): what `manage.py check --deploy` asks for.
SECURE_HTTPS = env_bool("SECURE_HTTPS")
if SECURE_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# BEHIND_PROXY=1: a proxy in front (nginx, a load balancer) says, in
# X-Forwarded-Proto, whether the client came over HTTPS.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Django prints errors to the console only in debug; in production (gunicorn)
# send warnings and errors to stderr too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": [] if DEBUG else ["stderr"], "level": "WARNING"},
}
