"""The values conditions work with: request context entries, parsers, kinds.

A request's context maps each condition key to a `ContextEntry` (its values,
always strings). The parsers read the typed operators' values (numbers, dates,
IP addresses, booleans, base64); each raises ValueError with a short reason
when text does not fit. A `Kind` is what a family of operators shares: how it
reads the policy's and the request's values; conditions.py's operator table
pairs each operator with its kind and its comparison.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from evaluator.core.arn import compile_arn
from evaluator.core.wildcard import compile_glob, unmark

Lookup = Callable[[str], str | None]

# --------------------------------------------------------------------------
# Request context


@dataclass(frozen=True, slots=True)
class ContextEntry:
    """The value(s) of one condition key in a request, always as strings."""

    values: tuple[str, ...]
    multi: bool = False
    source: str = ""
    # The key as it was spelled where it was set, for the trace (R5.9: names compare
    # case-insensitively, but people read `aws:SourceIp`); "": the lower-cased key.
    name: str = field(default="", compare=False)


# Keyed by the lower-cased key name, since key names are case-insensitive (R5.9).
Context = Mapping[str, ContextEntry]


def json_str(value: object) -> str:
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"a condition value must be a string, number or boolean, not {value!r}")


def entry(
    value: object, *, multi: bool | None = None, source: str = "", name: str = ""
) -> ContextEntry:
    """A ContextEntry from a JSON value; a list is multi-valued unless told otherwise."""
    if isinstance(value, (list, tuple)):
        values = tuple(map(json_str, value))
        return ContextEntry(values, True if multi is None else multi, source, name)
    return ContextEntry((json_str(value),), bool(multi), source, name)


def context_lookup(ctx: Context) -> Lookup:
    """A variable lookup over `ctx`: single-valued keys only (R5.14)."""

    def lookup(key_lc: str) -> str | None:
        found = ctx.get(key_lc)
        if found is None or found.multi or len(found.values) != 1:
            return None
        return found.values[0]

    return lookup


# --------------------------------------------------------------------------
# Value parsers: each raises ValueError (with a short reason) when text does not fit.

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_EPOCH = re.compile(r"[+-]?\d+(?:\.\d+)?")


def parse_number(text: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise ValueError("is not a number")
    return float(text)


def parse_date(text: str) -> float:
    """Seconds since the epoch, from epoch seconds or ISO 8601 (R5.13)."""
    if _EPOCH.fullmatch(text):
        return float(text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("is neither ISO 8601 nor epoch seconds") from None
    if when.tzinfo is None:  # an instant without an offset is read as UTC
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_cidr(text: str) -> IpNetwork:
    """A CIDR block; a bare address is a /32 (IPv4) or /128 (IPv6) (R5.13)."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError("is not an IP address or CIDR block") from None


def parse_ip(text: str) -> IpAddr:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise ValueError("is not an IP address") from None


def parse_bool(text: str) -> str:
    low = text.lower()
    if low not in ("true", "false"):
        raise ValueError('is not "true" or "false"')
    return low


def parse_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError("is not base64") from None


def lenient(parse: Callable[[str], object]) -> Callable[[str], object | None]:
    # A request value that does not parse simply matches nothing; the same request
    # values recur across many policies, so parsed forms are cached.
    @lru_cache(maxsize=4096)
    def attempt(text: str) -> object | None:
        try:
            return parse(text)
        except ValueError:
            return None

    return attempt


# --------------------------------------------------------------------------
# Value kinds


def _str_lower(text: str) -> object:
    return text.lower()


def _ident(text: str) -> object:
    return text


def _plain(text: str) -> object:
    return unmark(text)


def _plain_lower(text: str) -> object:
    return unmark(text).lower()


def _bool_value(text: str) -> object:
    return parse_bool(unmark(text))


@dataclass(frozen=True, slots=True)
class Kind:
    """What a family of operators shares: parsing, variables, wording."""

    prepare: Callable[[str], object]
    request: Callable[[str], object | None]
    expects: str
    request_kind: str = ""
    variables: bool = False
    wildcards: bool = False


# R5.12: string operators take variables (R5.14); only the Like forms take wildcards.
TEXT = Kind(_plain, _ident, "a string", variables=True)
FOLD = Kind(_plain_lower, _str_lower, "a string", variables=True)
LIKE = Kind(compile_glob, _ident, "a string", variables=True, wildcards=True)
# R5.13: numbers, dates, binary and addresses take no variables and no wildcards.
NUM = Kind(parse_number, lenient(parse_number), "a number", "a number")
DATE = Kind(parse_date, lenient(parse_date), "an ISO 8601 date or epoch seconds", "a date")
BOOL = Kind(_bool_value, _str_lower, '"true" or "false"', variables=True)
BIN = Kind(parse_base64, lenient(parse_base64), "base64", "base64")
IP = Kind(parse_cidr, lenient(parse_ip), "an IP address or CIDR block", "an IP address")
# R5.13: ArnEquals behaves as ArnLike: each ARN part is a glob.
ARN = Kind(compile_arn, _ident, "an ARN", variables=True, wildcards=True)
# R5.10: Null only checks presence; its comparison is never used.
NULL = Kind(parse_bool, _ident, '"true" or "false"')
