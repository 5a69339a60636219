"""Small helpers that turn environment variables into settings.

Kept apart from settings.py so the tests can call them directly.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def env_bool(name: str, default: bool = False) -> bool:
    """True only for 1/true/yes/on (any case); unset means `default`."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


def env_int(name: str, default: int) -> int:
    """A whole number; unset or blank means `default`, anything else is an error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def describe(self) -> str:
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if self.seconds % size == 0:
                n = self.seconds // size
                return f"{self.count} per {unit}" if n == 1 else f"{self.count} per {n} {unit}s"
        return f"{self.count} per {self.seconds} seconds"


UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_rate(name: str, default: str) -> Rate | None:
    """A rate such as "30/10m" (30 per 10 minutes; units s, m, h, d); "off" means none."""
    raw = (os.environ.get(name) or default).strip().lower()
    if raw in ("off", "0", "none"):
        return None
    count, _, period = raw.partition("/")
    period = period or "1h"
    unit = period[-1] if period[-1] in UNITS else "s"
    number = period[:-1] if period[-1] in UNITS else period
    try:
        rate = Rate(int(count), int(number or 1) * UNITS[unit])
    except ValueError:
        rate = None
    if rate is None or rate.count < 1 or rate.seconds < 1:
        raise ValueError(f"{name} must look like 30/10m (count/period) or off, not {raw!r}")
    return rate


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_number(name: str, default: float) -> float:
    """A number; unset, blank or 0 means `default` (0 would turn a limit off by accident)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number (got {raw!r})") from None
    return value if value > 0 else default


def secret_key_from_file(path: Path) -> str:
    """Read the secret key kept in `path`, creating it (once) if missing.

    The file is created exclusively, so two processes starting together
    (gunicorn workers) end up sharing whichever key was written first.
    """
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    new_key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process won the race (or left an empty file): use or fill it.
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
        path.write_text(new_key + "\n", encoding="utf-8")
        return new_key
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(new_key + "\n")
    return new_key
