"""The attempt builder's form: who calls, which action, on what, with what.

Fields that only some actions use come in groups (ATTEMPT_GROUPS); the page
shows each group for its actions only.
"""

from __future__ import annotations

import json

from django import forms

from evaluator import vocabulary
from playground import document_nodes, engine
from playground.form_values import (
    EXPECTATION_CHOICES,
    GRANT_CONSTRAINT_CHOICES,
    GRANT_OPERATIONS,
    MAX_POLICY_CHARS,
    MAX_REF,
    choices,
    format_pairs,
    grant_document,
    parse_pairs,
)

ACTIONS = (
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:PutKeyPolicy",
    "kms:CreateKey",
    "s3:GetObject",
    "s3:PutObject",
    "s3:CopyObject",
    "s3:ReplicateObject",
    "sts:AssumeRole",
)
# Attempt fields that only some actions use: the builder shows each group for
# its actions only, and an attempt keeps a group's values only for those actions.
ATTEMPT_GROUPS = {
    "grant": ("kms:CreateGrant",),
    "grant_id": ("kms:RetireGrant", "kms:RevokeGrant"),
    "policy": ("kms:PutKeyPolicy", "kms:CreateKey"),
    "destination": ("kms:ReEncryptFrom", "s3:CopyObject"),
    "grant_tokens": tuple(a for a in ACTIONS if a.startswith("kms:") and a != "kms:CreateKey"),
}


def other_actions() -> list[str]:
    """Every KMS, S3, STS and IAM action AWS lists that the list of modelled ones lacks."""
    return [a for a in engine.catalogue_actions() if a not in ACTIONS]


def _other(action: str) -> str:
    return "" if action in ACTIONS else action


def _context_value(raw: str) -> object:
    """Context values may be JSON (true, 3, ["a","b"]); anything else is a string."""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, bool | int | float | list) else raw


def _policy_value(text: str) -> object:
    """Policy text as an attempt carries it: a JSON object, or the text as typed
    (the evaluator then judges it, e.g. MalformedPolicyDocumentException)."""
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, dict) else text


