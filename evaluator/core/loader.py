"""load_scenario(): a scenario document (format 1) into the typed model.

The contract is /shared/spec/scenario-format.md. The loader never raises on
bad input: it collects every problem it can find in one pass, each at its JSON
pointer (and line and column when it was given text), so a user fixes a whole
document at once instead of one error per round trip. A scenario is returned
only when there is no error; warnings (unknown fields, duplicate keys) ride
along.

Policy documents are only checked here to be an object or a string holding
valid JSON; the policy module compiles them later.

Invalid parts are replaced by placeholders so the pass can go on and find more
problems; a scenario built with any error is thrown away. The sections are read
in loader_accounts.py, loader_resources.py and loader_attempts.py, with the
typed reads of loader_reader.py.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import cast

from evaluator.core.jsonpos import (
    JsonTextError,
    decode_text,
    parse_json,
    plain_json,
    positions_and_duplicates,
    unstorable,
)
from evaluator.core.loader_accounts import (
    read_accounts,
    read_groups,
    read_organization,
    read_principals,
)
from evaluator.core.loader_attempts import read_attempts
from evaluator.core.loader_goals import read_goals, read_tags
from evaluator.core.loader_reader import Reader, got
from evaluator.core.loader_resources import read_buckets, read_endpoints, read_keys
from evaluator.core.model import Scenario
from evaluator.core.problems import Problem, locate
from evaluator.core.vocabulary import DEFAULT_REGION, DEFAULT_ROOT, FORMAT

__all__ = ["LoadResult", "load_scenario"]


@dataclass(frozen=True, slots=True)
class LoadResult:
    scenario: Scenario | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


# ----------------------------------------------------------------------------- loading


def load_scenario(source: str | bytes | Mapping[str, object]) -> LoadResult:
    """Read a scenario from JSON text (str or bytes) or an already parsed mapping.

    Never raises on bad input; see LoadResult.problems. Text input gives every
    problem a line and column.
    """
    text: str | None = None
    duplicates: list[str] = []
    if isinstance(source, Mapping):
        # What text would refuse (too deep, 1e999, lone surrogates) a mapping must not carry.
        plain = plain_json(source)
        bad = None if plain else unstorable(source)
        if bad is not None:
            return LoadResult(None, (bad,))
        # A private deep copy: the caller's object may change after loading. Plain
        # JSON copies exactly, and several times faster, by a JSON round trip.
        if plain:
            doc: object = json.loads(json.dumps(source))
        else:
            doc = copy.deepcopy(dict(source))
    else:
        try:
            text = decode_text(source)
            doc = parse_json(text, duplicates=duplicates)
        except JsonTextError as exc:
            return LoadResult(None, (exc.problem,))

    reader = Reader()
    scenario = _read_scenario(reader, doc)
    found = reader.problems
    if text is not None and (found or duplicates):
        where, dups = positions_and_duplicates(text)
        found = locate(found, where) + dups
        # In document order, as an editor lists them; stable for equal places.
        found.sort(key=lambda p: (p.line or 0, p.column or 0))
    has_errors = any(p.is_error for p in found)
    return LoadResult(None if has_errors else scenario, tuple(found))


def _read_scenario(r: Reader, doc: object) -> Scenario | None:
    top = r.obj(
        doc,
        "",
        (
            "format",
            "title",
            "description",
            "region",
            "organization",
            "accounts",
            "principals",
            "keys",
            "groups",
            "buckets",
            "vpc_endpoints",
            "attempts",
            "layout",
            "summary",  # project fields: the gallery's one line, a challenge, filters
            "goals",
            "tags",
        ),
        "a scenario (a JSON object)",
    )
    if top is None:
        return None
    if not _format(r, top):
        return None
    title = r.string(top, "title", "")
    description = r.string(top, "description", "")
    r.region = r.region_member(top, "") or DEFAULT_REGION

    org = top.get("organization")
    has_org = isinstance(org, dict)
    root = org.get("root") if isinstance(org, dict) else None
    accounts = read_accounts(r, top, has_org, root if isinstance(root, str) else DEFAULT_ROOT)
    organization = None
    if "organization" in top:
        organization = read_organization(r, top["organization"], accounts)
    groups = read_groups(r, top)
    principals = read_principals(r, top, groups)
    keys = read_keys(r, top)
    buckets = read_buckets(r, top)
    endpoints = read_endpoints(r, top)
    layout = r.typed(top, "layout", "", dict, required=False)

    # Attempts name principals, keys and buckets, so they are read against the rest.
    partial = Scenario(
        format=FORMAT,
        title=title,
        description=description,
        region=r.region,
        organization=organization,
        accounts=accounts,
        principals=principals,
        keys=keys,
        groups=groups,
        buckets=buckets,
        vpc_endpoints=endpoints,
        raw=top,
    )
    attempts = read_attempts(r, top, partial)
    goals = read_goals(r, top, attempts)
    tags = read_tags(r, top)
    layout_map = cast(dict[str, object], layout) if layout is not None else {}
    return replace(partial, attempts=attempts, layout=layout_map, goals=goals, tags=tags)


def _format(r: Reader, top: dict[str, object]) -> bool:
    """Check `format`; False when the document is of another version (stop there)."""
    if "format" not in top:
        r.present(top, "format", "")
        return True  # probably a format-1 document that forgot to say so
    value = top["format"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        r.wrong_type("/format", "the number 1", value)
        return True
    if value != FORMAT:
        r.add(
            "scenario.format",
            "/format",
            f"this version of the playground reads format 1 documents (got {got(value)})",
        )
        return False
    return True
