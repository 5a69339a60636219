# KMS Playground: `make run` to try it, `make test` to check it.
# Needs only Python 3.11+ and Node 20 (npm). Every step is skipped when its
# inputs have not changed (stamp files), so a second `make run` is quick.

PYTHON ?= python3
PORT ?= 8000
WORKERS ?= 3
THREADS ?= 4

VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.requirements.stamp
NODE_STAMP := node_modules/.package-lock.stamp
BUNDLE := static/dist/editor.js
MANIFEST := staticfiles/staticfiles.json
FRONTEND_SRC := $(shell find frontend -type f 2>/dev/null)
STATIC_SRC := $(shell find static -type f -not -path 'static/dist/*' 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help setup run serve test lint format clean

help:
	@echo "make run     start the dev server on http://127.0.0.1:$(PORT)/ (DEBUG on)"
	@echo "make serve   start gunicorn on http://127.0.0.1:$(PORT)/ (DEBUG off)"
	@echo "make test    ruff, import contracts, the whole pytest suite (browser included), PostgreSQL pass"
	@echo "make lint    ruff check, ruff format --check, lint-imports, mypy (evaluator/)"
	@echo "make format  ruff format"
	@echo "make clean   remove .venv, node_modules and built files (keeps db.sqlite3, .secret_key)"

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $@

$(BUNDLE): $(NODE_STAMP) $(FRONTEND_SRC)
	npm run build
	touch $@

$(MANIFEST): $(PIP_STAMP) $(BUNDLE) $(STATIC_SRC)
	$(PY) manage.py collectstatic --noinput --clear -v 0
	touch $@

setup: $(PIP_STAMP) $(BUNDLE) $(MANIFEST)
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py loadexamples

run: setup
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: setup
	DEBUG=0 $(VENV)/bin/gunicorn playground.wsgi --bind 127.0.0.1:$(PORT) \
		--workers $(WORKERS) --threads $(THREADS) --keep-alive 5 \
		--no-control-socket --access-logfile -

lint: $(PIP_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The whole suite on SQLite, then the database-facing tests on PostgreSQL
# (tests/pg_pass.py: skipped, saying so, when no server can be reached,
# unless REQUIRE_POSTGRES=1).
test: $(PIP_STAMP) $(BUNDLE) lint
	$(VENV)/bin/pytest
	$(PY) tests/pg_pass.py

format: $(PIP_STAMP)
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles test-artifacts \
		.pytest_cache .ruff_cache .hypothesis .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
