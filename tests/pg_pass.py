"""The PostgreSQL pass of `make test`: the database-facing tests again, on PostgreSQL.

    python tests/pg_pass.py [pytest args]

POSTGRES_TEST_URL names the server (default
postgres://kms:kms@127.0.0.1:5432/kms; the role needs CREATEDB, since the
tests run in a fresh test_<name> database). Only tests/playground and
tests/browser run: they are the ones that talk to the database (the
evaluator's tests and the case tables never do). When the server cannot be
reached the pass is skipped, saying so, unless REQUIRE_POSTGRES=1 (CI sets
it): then it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg

DEFAULT_URL = "postgres://kms:kms@127.0.0.1:5432/kms"
SUITES = ["tests/playground", "tests/browser"]
ROOT = Path(__file__).resolve().parents[1]


def reachable(url: str) -> str:
    """Empty if a connection works, else why not (one line)."""
    db = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname=db["NAME"] or "postgres",
            connect_timeout=5,
        ):
            return ""
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def main(args: list[str]) -> int:
    url = os.environ.get("POSTGRES_TEST_URL") or DEFAULT_URL
    shown = dj_database_url.parse(url)
    where = f"{shown['USER']}@{shown['HOST']}:{shown['PORT']}/{shown['NAME']}"
    problem = reachable(url)
    if problem:
        if os.environ.get("REQUIRE_POSTGRES", "").lower() in ("1", "true", "yes", "on"):
            print(f"PostgreSQL pass FAILED: {where} cannot be reached ({problem}).", flush=True)
            return 1
        print(
            f"PostgreSQL pass SKIPPED: {where} cannot be reached ({problem}).\n"
            "  Set POSTGRES_TEST_URL to a server whose role may create databases to run it.",
            flush=True,
        )
        return 0
    print(f"PostgreSQL pass: {' '.join(SUITES)} on {where}", flush=True)
    env = {**os.environ, "DATABASE_URL": url}
    pytest = [sys.executable, "-m", "pytest", *SUITES, *args]
    return subprocess.run(pytest, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
