"""Wildcard benchmark: run by hand, prints figures (not a timed test).

    .venv/bin/python bench/wildcard.py [--repeat 3]

For each hostile shape of `*` / `?` pattern, the time to compile and match it
against a text of twice the pattern's size, at doubling sizes. Linear growth
shows as a roughly constant "us per 1k chars" column (time / (pattern + text)).
The last table runs the issue's case end to end: a key policy with StringLike on
kms:EncryptionContext:<key> and an Encrypt attempt carrying the long value,
traced, through load_scenario and evaluate.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import evaluator
from evaluator.core.wildcard import _build

SIZES = (2_500, 5_000, 10_000, 20_000, 40_000)

# name -> (pattern of size about n, text of size about 2n); every one must scan the text.
SHAPES = {
    "*a..a?b (issue)": (lambda n: "*" + "a" * n + "?b", lambda n: "a" * (2 * n)),
    "*a..a?b* middle": (lambda n: "*" + "a" * n + "?b*", lambda n: "a" * (2 * n)),
    "*?..?b* middle": (lambda n: "*" + "?" * n + "b*", lambda n: "a" * (2 * n)),
    "*a..ab* no ?": (lambda n: "*" + "a" * n + "b*", lambda n: "a" * (2 * n)),
    "(*a?)^k b": (lambda n: "*a?" * (n // 3) + "b", lambda n: "a" * (2 * n) + "b"),
    "(*a)^k *b": (lambda n: "*a" * (n // 2) + "*b", lambda n: "a" * (2 * n) + "b"),
    "*ab?ab?..c* ": (lambda n: "*" + "ab?" * (n // 3) + "c*", lambda n: "ab" * n),
    "*a?a?..b* worst": (lambda n: "*" + "a?" * (n // 2) + "b*", lambda n: "a" * (2 * n)),
}


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def matcher_table(repeat: int) -> None:
    print("matcher: compile + match, best of", repeat)
    print(f"{'shape':<20}" + "".join(f"{n:>16,}" for n in SIZES))
    for name, (make_pattern, make_text) in SHAPES.items():
        cells = []
        for n in SIZES:
            pattern, text = make_pattern(n), make_text(n)
            seconds = best(lambda p=pattern, t=text: _build(p, False).match(t), repeat)
            per_k = seconds * 1e6 / ((len(pattern) + len(text)) / 1000)
            cells.append(f"{seconds * 1000:7.2f}ms {per_k:5.1f}")
        print(f"{name:<20}" + "".join(f"{c:>16}" for c in cells))
    print("(each cell: milliseconds, then microseconds per 1,000 characters of pattern + text)")


KEY = "arn:aws:kms:us-east-1:111122223333:key/700cb452-b5a9-5a82-980e-097648e66f9c"


def issue_document(n: int) -> dict:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
                "Action": "kms:Encrypt",
                "Resource": "*",
                "Condition": {"StringLike": {"kms:EncryptionContext:k": "*" + "a" * n + "?b"}},
            }
        ],
    }
    return {
        "format": 1,
        "accounts": [{"id": "111122223333"}],
        "principals": [{"type": "user", "account": "111122223333", "name": "alice"}],
        "keys": [{"id": KEY.rsplit("/", 1)[1], "account": "111122223333", "policy": policy}],
        "attempts": [
            {
                "id": "long-context",
                "principal": "arn:aws:iam::111122223333:user/alice",
                "action": "kms:Encrypt",
                "resource": KEY,
                "plaintext": "x",
                "encryption_context": {"k": "a" * (2 * n)},
            }
        ],
    }


def end_to_end_table(repeat: int) -> None:
    print("\nend to end: load_scenario + evaluate (traced), StringLike on a long context value")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for n in SIZES[:4]:
        doc = issue_document(n)

        def run(doc=doc):
            loaded = evaluator.load_scenario(doc)
            assert loaded.ok, loaded.problems
            (result,) = evaluator.evaluate(loaded.scenario, now=now, rng=os.urandom).results
            return result.authorization

        seconds = best(run, repeat)
        print(f"  pattern {n + 3:>7,} chars, value {2 * n:>7,} chars: {seconds * 1000:8.1f} ms")


def budget_table() -> None:
    # The largest worst-shape pattern a 32 KB key policy holds, against a context
    # value as large as a 2 MB upload: how long one match runs, and how soon a
    # request's time budget ends it (the matcher polls the budget's clock).
    print("\nworst shape at the size limits: one match, alone and under a time budget")
    pattern, text = "*" + "a?" * 16_000 + "b*", "a" * 2_000_000
    start = time.perf_counter()
    _build(pattern, False).match(text)
    print(f"  no budget:           {time.perf_counter() - start:6.3f} s (the whole match)")
    for limit in (0.05, 0.25):
        budget = evaluator.Budget(seconds=limit, clock=time.monotonic)
        start = time.perf_counter()
        try:
            with budget.watching():
                budget.start()
                _build(pattern, False).match(text)
        except evaluator.BudgetExceeded:
            pass
        stopped = time.perf_counter() - start
        print(f"  budget {limit:4.2f} s:       {stopped:6.3f} s until it stopped")


def many_values_document(patterns: int, keys: int) -> dict:
    """ForAllValues:StringLike of `patterns` patterns over `keys` encryption-context keys,
    every key matching only the last pattern: keys x patterns matches in one clause."""
    doc = issue_document(1)
    condition = {"kms:EncryptionContextKeys": [f"*x{i}y*" for i in range(patterns)]}
    doc["keys"][0]["policy"]["Statement"][0]["Condition"] = {"ForAllValues:StringLike": condition}
    last = patterns - 1
    doc["attempts"][0]["encryption_context"] = {f"x{last}y-{i}": "v" for i in range(keys)}
    return doc


def many_values_table() -> None:
    print("\nForAllValues: context keys x patterns in one clause, one evaluate (trace off)")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for patterns, keys in ((100, 1_000), (200, 2_000), (400, 4_000), (800, 8_000)):
        loaded = evaluator.load_scenario(many_values_document(patterns, keys))
        assert loaded.ok, loaded.problems
        cells = []
        for limit in (None, 2.0):
            budget = evaluator.Budget(seconds=limit, clock=time.monotonic)
            start = time.perf_counter()
            evaluation = evaluator.evaluate(
                loaded.scenario, now=now, trace=False, rng=os.urandom, budget=budget
            )
            took = time.perf_counter() - start
            stopped = any(p.code == "evaluation.budget" for p in evaluation.problems)
            cells.append(f"{took:6.2f} s{' (stopped)' if stopped else ''}")
        pairs = patterns * keys
        shape = f"{patterns:>4} x {keys:>5,} = {pairs:>9,} pairs"
        print(f"  {shape}: alone {cells[0]}, 2 s budget {cells[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    matcher_table(args.repeat)
    end_to_end_table(args.repeat)
    budget_table()
    many_values_table()


if __name__ == "__main__":
    main()
