"""Real identifiers kept consistent: when an edit changes an account id, a key id,
a region, a path or a name, every reference to the old one follows.

`follow(before, after)` compares two versions of a document object by object
(same JSON pointer) and rewrites, everywhere in `after` (policies, grants,
attempts, encryption settings, the organization, the layout), the strings that
named what changed: exact ids, ARNs that contain them, ARNs under a renamed
bucket or principal.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playground.document_nodes import EditError, copy_document, iter_nodes


def follow(before: dict, after: dict) -> dict:
    """`after` (a new copy) with references to renamed identifiers updated."""
    doc = copy_document(after)
    for old, new in _changed_ids(before, after, "accounts"):
        doc = _rewrite(doc, _account_rule(old, new))
        before = _rewrite(before, _account_rule(old, new))
    for old, new in _changed_ids(before, after, "keys"):
        doc = _rewrite(doc, _key_rule(old, new))
        before = _rewrite(before, _key_rule(old, new))
    old_refs = {n.pointer: n.ref for n in iter_nodes(before)}
    renames = {
        old_refs[n.pointer]: n.ref
        for n in iter_nodes(doc)
        if n.pointer in old_refs and old_refs[n.pointer] != n.ref
    }
    if renames:
        doc = _rewrite(doc, _ref_rule(renames))
    return doc


def renamed_refs(before: dict, after: dict) -> dict[str, str]:
    """Old node ref -> new node ref, for nodes at the same place in both documents."""
    old = {n.pointer: n.ref for n in iter_nodes(before)}
    return {old[n.pointer]: n.ref for n in iter_nodes(after) if old.get(n.pointer, n.ref) != n.ref}


def _changed_ids(before: dict, after: dict, collection: str) -> list[tuple[str, str]]:
    pairs = zip(before.get(collection) or [], after.get(collection) or [], strict=False)
    changed = [(a["id"], b["id"]) for a, b in pairs if a.get("id") != b.get("id")]
    taken = {x["id"] for x in before.get(collection) or []}
    for _, new in changed:
        if new in taken:  # merging two accounts (or keys) into one is not a rename
            what = "An account" if collection == "accounts" else "A key"
            raise EditError(f"{what} with id {new} is already in the scenario. Nothing changed.")
    return changed


def _account_rule(old: str, new: str) -> Callable[[str], str]:
    inside = re.compile(rf"(?<=:){re.escape(old)}(?=:)")

    def rule(s: str) -> str:
        if s == old:
            return new
        return inside.sub(new, s) if s.startswith("arn:") else s

    return rule


def _key_rule(old: str, new: str) -> Callable[[str], str]:
    inside = re.compile(rf"(?<=:key/){re.escape(old)}$")

    def rule(s: str) -> str:
        if s == old:
            return new
        return inside.sub(new, s) if s.startswith("arn:") else s

    return rule


def _ref_rule(renames: dict[str, str]) -> Callable[[str], str]:
    prefixes = {}  # what sits under a renamed node: a bucket's objects, a role's sessions
    for old, new in renames.items():
        if old.startswith("arn:aws:s3:::"):
            prefixes[old + "/"] = new + "/"
        elif (m := _ROLE.fullmatch(old)) and (n := _ROLE.fullmatch(new)):
            prefixes[_session(m)] = _session(n)

    def rule(s: str) -> str:
        if s in renames:
            return renames[s]
        for old, new in prefixes.items():
            if s.startswith(old):
                return new + s[len(old) :]
        return s

    return rule


_ROLE = re.compile(r"arn:aws:iam::([0-9]{12}):role/(?:.*/)?([^/]+)")


def _session(m: re.Match[str]) -> str:
    return f"arn:aws:sts::{m.group(1)}:assumed-role/{m.group(2)}/"


def _rewrite(value: object, rule: Callable[[str], str], layout: bool = False) -> object:
    if isinstance(value, str):
        return rule(value)
    if isinstance(value, list):
        return [_rewrite(v, rule) for v in value]
    if isinstance(value, dict):
        # Layout positions are keyed by node ref; other keys are names, not references.
        return {
            (rule(k) if layout else k): _rewrite(v, rule, layout=k == "layout" and not layout)
            for k, v in value.items()
        }
    return value
