"""Server time per interaction for an N-account scenario, run by hand.

    .venv/bin/python bench/web.py [--rounds 20] [--accounts 5]

Builds a scenario of N accounts x 10 nodes (3 users, 3 roles, 2 keys, 2
buckets each, so 5 accounts are 50 nodes, 20 are 200, 40 are 400) with
policies, grants and attempts, then times, through Django's test client (the
whole request: middleware, view, evaluator, template), the interactions that
must feel instant: render the canvas, save a policy with everything the page
then shows recomputed (canvas arrows, every attempt's badge, the decision
diff), run an attempt, the full page. Prints the median and the slowest round
of each. It is not a timed test.
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

from django.template.base import Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    _TestState,
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

HX = {"HTTP_HX_REQUEST": "true"}


def account_ids(n: int) -> list[str]:
    return [f"{100000000000 + 111111111 * i:012d}" for i in range(1, n + 1)]


ACCOUNTS = account_ids(5)


def scenario(n_accounts: int = 5) -> dict:
    """N accounts, each with 3 users, 3 roles, 2 keys and 2 buckets: 10 N nodes."""
    global ACCOUNTS
    ACCOUNTS = account_ids(n_accounts)
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
    for n, account in enumerate(ACCOUNTS):  # an encrypt and a decrypt per account
        tag = "" if n == 0 else f"-{n}"
        doc["attempts"] += [
            {
                "id": "enc" + tag,
                "principal": f"arn:aws:iam::{account}:user/user0",
                "action": "kms:Encrypt",
                "resource": f"arn:aws:kms:us-east-1:{account}:key/k{n}-0",
                "plaintext": "hello",
            },
            {
                "id": "dec" + tag,
                "principal": f"arn:aws:iam::{account}:user/user0",
                "action": "kms:Decrypt",
                "ciphertext": {"from_attempt": "enc" + tag},
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


def timed(fn, rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per round. On a shared machine the CPU
    time (this process only) is the figure that does not count waiting for a core."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=5, help="10 nodes each (default 5)")
    args = parser.parse_args()

    from django.db import connection
    from django.test.utils import get_runner  # noqa: F401

    setup_test_environment()
    # The test environment also swaps in a template renderer that signals every
    # template drawn (for assertTemplateUsed) and makes the test client copy each
    # context: test machinery a server never runs, a tenth of a page's time.
    Template._render = _TestState.saved_data.template_render
    old_name = connection.creation.create_test_db(verbosity=0)
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=storages, DEBUG=False):
            run(args.rounds, args.accounts)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(rounds: int, n_accounts: int) -> None:
    client = Client()
    base = client.post("/new/")["Location"]
    doc = scenario(n_accounts)
    response = client.post(base + "import/", {"text": json.dumps(doc)}, **HX)
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

    def save_and_recompute():
        # What the page asks for after a save: the canvas and the attempts list
        # (each decided on the new revision), and the decision diff.
        save_policy()
        for part in ("canvas/", "attempts/", "changes/"):
            response = client.get(base + part, **HX)
        return response

    def run_attempt():
        return client.post(base + "attempts/run/", {"attempt": "dec"}, **HX)

    def full_page():
        return client.get(base)

    nodes = sum(len(doc[k]) for k in ("principals", "keys", "buckets"))
    print(
        f"{n_accounts} accounts, {nodes} nodes, {len(doc['attempts'])} attempts; "
        f"{rounds} rounds each (ms; wall median / slowest, CPU median; "
        f"load {os.getloadavg()[0]:.1f})"
    )
    cases = [
        ("render canvas (verdicts cached)", render_canvas),
        ("save a key policy, everything recomputed", save_and_recompute),
        ("save a key policy (request only)", save_policy),
        ("run an attempt (encrypt + decrypt, traced)", run_attempt),
        ("full workspace page", full_page),
    ]
    for label, fn in cases:
        fn()  # warm up
        wall, cpu = timed(fn, rounds)
        print(
            f"  {label:<46} {statistics.median(wall):7.1f} / {max(wall):7.1f}"
            f"   cpu {statistics.median(cpu):7.1f}"
        )


if __name__ == "__main__":
    main()
