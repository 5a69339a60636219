"""Merging what a paste describes into a copy of a scenario document.

The converters (kms.py, iam.py, s3.py, org.py, cloudtrail.py) call these to
find or create accounts, principals, keys and buckets by their real ids, and
to report what they recognised and what they could not take. Nothing that is
already in the document is removed: found objects are updated in place.
"""

from __future__ import annotations

import copy
import re
import uuid
from urllib.parse import unquote

from evaluator.core.arn import bucket_arn, group_arn, key_arn, principal_arn, root_arn
from evaluator.core.jsonpos import parse_json
from evaluator.core.problems import Problem, pointer_join, problem

VERSION = "2012-10-17"
DEFAULT_REGION = "us-east-1"
ARN = re.compile(r"arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):([0-9]{12}|aws)?:(.*)")


def parse_arn(arn: object) -> tuple[str, str, str, str] | None:
    """(service, region, account, resource) of an ARN, or None."""
    m = ARN.fullmatch(arn) if isinstance(arn, str) else None
    return (m.group(1), m.group(2), m.group(3) or "", m.group(4)) if m else None


def root_key_policy(account: str) -> dict:
    """The key policy AWS gives a key created without one (the account decides through IAM)."""
    return {
        "Version": VERSION,
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": root_arn(account)},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def account_trust_policy(account: str) -> dict:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": root_arn(account)},
                "Action": "sts:AssumeRole",
            }
        ],
    }


