"""Small helpers that turn environment variables into settings.

Kept apart from settings.py so the tests can call them directly.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def env_bool(name: str, default: bool = False) -> bool:
    """True only for 1/true/yes/on (any case); unset means `default`."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


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
