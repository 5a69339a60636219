"""A per-request evaluation budget: units of work and wall time, both inputs.

The core never reads a clock itself: the caller passes `clock` (the web side
passes time.monotonic) and the limits. `charge` is called once per attempt,
per AssumeRole hop and per authorization (with the number of statements that
authorization weighs), so a limit is reached between two small steps, and the
evaluation ends with the `evaluation.budget` problem instead of running on.
While an evaluation runs, its budget is also the context's (`watching`), so
work inside one step that can grow with its input (matching a long `?`
pattern) polls the clock too (`poll`): no single step overruns the time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["Budget", "BudgetExceeded", "poll"]


class BudgetExceeded(Exception):
    """Raised by Budget.charge; `message` says which limit, in words a user reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Budget:
    """At most `steps` units of work and `seconds` of `clock` time (None: no limit)."""

    steps: int | None = None
    seconds: float | None = None
    clock: Callable[[], float] | None = None
    used: int = 0
    started: float | None = None

    def start(self) -> None:
        if self.clock is not None and self.started is None:
            self.started = self.clock()

    def charge(self, units: int = 1) -> None:
        self.used += units
        if self.steps is not None and self.used > self.steps:
            raise BudgetExceeded(
                f"the evaluation needed more than {self.steps:,} steps, the limit per request"
            )
        self.check_time()

    def check_time(self) -> None:
        """Raise BudgetExceeded once the time is over (the first call starts the clock)."""
        if self.seconds is not None and self.clock is not None:
            if self.started is None:
                self.started = self.clock()
            elif self.clock() - self.started > self.seconds:
                raise BudgetExceeded(
                    f"the evaluation took longer than {self.seconds:g} seconds, "
                    "the limit per request"
                )

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Make this the budget that `poll` checks while the block runs."""
        token = _current.set(self)
        try:
            yield
        finally:
            _current.reset(token)


_current: ContextVar[Budget | None] = ContextVar("evaluation_budget", default=None)


def poll() -> None:
    """Check the time of the running evaluation's budget, if there is one."""
    budget = _current.get()
    if budget is not None:
        budget.check_time()
