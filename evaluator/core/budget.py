"""A per-request evaluation budget: units of work and wall time, both inputs.

The core never reads a clock itself: the caller passes `clock` (the web side
passes time.monotonic) and the limits. `charge` is called once per attempt,
per AssumeRole hop and per authorization (with the number of statements that
authorization weighs), so a limit is reached between two small steps, and the
evaluation ends with the `evaluation.budget` problem instead of running on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Budget", "BudgetExceeded"]


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
        if self.seconds is not None and self.clock is not None:
            if self.started is None:
                self.started = self.clock()
            elif self.clock() - self.started > self.seconds:
                raise BudgetExceeded(
                    f"the evaluation took longer than {self.seconds:g} seconds, "
                    "the limit per request"
                )
