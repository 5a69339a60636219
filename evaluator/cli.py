"""The `evaluate` command line, with no Django in it.

`python manage.py evaluate FILE|- [--attempt ID] [--json] [--no-trace]` runs
this (manage.py hands the command over before Django starts, since the
evaluator needs neither settings nor a database; the Django management command
of the same name wraps it too). Exit codes, as the contract says: 0 every
expectation held, 1 one failed, 2 the document is not a valid scenario.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from evaluator.core.engine import evaluate, policy_problems
from evaluator.core.jsonpos import decode_text, positions
from evaluator.core.loader import load_scenario
from evaluator.core.model import Scenario
from evaluator.core.render import render_result


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="manage.py evaluate",
        description="Evaluate a scenario document's attempts and print the results.",
    )
    p.add_argument("file", help="scenario JSON file, or - for standard input")
    p.add_argument(
        "--attempt",
        action="append",
        dest="attempts",
        metavar="ID",
        help="evaluate only this attempt (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-trace", action="store_true", help="leave the traces out")
    return p


class Invalid(Exception):
    """The input is not a valid scenario; each line names what and where."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def read_scenario(name: str, stdin: TextIO) -> Scenario:
    try:
        if name == "-":
            text = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
        else:
            with open(name, "rb") as fh:
                text = fh.read()
    except OSError as exc:
        raise Invalid([f"{name}: cannot read the file ({exc.strerror})"]) from exc
    loaded = load_scenario(text)
    errors = [p for p in loaded.problems if p.is_error]
    scenario = loaded.scenario
    if scenario is not None and not errors and any(p.is_error for p in policy_problems(scenario)):
        # Locate policy errors in the text only when there is something to show.
        try:
            where = positions(decode_text(text))
        except ValueError:
            where = None
        errors = [p for p in policy_problems(scenario, where) if p.is_error]
    if scenario is None or errors:
        raise Invalid([f"{name}: {p}" for p in errors] or [f"{name}: not a scenario"])
    return scenario


def run(
    argv: Sequence[str],
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
) -> int:
    args = parser().parse_args(list(argv))
    try:
        scenario = read_scenario(args.file, stdin)
        unknown = [a for a in args.attempts or () if scenario.attempt(a) is None]
        if unknown:
            raise Invalid([f"{args.file}: no attempt with id {a!r}" for a in unknown])
    except Invalid as exc:
        for line in exc.lines:
            print(line, file=stderr)
        return 2
    trace = not args.no_trace
    result = evaluate(
        scenario,
        now=datetime.now(UTC),
        attempt_ids=args.attempts,
        trace=trace,
        # Large independent JSON batches without traces use every core.
        workers=(os.cpu_count() or 1) if args.json and not trace else 1,
    )
    if args.json:
        payload = {"attempts": [r.as_dict(trace=trace) for r in result.results]}
        stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        for r in result.results:
            stdout.write(render_result(r, trace=trace) + "\n")
        checked = [r for r in result.results if r.passed is not None]
        failed = [r for r in checked if not r.passed]
        stdout.write(f"{len(checked) - len(failed)} passed, {len(failed)} failed\n")
    return 1 if any(r.passed is False for r in result.results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    # A one-shot process: everything it loads lives to the end, so the cyclic
    # collector would only keep walking it while thousands of results are made.
    gc.disable()
    return run(sys.argv[1:] if argv is None else argv)
