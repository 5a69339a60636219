"""ARN parsing and the ARN matching used by `Resource` and the Arn* operators.

An ARN is `arn:partition:service:region:account:resource`; the resource part
is everything after the fifth colon and may itself contain colons.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from evaluator.core.wildcard import GlobMatcher, compile_glob


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


# ---------------------------------------------------------------- building ARNs
# The one spelling of each ARN the playground makes (AWS partition only).


def root_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def principal_arn(account: str, type_: str, name: str, path: str = "/") -> str:
    """A user or role; the path sits between the type and the name (role/a/b/NAME)."""
    return f"arn:aws:iam::{account}:{type_}{path}{name}"


def group_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:group/{name}"


def session_arn(account: str, role_name: str, session_name: str) -> str:
    """A role session (AWS leaves the role's path out)."""
    return f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"


def key_arn(region: str, account: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def alias_arn(region: str, account: str, alias: str) -> str:
    """`alias` as written in a document: `alias/NAME`."""
    return f"arn:aws:kms:{region}:{account}:{alias}"


S3_BUCKET_ARN = "arn:aws:s3:::"  # a bucket's ARN is this prefix and its name


def bucket_arn(bucket: str) -> str:
    return S3_BUCKET_ARN + bucket


def object_arn(bucket: str, key: str) -> str:
    return f"{S3_BUCKET_ARN}{bucket}/{key}"


# ---------------------------------------------------------------- parsing and matching


def _split(s: str) -> list[str] | None:
    parts = s.split(":", 5)
    return parts if len(parts) == 6 else None


def parse_arn(s: str) -> Arn | None:
    """The parts of `s`, or None when it is not an ARN (`arn:` and six parts)."""
    if not s.startswith("arn:"):
        return None
    parts = _split(s)
    if parts is None:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def account_of(arn: str) -> str | None:
    """The account field of an ARN (None when not an ARN or the field is empty)."""
    parsed = parse_arn(arn)
    if parsed is None or not parsed.account:
        return None
    return parsed.account


class ArnPattern:
    """A compiled ARN pattern: each of the six parts is a case-sensitive glob."""

    __slots__ = ("pattern", "_any", "_parts")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        # A lone `*` matches any value, even one that is not an ARN (R5.5, R5.13).
        self._any = pattern == "*"
        split = None if self._any else _split(pattern)
        self._parts: tuple[GlobMatcher, ...] | None = (
            tuple(compile_glob(p) for p in split) if split is not None else None
        )

    def match(self, value: str) -> bool:
        if self._any:
            return True
        if self._parts is None:
            return False
        parts = _split(value)
        if parts is None:
            return False
        # Matching part by part keeps `*` from crossing a colon between parts (R5.13).
        return all(m.match(part) for m, part in zip(self._parts, parts, strict=True))


@lru_cache(maxsize=8192)
def compile_arn(pattern: str) -> ArnPattern:
    """A cached ArnPattern for `pattern`."""
    return ArnPattern(pattern)


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike / ArnEquals: every one of the six parts matches its glob (R5.13)."""
    return compile_arn(pattern).match(value)


def resource_match(pattern: str, arn: str) -> bool:
    """Does a policy `Resource` entry match the request's resource ARN (R5.5)?"""
    # Same per-part matching as ArnLike; `*` alone covers every resource.
    return compile_arn(pattern).match(arn)
