"""`python manage.py evaluate FILE|- [--attempt ID] [--json] [--no-trace]`.

Exit codes (the contract): 0 every expectation held, 1 one failed, 2 the
document is not a valid scenario.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from evaluator import evaluate, load_scenario, policy_problems, render_result


class Command(BaseCommand):
    help = "Evaluate a scenario document's attempts and print the results."
    # The evaluator needs neither the database nor the URL conf: skip the checks
    # so start-up stays fast (the 12,000-attempt benchmark counts it).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("file", help="scenario JSON file, or - for standard input")
        parser.add_argument(
            "--attempt",
            action="append",
            dest="attempts",
            metavar="ID",
            help="evaluate only this attempt (repeatable)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--no-trace", action="store_true", help="leave the traces out")

    def handle(self, *args, **opts):  # noqa: ANN002, ANN003, ANN201
        name = opts["file"]
        try:
            text = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read()  # noqa: SIM115
        except OSError as exc:
            self._invalid([f"{name}: cannot read the file ({exc.strerror})"])
        loaded = load_scenario(text)
        errors = [p for p in loaded.problems if p.is_error]
        scenario = loaded.scenario
        if scenario is not None and not errors:
            errors = [p for p in policy_problems(scenario) if p.is_error]
            if errors:  # locate them in the text only when there is something to show
                errors = [p for p in policy_problems(scenario, _positions(text)) if p.is_error]
        if scenario is None or errors:
            self._invalid([f"{name}: {p}" for p in errors] or [f"{name}: not a scenario"])
        assert scenario is not None
        wanted = opts["attempts"]
        if wanted:
            unknown = [a for a in wanted if scenario.attempt(a) is None]
            if unknown:
                self._invalid([f"{name}: no attempt with id {a!r}" for a in unknown])
        trace = not opts["no_trace"]
        result = evaluate(
            scenario,
            now=datetime.now(UTC),
            attempt_ids=wanted,
            trace=trace,
            workers=os.cpu_count() or 1,  # large independent batches use every core
        )
        if opts["json"]:
            payload = {"attempts": [r.as_dict(trace=trace) for r in result.results]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            for r in result.results:
                self.stdout.write(render_result(r, trace=trace) + "\n")
            checked = [r for r in result.results if r.passed is not None]
            failed = [r for r in checked if not r.passed]
            self.stdout.write(f"{len(checked) - len(failed)} passed, {len(failed)} failed")
        if any(r.passed is False for r in result.results):
            sys.exit(1)

    def _invalid(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        sys.exit(2)


def _positions(text: bytes):  # noqa: ANN202
    from evaluator.core.jsonpos import decode_text, positions

    try:
        return positions(decode_text(text))
    except ValueError:
        return None


__all__ = ["Command", "CommandError"]
