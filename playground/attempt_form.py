"""The attempt builder's form: who calls, which action, on what, with what.

Fields that only some actions use come in groups (ATTEMPT_GROUPS); the page
shows each group for its actions only.
"""

from __future__ import annotations

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
from playground.widgets import QuickSelect

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
    """Context values may be JSON (true, 3, ["a","b"]); anything else is a string.

    JSON that is over a limit (nested too deeply, 1e999) is an error, not a string.
    """
    try:
        value = engine.parse_json(raw)
    except engine.JsonTextError as exc:
        if exc.limit:
            raise
        return raw
    return value if isinstance(value, bool | int | float | list) else raw


def _policy_value(text: str) -> object:
    """Policy text as an attempt carries it: a JSON object (the evaluator judges the
    policy in it, e.g. MalformedPolicyDocumentException), or None when blank."""
    if not text.strip():
        return None
    return engine.parse_json(text)  # clean_* made sure it parses to an object


def _json_object(text: str, what: str) -> str:
    """`text` if blank or a JSON object; else a ValidationError saying where it breaks."""
    if not text.strip():
        return text
    try:
        value = engine.parse_json(text)
    except engine.JsonTextError as exc:
        raise forms.ValidationError(
            f"{what} is not valid JSON: {exc.message} (line {exc.line}, column {exc.column})."
        ) from None
    if not isinstance(value, dict):
        raise forms.ValidationError(f"{what} must be a JSON object {{...}}.")
    return text


def _problem_lines(problems: list[dict]) -> list[str]:
    out = []
    for p in problems:
        where = f"Line {p['line']}, column {p['column']}: " if p.get("line") else ""
        out.append(f"{where}{p['message']}")
    return out


class AttemptForm(forms.Form):
    editing = forms.CharField(max_length=64, required=False)  # the id of the attempt replaced
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
    action = forms.ChoiceField(choices=choices(ACTIONS), widget=QuickSelect)
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
    expect = forms.ChoiceField(choices=EXPECTATION_CHOICES, required=False, widget=QuickSelect)

    def clean_encryption_context(self):
        return parse_pairs(self.cleaned_data["encryption_context"], "Encryption context")

    def clean_context(self):
        pairs = parse_pairs(self.cleaned_data["context"], "Context")
        out = {}
        for key, raw in pairs.items():
            try:
                out[key] = _context_value(raw)
            except engine.JsonTextError as exc:
                raise forms.ValidationError(f"Context, {key}: {exc.message}.") from None
        return out

    def clean_policy(self):
        return _json_object(self.cleaned_data["policy"], "The key policy")

    def clean_session_policy(self):
        text = self.cleaned_data["session_policy"]
        if not (self.cleaned_data.get("role_1") or self.cleaned_data.get("role_2")):
            return text  # clean() says it needs a role; its content is moot until then
        text = _json_object(text, "The session policy")
        if text.strip():
            # AWS refuses an AssumeRole whose session policy is malformed or too large.
            _, problems = engine.check_text(text, "session")
            errors = [p for p in problems if p["severity"] == "error"]
            if errors:
                raise forms.ValidationError(_problem_lines(errors))
        return text

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
        if (
            action == "kms:PutKeyPolicy"
            and "policy" not in self.errors
            and not data["policy"].strip()
        ):
            self.add_error("policy", "PutKeyPolicy needs the new key policy.")
        if action == "kms:ReEncryptFrom" and not data.get("destination"):
            self.add_error("destination", "ReEncrypt needs the destination key.")
        return data

    def add_document_errors(self, problems: list, pointer: str) -> int:
        """Put the scenario's errors about this attempt (at `pointer`) on their fields.

        The loader judges what the form cannot (an unknown principal, a ciphertext
        from a missing attempt); its message goes on the field that holds the value.
        Returns how many errors were added.
        """
        added = 0
        for p in problems:
            if not p.is_error or not (p.pointer == pointer or p.pointer.startswith(pointer + "/")):
                continue
            rest = p.pointer[len(pointer) :].lstrip("/")
            field = self._field_at(rest)
            message = p.message[:1].upper() + p.message[1:]
            self.add_error(field, message if field else f"{p.where()}: {message}")
            added += 1
        return added

    def _field_at(self, rest: str) -> str | None:
        parts = rest.split("/")
        head = parts[0]
        if head == "assume" and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1]) + 1
            sub = parts[2] if len(parts) > 2 else "role"
            if sub == "session_policy":
                return "session_policy"
            if n <= 2:
                return f"external_id_{n}" if sub == "external_id" else f"role_{n}"
            return "role_2"
        if head == "assume":
            return "role_1"
        if head == "ciphertext":
            return "ciphertext_from" if self.cleaned_data.get("ciphertext_from") else "ciphertext"
        if head == "grant" and len(parts) > 1:
            sub = {"constraints": "context", "operations": "operations"}.get(parts[1], parts[1])
            name = f"grant_{sub}"
            return name if name in self.fields else "grant_grantee"
        if head == "id":
            return "attempt_id"
        if head == "bypass_policy_lockout_safety_check":
            return "bypass"
        return head if head in self.fields else None

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
