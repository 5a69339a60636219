"""The loader's toolkit: typed reads of JSON members, each problem reported.

`Reader` holds the problems found so far and the facts later sections check
references against (the default region, the account ids). Its methods read one
member each and never raise: a member of the wrong type is reported and read
as None (or a default), so the pass goes on and finds more problems. The
section readers (loader_accounts.py, loader_resources.py, loader_attempts.py)
are built from these.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar

from evaluator.core.jsonpos import JsonTextError, parse_json
from evaluator.core.model import GrantConstraints, NamedPolicy
from evaluator.core.problems import Problem, pointer_join, problem
from evaluator.core.vocabulary import DEFAULT_REGION, GRANT_OPERATIONS, ConstraintKind

SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_IAM_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
_ROLE_ARN = re.compile(r"arn:aws:iam::[0-9]{12}:role/(?:.*/)?[^/]+")
_T = TypeVar("_T")


@lru_cache(maxsize=256)
def _known_set(known: tuple[str, ...]) -> frozenset[str]:
    """The field names as a set, built once per tuple of names (keyed by value)."""
    return frozenset(known)


def got(value: object) -> str:
    """A short description of a JSON value for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + '..."'


_TYPE_NAMES = {
    str: "a string",
    bool: "true or false",
    dict: "an object",
    list: "an array",
}


def one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices)


def string_members(items: list[tuple[object, str]], name: str) -> set[str]:
    """The string values of member `name` across a list of would-be objects."""
    return {
        item[name]
        for item, _ in items
        if isinstance(item, dict) and isinstance(item.get(name), str)
    }


# "Did you mean" hints one document gets: thousands of wrong names would
# otherwise cost a comparison with every candidate each (43 s for 3,000 attempts).
HINTS = 20
MAX_HINTED = 256  # a longer word is no typo of a name


class Hints:
    """One document's (or policy's) allowance of "did you mean" hints."""

    def __init__(self) -> None:
        self.left = HINTS

    def closest(self, word: str, candidates: Iterable[str]) -> str | None:
        """The candidate `word` is likely a typo of; None past the allowance
        (each hint compares `word` with every candidate)."""
        if self.left <= 0 or len(word) > MAX_HINTED:
            return None
        self.left -= 1
        found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
        return found[0] if found else None