class Builder:
    """A working copy of the document plus what was recognised and every problem."""

    def __init__(self, document: dict, target: str = "") -> None:
        self.doc = copy.deepcopy(document)
        self.target = target
        self.recognised: list[str] = []
        self.problems: list[Problem] = []

    # -- reporting

    def said(self, what: str) -> None:
        self.recognised.append(what)

    def warn(self, code: str, message: str, pointer: str = "") -> None:
        self.problems.append(problem(code, message, pointer))

    def unknown_fields(self, obj: dict, pointer: str, known: set[str]) -> None:
        """List, by path, each member of `obj` the converter does not read."""
        for name in obj:
            if name not in known:
                self.warn(
                    "import.not_understood",
                    f'"{name}" is not something the playground models; it was left out.',
                    pointer_join(pointer, name),
                )

    def policy(self, value: object, pointer: str) -> dict | None:
        """A policy document given as an object, a JSON string or URL-encoded JSON."""
        if isinstance(value, dict):
            return value
        if isinstance(value, str):
            for text in (value, unquote(value)):
                try:
                    parsed = parse_json(text)
                except ValueError:
                    continue
                if isinstance(parsed, dict):
                    return parsed
            self.warn("import.policy", "This policy text is not a JSON object.", pointer)
            return None
        self.warn("import.policy", "A policy document was expected here.", pointer)
        return None

    # -- finding and creating nodes

    @property
    def region(self) -> str:
        return self.doc.get("region") or DEFAULT_REGION

    def account(self, account_id: str) -> dict:
        accounts = self.doc.setdefault("accounts", [])
        for a in accounts:
            if a["id"] == account_id:
                return a
        item = {"id": account_id, "name": f"Account {account_id}"}
        accounts.append(item)
        self.said(f"new account {account_id}")
        return item

    def first_account(self) -> str:
        accounts = self.doc.get("accounts") or []
        return accounts[0]["id"] if accounts else self.account("111122223333")["id"]

    def principal(self, kind: str, account: str, name: str, path: str = "/") -> dict:
        self.account(account)
        principals = self.doc.setdefault("principals", [])
        for p in principals:
            if p["type"] == kind and p["account"] == account and p["name"] == name:
                if path != (p.get("path") or "/"):
                    self._set_path(p, path)
                return p
        item: dict = {"type": kind, "account": account, "name": name}
        self._set_path(item, path)
        item["policies"] = []
        if kind == "role":
            item["trust_policy"] = account_trust_policy(account)
        principals.append(item)
        return item

    @staticmethod
    def _set_path(item: dict, path: str) -> None:
        if path and path != "/":
            item["path"] = path
        else:
            item.pop("path", None)

    def principal_from_arn(self, arn: str) -> dict | None:
        """The user or role an IAM ARN names (created if need be), or None."""
        parts = parse_arn(arn)
        if parts is None or parts[0] != "iam":
            return None
        m = re.fullmatch(r"(user|role)(/(?:.*/)?)?([\w+=,.@-]+)", parts[3], re.ASCII)
        if m is None:
            return None
        return self.principal(m.group(1), parts[2], m.group(3), m.group(2) or "/")

    def group(self, account: str, name: str) -> dict:
        self.account(account)
        groups = self.doc.setdefault("groups", [])
        for g in groups:
            if g["account"] == account and g["name"] == name:
                return g
        item = {"account": account, "name": name, "policies": []}
        groups.append(item)
        return item

    def find_key(self, key_id: str) -> dict | None:
        return next((k for k in self.doc.get("keys") or [] if k["id"] == key_id), None)

    def key(self, key_id: str, account: str, region: str = "", pointer: str = "") -> dict:
        found = self.find_key(key_id)
        if found is not None:
            return found
        self.account(account)
        item: dict = {"id": key_id, "account": account}
        if region and region != self.region:
            item["region"] = region
        item["policy"] = root_key_policy(account)
        self.doc.setdefault("keys", []).append(item)
        self.warn(
            "import.assumed",
            f"Key {key_id} was not in the scenario: it was added with the default key "
            "policy (paste `aws kms get-key-policy` output for its real one).",
            pointer,
        )
        return item

    def key_from_arn(self, arn: str, pointer: str = "") -> dict | None:
        parts = parse_arn(arn)
        if parts is None or parts[0] != "kms" or not parts[3].startswith("key/"):
            return None
        return self.key(parts[3][4:], parts[2], parts[1], pointer)

    def key_arn(self, key: dict) -> str:
        return key_arn(key.get("region") or self.region, key["account"], key["id"])

    def new_key(self, account: str, pointer: str) -> dict:
        """A key for output that does not say which key it is about."""
        item = {"id": str(uuid.uuid4()), "account": self.account(account)["id"]}
        item["policy"] = root_key_policy(account)
        self.doc.setdefault("keys", []).append(item)
        self.warn(
            "import.assumed",
            f"The output does not name its key: it went to a new key {item['id']} in "
            f"{account} (choose the key before pasting, or paste describe-key first and give "
            "the key's real id in its panel).",
            pointer,
        )
        return item

    def bucket(self, name: str, account: str) -> dict:
        buckets = self.doc.setdefault("buckets", [])
        for b in buckets:
            if b["name"] == name:
                return b
        self.account(account)
        item = {"name": name, "account": account}
        buckets.append(item)
        self.said(f"new bucket {name}")
        return item

    # -- targets chosen in the form

    def target_of(self, kinds: tuple[str, ...]) -> dict | None:
        """The node the user chose (by its ref), if it is one of `kinds`."""
        ref = self.target
        if not ref:
            return None
        if "key" in kinds:
            for k in self.doc.get("keys") or []:
                if ref in (k["id"], self.key_arn(k)):
                    return k
        if "bucket" in kinds:
            for b in self.doc.get("buckets") or []:
                if ref in (b["name"], bucket_arn(b["name"])):
                    return b
        if {"user", "role"} & set(kinds):
            for p in self.doc.get("principals") or []:
                arn = principal_arn(p["account"], p["type"], p["name"], p.get("path") or "/")
                if p["type"] in kinds and ref == arn:
                    return p
        if "group" in kinds:
            for g in self.doc.get("groups") or []:
                if ref == group_arn(g["account"], g["name"]):
                    return g
        return None

    def only(self, collection: str) -> dict | None:
        items = self.doc.get(collection) or []
        return items[0] if len(items) == 1 else None


def set_named_policy(owner: dict, name: str, policy: dict) -> bool:
    """Put `policy` under `name` in owner's policies; True when it replaced one."""
    policies = owner.setdefault("policies", [])
    for item in policies:
        if item.get("name") == name:
            item["policy"] = policy
            return True
    policies.append({"name": name, "policy": policy})
    return False


def tags_of(value: object) -> dict[str, str]:
    """IAM's [{"Key": k, "Value": v}] as a plain mapping."""
    if not isinstance(value, list):
        return {}
    return {
        t["Key"]: str(t.get("Value", ""))
        for t in value
        if isinstance(t, dict) and isinstance(t.get("Key"), str)
    }
