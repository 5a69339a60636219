"""Evaluator benchmark: run by hand, prints figures (not a timed test).

    .venv/bin/python bench/bench_evaluator.py            # everything, ~3-4 minutes
    .venv/bin/python bench/bench_evaluator.py --quick    # skip the 1,000-principal part
    .venv/bin/python bench/bench_evaluator.py --profile  # add a cProfile of trace-off runs

Figures (see bench/README.md for what each means):

(a) wall time of `python manage.py evaluate FILE --json --no-trace` as a
    subprocess, best of N, start-up included, for the 100-principal scenario
    (12,000 attempts), next to the same command on a near-empty scenario (the
    start-up share) and a bare interpreter; then where the time goes, phase by
    phase, in one process doing what the command does;
(b) in-process evaluations per second, `evaluate(scenario, now=..., trace=False)`
    and `trace=True`, policies already compiled;
(c) the cost of compiling policies once: first `evaluate` on a freshly loaded
    scenario against the second;
(d) peak memory for a 1,000-principal scenario (120,000 attempts, trace off):
    ru_maxrss of the `manage.py evaluate` subprocess, ru_maxrss of a child that
    loads and evaluates it in-process, and tracemalloc's figures in a third
    child (tracemalloc makes it several times slower).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_scenario import dump, generate  # noqa: E402

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LIMIT_S = 1.5


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def write_scenario(workdir: Path, principals: int, keys: int) -> Path:
    path = workdir / f"bench-{principals}x{keys}.json"
    if not path.exists():
        path.write_text(dump(generate(principals, keys), compact=False), encoding="utf-8")
    return path


def child_env() -> dict[str, str]:
    """The environment of every measured command: this one's, with Python's bytecode
    cache on (PYTHONDONTWRITEBYTECODE=1 makes each run compile every module again,
    about 0.1 s of start-up, which no user of the command pays twice)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(argv: list[str], timeout: float) -> tuple[float, int, bytes]:
    """(wall seconds, exit code, stderr) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=child_env(),
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return time.perf_counter() - start, proc.returncode, err


# Run a command as a grandchild and report its rusage. A child spawned straight from
# this (by then large) process would inherit our peak RSS: Linux keeps the
# parent's high-water mark across vfork + exec, so ru_maxrss would be ours.
LAUNCHER = r"""
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    if sys.argv[1] == "quiet":
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
report = {"wall": time.perf_counter() - start, "code": os.waitstatus_to_exitcode(status),
          "maxrss_kib": usage.ru_maxrss}
print("RUSAGE " + json.dumps(report), file=sys.stderr)
"""


def run_child_rusage(argv: list[str], quiet: bool = True) -> tuple[dict, bytes]:
    """({wall, code, maxrss_kib}, stdout) of one command, run under LAUNCHER."""
    mode = "quiet" if quiet else "pass"
    proc = subprocess.run(
        [python(), "-c", LAUNCHER, mode, *argv],
        cwd=ROOT,
        capture_output=True,
        check=False,
        env=child_env(),
    )
    lines = proc.stderr.decode(errors="replace").splitlines()
    report = next((ln for ln in reversed(lines) if ln.startswith("RUSAGE ")), None)
    if report is None:
        raise SystemExit(f"{' '.join(argv)} failed:\n" + "\n".join(lines[-20:]))
    return json.loads(report[len("RUSAGE ") :]), proc.stdout


def best_of(argv: list[str], repeat: int, timeout: float = 120) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        wall, code, err = run_child(argv, timeout)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n{err.decode(errors='replace')}")
        times.append(wall)
    return min(times), times


def fmt_times(times: list[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in times)


# ----------------------------------------------------------------------------- (a)


def part_a(scenario: Path, tiny: Path, repeat: int, attempts: int) -> None:
    print(f"(a) `manage.py evaluate FILE --json --no-trace`, best of {repeat}, start-up included")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("    (PYTHONDONTWRITEBYTECODE is set here; the commands run with the bytecode cache)")
    py = python()
    best_of([py, "manage.py", "evaluate", str(tiny), "--json", "--no-trace"], 1)  # the cache
    bare, bare_all = best_of([py, "-c", "pass"], repeat)
    start, start_all = best_of([py, "manage.py", "evaluate", str(tiny), "--json", "--no-trace"], 3)
    full, full_all = best_of(
        [py, "manage.py", "evaluate", str(scenario), "--json", "--no-trace"], repeat
    )
    verdict = "PASS" if full < LIMIT_S else "FAIL"
    print(f"    bare interpreter (python -c pass)      {bare:7.3f} s   [{fmt_times(bare_all)}]")
    print(f"    start-up: same command, near-empty doc {start:7.3f} s   [{fmt_times(start_all)}]")
    print(
        f"    {attempts:,} attempts ({scenario.name})   {full:7.3f} s   [{fmt_times(full_all)}]"
        f"   limit {LIMIT_S} s: {verdict}"
    )
    print(f"    start-up share: {start / full:.0%}; work beyond start-up {full - start:.3f} s")
    phases(scenario)


def phases(scenario: Path) -> None:
    """What the command does, step by step, timed in one fresh process."""
    code = r"""
