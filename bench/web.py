"""Server time per interaction for a 50-node scenario, run by hand.

    .venv/bin/python bench/web.py [--rounds 20]

Builds a scenario of 5 accounts x 10 nodes (users, roles, keys, buckets) with
policies, grants and attempts, then times, through Django's test client (the
whole request: middleware, view, evaluator, template), the three interactions
that must feel instant: render the canvas, save a policy, run an attempt.
Prints the median and the slowest round of each. It is not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

ACCOUNTS = ["111122223333", "444455556666", "777788889999", "123456789012", "210987654321"]
HX = {"HTTP_HX_REQUEST": "true"}


def scenario() -> dict:
    """5 accounts, each with 3 users, 3 roles, 2 keys and 2 buckets: 50 nodes."""
    doc: dict = {"format": 1, "title": "Bench", "accounts": [], "principals": [], "keys": []}
    doc["buckets"], doc["attempts"] = [], []
    for n, account in enumerate(ACCOUNTS):
        doc["accounts"].append({"id": account, "name": f"Account {n}"})
        key_arns = [f"arn:aws:kms:us-east-1:{account}:key/k{n}-{i}" for i in range(2)]
        for i in range(3):
            doc["principals"].append(
                {
                    "type": "user",
                    "account": account,
                    "name": f"user{i}",
                    "policies": [
                        {
                            "name": "UseKeys",
                            "policy": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "kms:Decrypt",
                                        "Resource": key_arns,
                                    }
                                ],
                            },
                        }
                    ],
                }
            )
            doc["principals"].append(
                {
                    "type": "role",
                    "account": account,
                    "name": f"role{i}",
                    "trust_policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "sts:AssumeRole",
                                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNTS[0]}:root"},
                            }
                        ],
                    },
                }
            )
        for i in range(2):
            doc["keys"].append(
                {
                    "id": f"k{n}-{i}",
                    "account": account,
                    "aliases": [f"alias/key{i}"],
                    "policy": key_policy(account),
                    "grants": [
                        {
                            "id": f"g{n}{i}",
                            "grantee": f"arn:aws:iam::{account}:role/role0",
                            "operations": ["Decrypt"],
                        }
                    ],
                }
            )
            doc["buckets"].append(
                {
                    "name": f"bucket-{n}-{i}",
                    "account": account,
                    "default_encryption": {"algorithm": "aws:kms", "key": key_arns[i]},
                    "objects": [{"key": "report.csv"}],
                }
            )
    user = f"arn:aws:iam::{ACCOUNTS[0]}:user/user0"
    key = f"arn:aws:kms:us-east-1:{ACCOUNTS[0]}:key/k0-0"
    doc["attempts"] = [
        {
            "id": "enc",
            "principal": user,
            "action": "kms:Encrypt",
            "resource": key,
            "plaintext": "hello",
        },
        {
            "id": "dec",
            "principal": user,
            "action": "kms:Decrypt",
            "ciphertext": {"from_attempt": "enc"},
        },
    ]
    return doc


def key_policy(account: str, extra: str = "") -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Root" + extra,
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = fn()
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from django.db import connection
    from django.test.utils import get_runner  # noqa: F401

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=storages, DEBUG=False):
            run(args.rounds)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(rounds: int) -> None:
    client = Client()
    base = client.post("/new/")["Location"]
    response = client.post(base + "import/", {"text": json.dumps(scenario())}, **HX)
    assert response.status_code == 204, response.content[:500]
    key = f"arn:aws:kms:us-east-1:{ACCOUNTS[0]}:key/k0-0"
    counter = iter(range(10**6))

    def render_canvas():
        return client.get(base + "canvas/", **HX)

    def save_policy():
        text = json.dumps(key_policy(ACCOUNTS[0], str(next(counter))), indent=2)
        return client.post(
            base + "policies/save/",
            {"ref": key, "path": "/policy", "text": text},
            HTTP_ACCEPT="application/json",
        )

    def run_attempt():
        return client.post(base + "attempts/run/", {"attempt": "dec"}, **HX)

    def full_page():
        return client.get(base)

    print(f"50-node scenario, {rounds} rounds each (ms; median / slowest)")
    cases = [
        ("render canvas (access arrows cached)", render_canvas),
        ("save a key policy (then canvas redraw)", lambda: (save_policy(), render_canvas())[1]),
        ("save a key policy (request only)", save_policy),
        ("run an attempt (encrypt + decrypt, traced)", run_attempt),
        ("full workspace page", full_page),
    ]
    for label, fn in cases:
        fn()  # warm up
        times = timed(fn, rounds)
        print(f"  {label:<46} {statistics.median(times):7.1f} / {max(times):7.1f}")


if __name__ == "__main__":
    main()