class AttemptForm(forms.Form):
    attempt_id = forms.RegexField(r"^[A-Za-z0-9_.-]{0,64}$", max_length=64, required=False)
    title = forms.CharField(max_length=200, required=False)
    principal = forms.CharField(max_length=MAX_REF)
    role_1 = forms.CharField(max_length=MAX_REF, required=False, label="then assume role")
    external_id_1 = forms.CharField(max_length=1224, required=False, label="with ExternalId")
    role_2 = forms.CharField(max_length=MAX_REF, required=False, label="then assume role")
    external_id_2 = forms.CharField(max_length=1224, required=False, label="with ExternalId")
    session_policy = forms.CharField(
        max_length=MAX_POLICY_CHARS, required=False, strip=False, widget=forms.Textarea
    )
    action = forms.ChoiceField(choices=choices(ACTIONS))
    other_action = forms.CharField(
        max_length=128, required=False, label="or another action from AWS's catalogue"
    )
    resource = forms.CharField(max_length=MAX_REF, required=False, label="key or object")
    encryption_context = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    context = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="other context keys"
    )
    plaintext = forms.CharField(max_length=4096, required=False, strip=False)
    ciphertext = forms.CharField(max_length=12_000, required=False)
    ciphertext_from = forms.CharField(max_length=64, required=False, label="ciphertext from")
    via_service = forms.CharField(max_length=200, required=False)
    grant_tokens = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)
    grant_grantee = forms.CharField(max_length=MAX_REF, required=False)
    grant_operations = forms.MultipleChoiceField(choices=choices(GRANT_OPERATIONS), required=False)
    grant_constraint = forms.ChoiceField(choices=GRANT_CONSTRAINT_CHOICES, required=False)
    grant_context = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)
    grant_retiring = forms.CharField(max_length=MAX_REF, required=False)
    grant_id = forms.CharField(max_length=128, required=False)
    policy = forms.CharField(
        max_length=MAX_POLICY_CHARS, required=False, strip=False, widget=forms.Textarea
    )
    bypass = forms.BooleanField(required=False)
    destination = forms.CharField(max_length=MAX_REF, required=False)
    expect = forms.ChoiceField(choices=EXPECTATION_CHOICES, required=False)

    def clean_encryption_context(self):
        return parse_pairs(self.cleaned_data["encryption_context"], "Encryption context")

    def clean_context(self):
        pairs = parse_pairs(self.cleaned_data["context"], "Context")
        return {k: _context_value(v) for k, v in pairs.items()}

    def clean_grant_context(self):
        return parse_pairs(self.cleaned_data["grant_context"], "Grant context")

    def clean_grant_tokens(self):
        return [t.strip() for t in self.cleaned_data["grant_tokens"].splitlines() if t.strip()]

    def clean_other_action(self):
        wanted = self.cleaned_data["other_action"].strip()
        if not wanted:
            return ""
        known = {a.lower(): a for a in engine.catalogue_actions()}
        if wanted.lower() not in known:
            raise forms.ValidationError(
                f"{wanted} is not a KMS, S3, STS or IAM action in AWS's catalogue."
            )
        return known[wanted.lower()]

    def clean(self):
        data = super().clean()
        if data.get("other_action"):  # typed in: it overrides the list
            data["action"] = data["other_action"]
        action = data.get("action", "")
        if data.get("session_policy", "").strip() and not (
            data.get("role_1") or data.get("role_2")
        ):
            self.add_error("session_policy", "A session policy needs a role to assume.")
        if action in ATTEMPT_GROUPS["grant"]:
            if not data.get("grant_grantee"):
                self.add_error("grant_grantee", "CreateGrant needs a grantee.")
            if not data.get("grant_operations"):
                self.add_error("grant_operations", "CreateGrant needs at least one operation.")
            if data.get("grant_constraint") and not data.get("grant_context"):
                self.add_error("grant_context", "A constraint needs key=value pairs.")
        if action in ATTEMPT_GROUPS["grant_id"] and not data.get("grant_id"):
            self.add_error("grant_id", f"{action.split(':')[1]} needs the grant's id.")
        if action == "kms:PutKeyPolicy" and not data.get("policy", "").strip():
            self.add_error("policy", "PutKeyPolicy needs the new key policy.")
        if action == "kms:ReEncryptFrom" and not data.get("destination"):
            self.add_error("destination", "ReEncrypt needs the destination key.")
        return data

    def _group(self, name: str) -> bool:
        return self.cleaned_data["action"] in ATTEMPT_GROUPS[name]

    @classmethod
    def initial_from(cls, attempt: dict) -> dict:
        data = {
            "attempt_id": attempt.get("id", ""),
            "title": attempt.get("title", ""),
            "principal": attempt.get("principal", ""),
            "action": attempt.get("action", "kms:Decrypt"),
            "other_action": _other(attempt.get("action", "kms:Decrypt")),
            "resource": attempt.get("resource", ""),
            "encryption_context": format_pairs(attempt.get("encryption_context")),
            "context": format_pairs(attempt.get("context")),
            "plaintext": attempt.get("plaintext", ""),
            "via_service": attempt.get("via_service", ""),
            "expect": attempt.get("expect", ""),
        }
        ciphertext = attempt.get("ciphertext")
        if isinstance(ciphertext, dict):
            data["ciphertext_from"] = ciphertext.get("from_attempt", "")
        elif isinstance(ciphertext, str):
            data["ciphertext"] = ciphertext
        steps = (attempt.get("assume") or [])[:2]
        for i, step in enumerate(steps, 1):
            data[f"role_{i}"] = step.get("role", "")
            data[f"external_id_{i}"] = step.get("external_id", "")
        if steps and "session_policy" in steps[-1]:
            data["session_policy"] = document_nodes.policy_text(steps[-1]["session_policy"])
        grant = attempt.get("grant") if isinstance(attempt.get("grant"), dict) else {}
        constraints = grant.get("constraints") or {}
        kinds = vocabulary.GRANT_CONSTRAINTS
        which = next((w for w in kinds if f"encryption_context_{w}" in constraints), "")
        data.update(
            grant_grantee=grant.get("grantee", ""),
            grant_operations=grant.get("operations", []),
            grant_retiring=grant.get("retiring", ""),
            grant_constraint=which,
            grant_context=format_pairs(constraints.get(f"encryption_context_{which}")),
            grant_id=attempt.get("grant_id", ""),
            grant_tokens="\n".join(attempt.get("grant_tokens") or []),
            bypass=attempt.get("bypass_policy_lockout_safety_check", False),
            destination=attempt.get("destination", ""),
        )
        if "policy" in attempt:
            data["policy"] = document_nodes.policy_text(attempt["policy"])
        return data

    def attempt(self, attempt_id: str, keep: dict | None = None) -> dict:
        """The attempt as a document entry; fields this form does not show are kept."""
        data = self.cleaned_data
        out = {k: v for k, v in (keep or {}).items() if k not in _ATTEMPT_FORM_FIELDS}
        out.update({"id": attempt_id, "principal": data["principal"], "action": data["action"]})
        if data["title"]:
            out["title"] = data["title"]
        old_steps = (keep or {}).get("assume") or []
        assume = []
        for i in (1, 2):
            if data[f"role_{i}"]:
                step = {"role": data[f"role_{i}"]}
                old = old_steps[i - 1] if i <= len(old_steps) else {}
                if old.get("role") == step["role"] and old.get("session_name"):
                    step["session_name"] = old["session_name"]
                if data[f"external_id_{i}"]:
                    step["external_id"] = data[f"external_id_{i}"]
                assume.append(step)
        session_policy = _policy_value(data["session_policy"])
        if assume and session_policy is not None:
            assume[-1]["session_policy"] = session_policy
        for field, value in (
            ("assume", assume),
            ("resource", data["resource"]),
            ("encryption_context", data["encryption_context"]),
            ("context", data["context"]),
            ("plaintext", data["plaintext"]),
            ("via_service", data["via_service"]),
            ("expect", data["expect"]),
        ):
            if value:
                out[field] = value
        if data["ciphertext_from"]:
            out["ciphertext"] = {"from_attempt": data["ciphertext_from"]}
        elif data["ciphertext"]:
            out["ciphertext"] = data["ciphertext"]
        out.update(self._action_fields())
        return out

    def _action_fields(self) -> dict:
        """The fields of the groups the chosen action uses (other groups are dropped)."""
        data, out = self.cleaned_data, {}
        if self._group("grant"):
            out["grant"] = grant_document(
                data["grant_grantee"],
                data["grant_operations"],
                constraint=data["grant_constraint"],
                context=data["grant_context"],
                retiring=data["grant_retiring"],
            )
        if self._group("grant_id") and data["grant_id"]:
            out["grant_id"] = data["grant_id"]
        if self._group("policy"):
            policy = _policy_value(data["policy"])
            if policy is not None:
                out["policy"] = policy
            if data["bypass"]:
                out["bypass_policy_lockout_safety_check"] = True
        if self._group("destination") and data["destination"]:
            out["destination"] = data["destination"]
        if self._group("grant_tokens") and data["grant_tokens"]:
            out["grant_tokens"] = data["grant_tokens"]
        return out


# Every contract member of an attempt is the form's; anything else (rule, note) is kept.
_ATTEMPT_FORM_FIELDS = frozenset(vocabulary.ATTEMPT_FIELDS)


class AttemptRefForm(forms.Form):
    attempt = forms.CharField(max_length=64)
