"""The `evaluate` command line, with no Django in it, and its batch fast path.

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
import pickle
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from evaluator.core.attempts import run_attempt
from evaluator.core.compiled import compile_scenario, policy_problems
from evaluator.core.crypto import MemoryMaterial, Random
from evaluator.core.engine import Evaluation, evaluate
from evaluator.core.jsonpos import decode_text, positions
from evaluator.core.loader import load_scenario
from evaluator.core.model import Attempt, Scenario
from evaluator.core.render import render_result
from evaluator.core.runtime import Env
from evaluator.core.trace import NULL_TRACER, AttemptResult, Decision
from evaluator.core.world import World


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
    now = datetime.now(UTC)
    if args.json and not trace and not args.attempts:
        # Large independent JSON batches without traces use every core.
        result = evaluate_batch(scenario, now=now, workers=os.cpu_count() or 1)
    else:
        result = evaluate(scenario, now=now, attempt_ids=args.attempts, trace=trace)
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
    code = run(sys.argv[1:] if argv is None else argv)
    # And it leaves without freeing it all object by object (the compile cache
    # holds the scenario and its World): about 0.2 s of a 12,000-attempt run.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# ----------------------------------------------------------------------------- the batch path


def evaluate_batch(
    scenario: Scenario, *, now: datetime, workers: int, rng: Random = os.urandom
) -> Evaluation:
    """`evaluate(trace=False)` for the command's `--json --no-trace`: a batch of
    PARALLEL_FROM or more attempts that do not depend on each other (no attempt
    uses another's output or changes grants) runs in `workers` forked processes.
    Results made by the other processes carry authorization, outcome, warnings
    and rule, not the reason and fixes, which go with a trace (sending them back
    costs as much as computing them)."""
    world = compile_scenario(scenario)
    if workers > 1 and not any(p.is_error for p in world.problems):
        batch = _in_parallel(world, scenario, now, rng, workers)
        if batch is not None:
            return Evaluation(batch, tuple(world.problems))
    return evaluate(scenario, now=now, trace=False, rng=rng)


# Attempts that change what later attempts see keep a batch in one process.
_STATEFUL = frozenset({"kms:creategrant", "kms:retiregrant", "kms:revokegrant"})
PARALLEL_FROM = 2000
_FORKED: tuple[World, datetime, Random] | None = None


def _reads_what_it_writes(attempts: tuple[Attempt, ...]) -> bool:
    """An S3 object written by one attempt and read by another keeps the batch in
    one process: the reader needs the key the writer recorded (R8.7)."""
    written: set[str | None] = set()
    read: set[str | None] = set()
    for a in attempts:
        action = a.action.lower()
        if action == "s3:putobject":
            written.add(a.resource)
        elif action == "s3:copyobject":
            written.add(a.destination)
            read.add(a.resource)
        elif action in ("s3:getobject", "s3:replicateobject"):
            read.add(a.resource)
    return not written.isdisjoint(read)


def _in_parallel(
    world: World, scenario: Scenario, now: datetime, rng: Random, workers: int
) -> tuple[AttemptResult, ...] | None:
    attempts = scenario.attempts
    if len(attempts) < PARALLEL_FROM or not hasattr(os, "fork"):
        return None
    if any(a.ciphertext_from or a.action.lower() in _STATEFUL for a in attempts):
        return None
    if _reads_what_it_writes(attempts):
        return None
    global _FORKED
    _FORKED = (world, now, rng)
    size = -(-len(attempts) // workers)
    spans = [(i, min(i + size, len(attempts))) for i in range(0, len(attempts), size)]
    try:
        # Plain fork, not a Pool: a Pool's feeder thread would wait for the GIL
        # while the parent computes. The parent takes the first span itself.
        children = [_fork(span) for span in spans[1:]]
        first = _run_span(spans[0])
        rest = [_collect(child) for child in children]
    finally:
        _FORKED = None
    unpacked = (
        _unpack(a, row)
        for part, (i, j) in zip(rest, spans[1:], strict=True)
        for a, row in zip(attempts[i:j], part, strict=True)
    )
    return tuple(first) + tuple(unpacked)


def _fork(span: tuple[int, int]) -> tuple[int, str, tuple[int, int]]:
    fd, path = tempfile.mkstemp(prefix="kms-playground-batch-")
    pid = os.fork()
    if pid == 0:  # the child: compute, write, leave without running any cleanup
        code = 1
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump(_run_packed(span), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(fd)
    return pid, path, span


def _collect(child: tuple[int, str, tuple[int, int]]) -> list[tuple[object, ...]]:
    pid, path, span = child
    try:
        _, status = os.waitpid(pid, 0)
        if status == 0:
            with open(path, "rb") as fh:
                return pickle.load(fh)  # our own child's output, never outside data
        # A child that failed: do its share here rather than lose it.
        return _run_packed(span)
    finally:
        os.unlink(path)


def _run_span(span: tuple[int, int]) -> list[AttemptResult]:
    assert _FORKED is not None  # set by the parent before forking
    world, now, rng = _FORKED
    env = Env(world, now, MemoryMaterial(rng), rng, False, explain=False)
    return [run_attempt(env, a, NULL_TRACER) for a in world.scenario.attempts[span[0] : span[1]]]


def _run_packed(span: tuple[int, int]) -> list[tuple[object, ...]]:
    """A worker's results as plain tuples: they cross the pipe far faster than
    dataclasses and long explanation strings; the parent knows the attempts."""
    return [
        (r.authorization, r.outcome, r.passed, r.warnings, r.decision.rule, r.output)
        for r in _run_span(span)
    ]


def _unpack(attempt: Attempt, row: tuple) -> AttemptResult:
    auth, outcome, passed, warnings, rule, output = row
    return AttemptResult(
        id=attempt.id,
        title=attempt.title or "",
        action=attempt.action,
        authorization=auth,
        outcome=outcome,
        expect=attempt.expect,
        passed=passed,
        warnings=warnings,
        trace=(),
        decision=Decision(auth, outcome, "", (), rule),
        output=output,
    )
