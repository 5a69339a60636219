"""What the forms share: field limits, grant operations, and key=value text."""

from __future__ import annotations

import json

from django import forms

MAX_REF = 400
MAX_POLICY_CHARS = 40_000  # above every AWS policy size limit (key policies: 32 KB)
GRANT_OPERATIONS = (
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
)


def choices(values) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


def parse_pairs(text: str, field: str) -> dict[str, str]:
    """`key=value` lines into a dict; blank lines are skipped."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise forms.ValidationError(f"{field}, line {number}: write it as key=value.")
        out[key.strip()] = value.strip()
    return out


def format_pairs(mapping: object) -> str:
    if not isinstance(mapping, dict):
        return ""
    return "\n".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in mapping.items()
    )