import json, os, sys, time
t0 = time.perf_counter()
sys.path.insert(0, ".")
import gc
from datetime import UTC, datetime
from evaluator.cli import read_scenario
try:  # the command's own batch path (moved out of the core, into evaluator/cli.py)
    from evaluator.cli import evaluate_batch
except ImportError:
    evaluate_batch = None
    from evaluator.core.engine import evaluate
t1 = time.perf_counter()
scenario = read_scenario(sys.argv[1], sys.stdin)  # load, validate, compile every policy
t2 = time.perf_counter()
gc.freeze()  # as the command does
if evaluate_batch is not None:
    result = evaluate_batch(scenario, now=datetime.now(UTC), workers=os.cpu_count() or 1)
else:
    result = evaluate(scenario, now=datetime.now(UTC), trace=False, workers=os.cpu_count() or 1)
t3 = time.perf_counter()
out = json.dumps({"attempts": [r.as_dict(trace=False) for r in result.results]})
t4 = time.perf_counter()
print(json.dumps({
    "imports (no Django: manage.py hands evaluate over)": t1 - t0,
    "read + load_scenario + compile policies": t2 - t1,
    f"evaluate(trace=False, workers={os.cpu_count()})": t3 - t2,
    "as_dict + json.dumps": t4 - t3, "total": t4 - t0,
}))
"""
    out = subprocess.run(
        [python(), "-c", code, str(scenario)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env=child_env(),
    )
    figures = json.loads(out.stdout)
    total = figures.pop("total")
    print("    phases of the same work in one process (interpreter start not included):")
    for name, secs in figures.items():
        print(f"      {name:<44} {secs:7.3f} s  {secs / total:5.1%}")
    print(f"      {'total':<44} {total:7.3f} s")


# ----------------------------------------------------------------------------- (b), (c)


def load(path: Path):
    from evaluator import load_scenario

    loaded = load_scenario(path.read_bytes())
    if loaded.scenario is None:
        raise SystemExit(f"{path}: {[str(p) for p in loaded.errors]}")
    return loaded.scenario


def timed_evaluate(scenario, trace: bool) -> tuple[float, object]:
    from evaluator import evaluate

    start = time.perf_counter()
    result = evaluate(scenario, now=NOW, trace=trace)
    return time.perf_counter() - start, result


def part_b(path: Path, repeat: int) -> None:
    scenario = load(path)
    n = len(scenario.attempts)
    timed_evaluate(scenario, trace=False)  # compile once, warm caches
    print(f"(b) in-process evaluate(), policies compiled, best of {repeat}, {n:,} attempts")
    for trace in (False, True):
        runs = [timed_evaluate(scenario, trace)[0] for _ in range(repeat)]
        best = min(runs)
        print(
            f"    trace={'on ' if trace else 'off'}  {n / best:9,.0f} evaluations/s"
            f"   {best * 1e6 / n:6.1f} us each   [{fmt_times(runs)} s]"
        )
    _, result = timed_evaluate(scenario, trace=True)
    start = time.perf_counter()
    payload = json.dumps({"attempts": [r.as_dict(trace=True) for r in result.results]})
    ser = time.perf_counter() - start
    steps = sum(len(r.trace) for r in result.results)
    print(
        f"    trace on, serializing the results (as_dict + json.dumps): {ser:.3f} s, "
        f"{len(payload) / 1e6:.1f} MB of JSON, {steps:,} top-level steps"
    )


def part_c(path: Path) -> None:
    from evaluator import policy_problems

    print("(c) compiling policies once per scenario version")
    scenario = load(path)
    first, _ = timed_evaluate(scenario, trace=False)
    second, _ = timed_evaluate(scenario, trace=False)
    fresh = load(path)
    start = time.perf_counter()
    policy_problems(fresh)
    compile_only = time.perf_counter() - start
    start = time.perf_counter()
    policy_problems(fresh)
    cached = time.perf_counter() - start
    n_pol = sum(len(p.policies) + (p.trust_policy is not None) for p in scenario.principals)
    n_pol += len(scenario.keys)
    print(f"    first evaluate (compiles)  {first:7.3f} s")
    print(f"    second evaluate (cached)   {second:7.3f} s")
    print(f"    difference                 {first - second:7.3f} s  (~ compile + warm-up)")
    print(
        f"    policy_problems on a fresh scenario {compile_only:.3f} s "
        f"({n_pol:,} policies), again {cached * 1e3:.2f} ms (cached)"
    )


# ----------------------------------------------------------------------------- (d)


def child_memory(path: str, traced: bool) -> None:
    """Run in a child: load and evaluate (under tracemalloc if asked), print JSON figures."""
    import tracemalloc

    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    scenario = load(Path(path))
    t1 = time.perf_counter()
    after_load, load_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    elapsed, result = timed_evaluate(scenario, trace=False)
    current, eval_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "attempts": len(result.results),
                "load_s": t1 - t0,
                "evaluate_s": elapsed,
                "after_load": after_load,
                "load_peak": load_peak,
                "eval_peak": eval_peak,
                "after_eval": current,
            }
        )
    )


def part_d(path: Path) -> None:
    size = path.stat().st_size
    print(f"(d) peak memory, {path.name} ({size / 1e6:.0f} MB of JSON), trace off")
    py = python()
    cli, _ = run_child_rusage([py, "manage.py", "evaluate", str(path), "--json", "--no-trace"])
    print(
        f"    manage.py evaluate --json --no-trace: {cli['wall']:.1f} s, exit {cli['code']}, "
        f"ru_maxrss {cli['maxrss_kib'] / 1024:.0f} MiB"
    )
    plain, out = run_child_rusage([py, __file__, "--child-memory", str(path)], quiet=False)
    m = json.loads(out)
    print(
        f"    in-process load_scenario + evaluate(trace=False), no tracemalloc: "
        f"load {m['load_s']:.1f} s, evaluate {m['evaluate_s']:.1f} s, "
        f"ru_maxrss {plain['maxrss_kib'] / 1024:.0f} MiB"
    )
    traced, out = run_child_rusage(
        [py, __file__, "--child-memory", str(path), "--tracemalloc"], quiet=False
    )
    m = json.loads(out)
    mib = 1024 * 1024
    print(
        f"    in-process child under tracemalloc (slower than normal): load {m['load_s']:.1f} s, "
        f"evaluate {m['evaluate_s']:.1f} s for {m['attempts']:,} attempts"
    )
    print(
        f"      tracemalloc: scenario loaded {m['after_load'] / mib:.0f} MiB "
        f"(peak while loading {m['load_peak'] / mib:.0f} MiB); peak while evaluating "
        f"{m['eval_peak'] / mib:.0f} MiB; results held {m['after_eval'] / mib:.0f} MiB"
    )
    print(f"      ru_maxrss of that child: {traced['maxrss_kib'] / 1024:.0f} MiB")


# ----------------------------------------------------------------------------- profile


def profile(path: Path, top: int) -> None:
    from evaluator import evaluate

    scenario = load(path)
    evaluate(scenario, now=NOW, trace=False)  # compile outside the profile
    prof = cProfile.Profile()
    prof.enable()
    evaluate(scenario, now=NOW, trace=False)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    print(f"cProfile of evaluate(trace=False) on {path.name}, sorted by tottime, top {top}")
    print(buf.getvalue().replace(str(ROOT) + "/", ""))


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description="KMS Playground evaluator benchmark")
    parser.add_argument("--principals", type=int, default=100)
    parser.add_argument("--big", type=int, default=1000, help="principals for part (d)")
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/kms-bench", help="where scenarios are written")
    parser.add_argument("--quick", action="store_true", help="skip part (d)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile")
    parser.add_argument("--top", type=int, default=25, help="rows of the profile")
    parser.add_argument("--child-memory", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory, args.tracemalloc)
        return 0

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"KMS Playground evaluator benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    scenario = write_scenario(workdir, args.principals, args.keys)
    tiny = write_scenario(workdir, 2, 2)
    attempts = args.principals * args.keys * 6
    print(f"scenario: {scenario} ({scenario.stat().st_size / 1e6:.1f} MB)\n")
    part_a(scenario, tiny, args.repeat, attempts)
    print()
    part_b(scenario, args.repeat)
    print()
    part_c(scenario)
    if not args.quick:
        print()
        part_d(write_scenario(workdir, args.big, args.keys))
    if args.profile:
        print()
        profile(scenario, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
