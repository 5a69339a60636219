"""Loader section: the project's classroom fields, `goals` (a challenge) and `tags`.

Both are optional additions to format 1 (docs/scenario-format.md). The
evaluator never reads them; they are checked here so that a challenge whose
task names a missing attempt, or asks for an answer that does not exist, is
refused with its JSON path like any other mistake.
"""

from __future__ import annotations

import re

from evaluator.core.loader_reader import Reader, got, one_of
from evaluator.core.model import Attempt, Goal, Goals
from evaluator.core.problems import pointer_join
from evaluator.core.vocabulary import EXPECTATIONS

_TAG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
MAX_TASKS = 50


def read_goals(r: Reader, top: dict[str, object], attempts: tuple[Attempt, ...]) -> Goals | None:
    if "goals" not in top:
        return None
    g = r.obj(top["goals"], "/goals", ("tasks", "least_privilege", "intro"))
    if g is None:
        return None
    least = r.boolean(g, "least_privilege", "/goals", False)
    r.string(g, "intro", "/goals")
    items = r.array(g, "tasks", "/goals", required=True)
    if "tasks" in g and isinstance(g["tasks"], list) and not items:
        r.add("scenario.value", "/goals/tasks", "a challenge needs at least one task")
    if len(items) > MAX_TASKS:
        r.add("scenario.value", "/goals/tasks", f"at most {MAX_TASKS} tasks (got {len(items)})")
    ids = {a.id for a in attempts}
    seen: set[str] = set()
    tasks = []
    for item, ptr in items[:MAX_TASKS]:
        t = r.obj(item, ptr, ("attempt", "expect", "task"))
        if t is None:
            continue
        attempt = r.string(t, "attempt", ptr, required=True) or ""
        if attempt and attempt not in ids:
            r.add(
                "scenario.reference",
                pointer_join(ptr, "attempt"),
                f"names no attempt of this scenario (got {got(attempt)})",
            )
        elif attempt:
            where = pointer_join(ptr, "attempt")
            r.once(seen, attempt, where, f'attempt "{attempt}" has two tasks')
        expect = r.string(t, "expect", ptr, required=True) or ""
        if expect and expect not in EXPECTATIONS:
            r.add(
                "scenario.value",
                pointer_join(ptr, "expect"),
                f"must be one of {one_of(EXPECTATIONS)} (got {got(expect)})",
            )
        task = r.string(t, "task", ptr, required=True) or ""
        tasks.append(Goal(attempt, expect, task, ptr))
    return Goals(tuple(tasks), least)


def read_tags(r: Reader, top: dict[str, object]) -> tuple[str, ...]:
    tags = r.strings(top, "tags", "")
    for i, tag in enumerate(tags):
        if not _TAG.fullmatch(tag):
            r.add(
                "scenario.value",
                f"/tags/{i}",
                "a tag is 1 to 40 lowercase letters, digits or hyphens, starting with a "
                f"letter or digit (got {got(tag)})",
            )
    return tags