class Reader:
    """The problems of one pass over a document, and typed reads that add to them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.region = DEFAULT_REGION
        self.account_ids: set[str] = set()
        self.hints = Hints()

    # -- reporting

    def add(self, code: str, pointer: str, message: str) -> None:
        self.problems.append(problem(code, message, pointer))

    def wrong_type(self, pointer: str, expected: str, value: object) -> None:
        self.add("scenario.type", pointer, f"must be {expected} (got {got(value)})")

    # -- generic readers

    def obj(
        self, value: object, pointer: str, known: tuple[str, ...], what: str = "an object"
    ) -> dict[str, object] | None:
        """`value` as an object, warning about each member not in `known`."""
        if not isinstance(value, dict):
            self.wrong_type(pointer, what, value)
            return None
        known_set = _known_set(known)
        for name in value:
            if name not in known_set:
                hint = self.hints.closest(name, known)
                extra = f' (did you mean "{hint}"?)' if hint else ""
                self.add(
                    "scenario.unknown_field",
                    pointer_join(pointer, name),
                    f'unknown field "{name}" is kept but not used{extra}',
                )
        return value

    def present(self, o: dict[str, object], name: str, pointer: str) -> bool:
        if name in o:
            return True
        self.add(
            "scenario.required", pointer_join(pointer, name), f'required field "{name}" is missing'
        )
        return False

    def typed(
        self, o: dict[str, object], name: str, pointer: str, kind: type, *, required: bool
    ) -> object | None:
        """The member `name` if it has the JSON type `kind`; None (reported) otherwise."""
        if name not in o:
            if required:
                self.present(o, name, pointer)
            return None
        value = o[name]
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if not ok:
            self.wrong_type(pointer_join(pointer, name), _TYPE_NAMES[kind], value)
            return None
        return value

    def string(
        self, o: dict[str, object], name: str, pointer: str, *, required: bool = False
    ) -> str | None:
        value = o.get(name)
        if type(value) is str and (not required or value.strip()):
            return value  # the common case, without typed()'s checks
        value = self.typed(o, name, pointer, str, required=required)
        if value is None:
            return None
        assert isinstance(value, str)
        if required and not value.strip():
            self.add("scenario.value", pointer_join(pointer, name), "must not be empty")
        return value

    def boolean(self, o: dict[str, object], name: str, pointer: str, default: bool) -> bool:
        value = self.typed(o, name, pointer, bool, required=False)
        return value if isinstance(value, bool) else default

    def choice(
        self,
        o: dict[str, object],
        name: str,
        pointer: str,
        choices: tuple[str, ...],
        default: str | None,
    ) -> str:
        value = self.typed(o, name, pointer, str, required=default is None)
        if not isinstance(value, str):
            return default or choices[0]
        if value not in choices:
            self.add(
                "scenario.value",
                pointer_join(pointer, name),
                f"must be one of {one_of(choices)} (got {got(value)})",
            )
            return default or choices[0]
        return value

    def array(
        self, o: dict[str, object], name: str, pointer: str, *, required: bool = False
    ) -> list[tuple[object, str]]:
        """The items of an array member with their pointers ([] when absent or wrong)."""
        value = self.typed(o, name, pointer, list, required=required)
        if not isinstance(value, list):
            return []
        base = pointer_join(pointer, name)
        return [(item, f"{base}/{i}") for i, item in enumerate(value)]  # indexes need no escape

    def strings(
        self, o: dict[str, object], name: str, pointer: str, *, required: bool = False
    ) -> tuple[str, ...]:
        out = []
        for item, ptr in self.array(o, name, pointer, required=required):
            if isinstance(item, str):
                out.append(item)
            else:
                self.wrong_type(ptr, "a string", item)
        return tuple(out)

    def string_map(self, o: dict[str, object], name: str, pointer: str) -> dict[str, str] | None:
        value = self.typed(o, name, pointer, dict, required=False)
        if not isinstance(value, dict):
            return None
        base = pointer_join(pointer, name)
        out: dict[str, str] = {}
        for k, v in value.items():
            if isinstance(v, str):
                out[k] = v
            else:
                self.wrong_type(pointer_join(base, k), "a string", v)
        return out

    def policy(
        self, o: dict[str, object], name: str, pointer: str, label: str, *, required: bool = False
    ) -> NamedPolicy | None:
        """A policy document: an object, or a string holding one as JSON."""
        if name not in o:
            if required:
                self.present(o, name, pointer)
            return None
        ptr = pointer_join(pointer, name)
        value = o[name]
        if isinstance(value, str):
            try:
                parsed = parse_json(value)
            except JsonTextError as exc:
                self.add(
                    "json.syntax",
                    ptr,
                    f"the policy string is not valid JSON: {exc.message} "
                    f"(line {exc.line}, column {exc.column} of the string)",
                )
            else:
                if not isinstance(parsed, dict):
                    self.add(
                        "scenario.type",
                        ptr,
                        f"a policy string must hold a JSON object (it holds {got(parsed)})",
                    )
        elif not isinstance(value, dict):
            self.wrong_type(ptr, "a policy (an object, or a JSON string)", value)
        return NamedPolicy(label, value, ptr)

    def named_policies(
        self, o: dict[str, object], name: str, pointer: str
    ) -> tuple[NamedPolicy, ...]:
        out = []
        for item, ptr in self.array(o, name, pointer):
            entry = self.obj(item, ptr, ("name", "policy"))
            if entry is None:
                continue
            label = self.string(entry, "name", ptr, required=True) or ""
            named = self.policy(entry, "policy", ptr, label, required=True)
            if named is not None:
                out.append(named)
        return tuple(out)

    def account_ref(self, o: dict[str, object], name: str, pointer: str) -> str:
        """A required account id that must be one of the scenario's accounts."""
        value = self.string(o, name, pointer, required=True)
        if value is None:
            return ""
        ptr = pointer_join(pointer, name)
        if self.account_id(value, ptr) and value not in self.account_ids:
            self.add("scenario.reference", ptr, f'no account "{value}" in accounts')
        return value

    def account_id(self, value: str, pointer: str) -> bool:
        """Is `value` a 12-digit account id? Reported at `pointer` when not."""
        if _ACCOUNT_ID.fullmatch(value):
            return True
        self.add("scenario.value", pointer, f"must be a 12-digit account id (got {got(value)})")
        return False

    def region_member(self, o: dict[str, object], pointer: str) -> str | None:
        """The optional `region` member, checked to look like a region."""
        region = self.string(o, "region", pointer)
        if region is not None and not _REGION.fullmatch(region):
            self.add(
                "scenario.value",
                pointer_join(pointer, "region"),
                f"must be a region such as us-east-1 (got {got(region)})",
            )
        return region

    def once(self, seen: set[_T], item: _T, pointer: str, message: str) -> None:
        """Report `message` as a duplicate when `item` was seen before; remember it."""
        if item in seen:
            self.add("scenario.duplicate", pointer, message)
        seen.add(item)

    # -- validators shared by several sections

    def iam_name(self, o: dict[str, object], pointer: str) -> str:
        """The required `name` of a group, user or role, in the characters IAM allows."""
        name = self.string(o, "name", pointer, required=True) or ""
        if name and not _IAM_NAME.fullmatch(name):
            self.add(
                "scenario.value",
                pointer_join(pointer, "name"),
                f"an IAM name may use only letters, digits and + = , . @ _ - (got {got(name)})",
            )
        return name

    def role_arn(self, o: dict[str, object], name: str, pointer: str) -> str:
        value = self.string(o, name, pointer, required=True) or ""
        if value and not _ROLE_ARN.fullmatch(value):
            self.add(
                "scenario.value",
                pointer_join(pointer, name),
                f"must be a role ARN, arn:aws:iam::ACCOUNT:role/NAME (got {got(value)})",
            )
        return value

    def grantee(self, o: dict[str, object], name: str, pointer: str, *, required: bool) -> str:
        value = self.string(o, name, pointer, required=required)
        if value and not (value.startswith("arn:") or SERVICE_PRINCIPAL.fullmatch(value)):
            self.add(
                "scenario.value",
                pointer_join(pointer, name),
                f"must be a principal ARN or a service principal such as "
                f"s3.amazonaws.com (got {got(value)})",
            )
        return value or ""

    def operations(self, o: dict[str, object], pointer: str) -> tuple[str, ...]:
        ops = self.strings(o, "operations", pointer, required=True)
        if "operations" in o and isinstance(o["operations"], list) and not o["operations"]:
            self.add(
                "scenario.value", pointer_join(pointer, "operations"), "must list an operation"
            )
        for i, op in enumerate(ops):
            if op in GRANT_OPERATIONS:
                continue
            optr = pointer_join(pointer, "operations", i)
            if op.startswith("kms:") and op[4:] in GRANT_OPERATIONS:
                self.add("scenario.value", optr, f'write "{op[4:]}", without the kms: prefix')
            else:
                self.add(
                    "scenario.value",
                    optr,
                    f"must be a grant operation: {one_of(GRANT_OPERATIONS)} (got {got(op)})",
                )
        return ops

    def constraints(self, o: dict[str, object], pointer: str) -> GrantConstraints | None:
        if "constraints" not in o:
            return None
        ptr = pointer_join(pointer, "constraints")
        c = self.obj(
            o["constraints"], ptr, ("encryption_context_subset", "encryption_context_equals")
        )
        if c is None:
            return None
        given = [n for n in ("encryption_context_subset", "encryption_context_equals") if n in c]
        if len(given) != 1:
            self.add(
                "scenario.value",
                ptr,
                "must have exactly one of encryption_context_subset and encryption_context_equals",
            )
            return None
        context = self.string_map(c, given[0], ptr) or {}
        kind: ConstraintKind = "subset" if given[0].endswith("subset") else "equals"
        return GrantConstraints(kind, context, ptr)
