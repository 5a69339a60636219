"""Django forms: every write to a scenario is validated by one of these first.

Property forms know how to fill themselves from a node (`initial_from`) and
how to write their cleaned values back into a copy of it (`apply`).
"""

from __future__ import annotations

import json

from django import forms

from playground import documents
from playground.store import MAX_DOCUMENT_BYTES

MAX_REF = 400
PANEL_IDS = "prop-%s"  # ids of the node panel's fields, apart from the attempt form's
MAX_POLICY_CHARS = 40_000  # above every AWS policy size limit (key policies: 32 KB)
MAX_IMPORT_BYTES = MAX_DOCUMENT_BYTES

KEY_STATES = ("Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable")
KEY_MANAGERS = ("CUSTOMER", "AWS")
KEY_ORIGINS = ("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
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
EXPECTATIONS = (
    ("", "no expectation"),
    ("allow", "allow"),
    ("deny", "deny (either kind)"),
    ("implicit_deny", "implicit deny"),
    ("explicit_deny", "explicit deny"),
    ("Success", "Success"),
    ("AccessDeniedException", "AccessDeniedException"),
    ("AccessDenied", "AccessDenied"),
    ("DisabledException", "DisabledException"),
    ("KMSInvalidStateException", "KMSInvalidStateException"),
    ("NotFoundException", "NotFoundException"),
    ("InvalidCiphertextException", "InvalidCiphertextException"),
    ("IncorrectKeyException", "IncorrectKeyException"),
    ("InvalidKeyUsageException", "InvalidKeyUsageException"),
    ("InvalidGrantTokenException", "InvalidGrantTokenException"),
    ("MalformedPolicyDocumentException", "MalformedPolicyDocumentException"),
    ("LimitExceededException", "LimitExceededException"),
    ("ValidationException", "ValidationException"),
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


def _choices(values) -> list[tuple[str, str]]:
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


def _context_value(raw: str) -> object:
    """Context values may be JSON (true, 3, ["a","b"]); anything else is a string."""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, bool | int | float | list) else raw


class RefForm(forms.Form):
    ref = forms.CharField(max_length=MAX_REF)


class AddNodeForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, documents.KIND_LABELS[k]) for k in documents.ADDABLE_KINDS]
    )
    name = forms.CharField(max_length=64, required=False, strip=True)
    account = forms.CharField(max_length=12, required=False)


class RenameForm(RefForm):
    name = forms.CharField(max_length=100)


class MoveForm(RefForm):
    x = forms.FloatField(min_value=-10_000, max_value=100_000)
    y = forms.FloatField(min_value=-10_000, max_value=100_000)


class PolicyForm(RefForm):
    path = forms.CharField(max_length=200)
    text = forms.CharField(
        max_length=MAX_POLICY_CHARS,
        strip=False,
        required=False,
        error_messages={
            "max_length": f"A policy is limited to {MAX_POLICY_CHARS:,} characters "
            "(AWS allows at most 32 KB for a key policy)."
        },
    )


class AddPolicyForm(RefForm):
    which = forms.ChoiceField(choices=[("identity", "identity"), ("optional", "optional")])
    name = forms.CharField(max_length=128, required=False)


class OrgPolicyForm(forms.Form):
    which = forms.ChoiceField(choices=[("scp", "SCP"), ("rcp", "RCP")])
    name = forms.CharField(max_length=100, required=False)
    target = forms.CharField(max_length=64)


class PropsForm(RefForm):
    """Base of the property forms; subclasses fill and apply their fields."""

    ref = forms.CharField(max_length=MAX_REF, widget=forms.HiddenInput)

    @classmethod
    def initial_from(cls, obj: dict, doc: dict) -> dict:
        return {}

    def apply(self, obj: dict, doc: dict) -> None:
        raise NotImplementedError


class ScenarioForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(max_length=300, required=False)
    description = forms.CharField(max_length=20_000, required=False, widget=forms.Textarea)
    region = forms.RegexField(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$", max_length=30, required=False)

    @classmethod
    def initial_from(cls, doc: dict) -> dict:
        return {k: doc.get(k, "") for k in ("title", "summary", "description", "region")}

    def apply(self, doc: dict) -> None:
        for field in ("title", "summary", "description", "region"):
            value = self.cleaned_data[field]
            if value:
                doc[field] = value
            else:
                doc.pop(field, None)


class AccountForm(PropsForm):
    name = forms.CharField(max_length=100, required=False)
    in_organization = forms.BooleanField(required=False)
    parent = forms.CharField(max_length=64, required=False)

    @classmethod
    def initial_from(cls, obj, doc):
        return {
            "name": obj.get("name", ""),
            "in_organization": obj.get("in_organization", True),
            "parent": obj.get("parent", ""),
        }

    def apply(self, obj, doc):
        obj["name"] = self.cleaned_data["name"] or obj["id"]
        if isinstance(doc.get("organization"), dict):
            if self.cleaned_data["in_organization"]:
                obj.pop("in_organization", None)
                if self.cleaned_data["parent"]:
                    obj["parent"] = self.cleaned_data["parent"]
                else:
                    obj.pop("parent", None)
            else:
                obj["in_organization"] = False
                obj.pop("parent", None)


class PrincipalForm(PropsForm):
    path = forms.RegexField(r"^/([\x21-\x7e]*/)?$", max_length=512, required=False)
    tags = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="key=value per line",
    )
    groups = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args, group_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = _choices(group_names)

    @classmethod
    def initial_from(cls, obj, doc):
        return {
            "path": obj.get("path", "/"),
            "tags": format_pairs(obj.get("tags")),
            "groups": obj.get("groups", []),
        }

    def clean_tags(self):
        return parse_pairs(self.cleaned_data["tags"], "Tags")

    def apply(self, obj, doc):
        path = self.cleaned_data["path"] or "/"
        if path == "/":
            obj.pop("path", None)
        else:
            obj["path"] = path
        _set_or_drop(obj, "tags", self.cleaned_data["tags"])
        if obj["type"] == "user":
            _set_or_drop(obj, "groups", list(self.cleaned_data["groups"]))


class KeyForm(PropsForm):
    description = forms.CharField(max_length=8192, required=False)
    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    state = forms.ChoiceField(choices=_choices(KEY_STATES))
    manager = forms.ChoiceField(choices=_choices(KEY_MANAGERS))
    origin = forms.ChoiceField(choices=_choices(KEY_ORIGINS))

    @classmethod
    def initial_from(cls, obj, doc):
        return {
            "description": obj.get("description", ""),
            "aliases": "\n".join(obj.get("aliases") or []),
            "state": obj.get("state", "Enabled"),
            "manager": obj.get("manager", "CUSTOMER"),
            "origin": obj.get("origin", "AWS_KMS"),
        }

    def clean_aliases(self):
        aliases = [a.strip() for a in self.cleaned_data["aliases"].splitlines() if a.strip()]
        for alias in aliases:
            if not alias.startswith("alias/") or len(alias) <= len("alias/"):
                raise forms.ValidationError(f"{alias!r}: an alias looks like alias/NAME.")
        return aliases

    def apply(self, obj, doc):
        _set_or_drop(obj, "description", self.cleaned_data["description"])
        _set_or_drop(obj, "aliases", self.cleaned_data["aliases"])
        for field, default in (
            ("state", "Enabled"),
            ("manager", "CUSTOMER"),
            ("origin", "AWS_KMS"),
        ):
            value = self.cleaned_data[field]
            if value == default:
                obj.pop(field, None)
            else:
                obj[field] = value


class BucketForm(PropsForm):
    algorithm = forms.ChoiceField(
        choices=[("", "none"), ("AES256", "SSE-S3 (AES256)"), ("aws:kms", "SSE-KMS (aws:kms)")],
        required=False,
    )
    key = forms.CharField(max_length=MAX_REF, required=False)
    bucket_key = forms.BooleanField(required=False)
    objects = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_from(cls, obj, doc):
        enc = obj.get("default_encryption") or {}
        return {
            "algorithm": enc.get("algorithm", ""),
            "key": enc.get("key", ""),
            "bucket_key": enc.get("bucket_key", False),
            "objects": "\n".join(o["key"] for o in obj.get("objects") or []),
        }

    def apply(self, obj, doc):
        algorithm = self.cleaned_data["algorithm"]
        if not algorithm:
            obj.pop("default_encryption", None)
        else:
            enc = {"algorithm": algorithm}
            if algorithm == "aws:kms" and self.cleaned_data["key"]:
                enc["key"] = self.cleaned_data["key"]
            if self.cleaned_data["bucket_key"]:
                enc["bucket_key"] = True
            obj["default_encryption"] = enc
        wanted = [k.strip() for k in self.cleaned_data["objects"].splitlines() if k.strip()]
        old = {o["key"]: o for o in obj.get("objects") or []}
        _set_or_drop(obj, "objects", [old.get(k, {"key": k}) for k in dict.fromkeys(wanted)])


class EndpointForm(PropsForm):
    service = forms.ChoiceField(choices=[("kms", "kms"), ("s3", "s3")])

    @classmethod
    def initial_from(cls, obj, doc):
        return {"service": obj.get("service", "kms")}

    def apply(self, obj, doc):
        obj["service"] = self.cleaned_data["service"]


class UnitForm(PropsForm):
    name = forms.CharField(max_length=100, required=False)
    parent = forms.CharField(max_length=64)

    @classmethod
    def initial_from(cls, obj, doc):
        return {"name": obj.get("name", ""), "parent": obj.get("parent", "")}

    def apply(self, obj, doc):
        obj["name"] = self.cleaned_data["name"] or obj["id"]
        obj["parent"] = self.cleaned_data["parent"]


class OrganizationForm(PropsForm):
    id = forms.RegexField(r"^o-[a-z0-9]{10,32}$", max_length=34)
    management_account = forms.CharField(max_length=12, required=False)

    @classmethod
    def initial_from(cls, obj, doc):
        return {"id": obj.get("id", ""), "management_account": obj.get("management_account", "")}

    def apply(self, obj, doc):
        obj["id"] = self.cleaned_data["id"]
        _set_or_drop(obj, "management_account", self.cleaned_data["management_account"])


PROPS_FORMS: dict[str, type[PropsForm]] = {
    "account": AccountForm,
    "user": PrincipalForm,
    "role": PrincipalForm,
    "key": KeyForm,
    "bucket": BucketForm,
    "endpoint": EndpointForm,
    "unit": UnitForm,
    "root": OrganizationForm,
}


class TargetsForm(RefForm):
    """Where an SCP or RCP (ref scp:NAME / rcp:NAME) is attached."""

    targets = forms.MultipleChoiceField(
        choices=(),
        error_messages={"required": "Attach the policy somewhere, or delete it."},
    )

    def __init__(self, *args, target_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].choices = _choices(target_ids)


class GrantForm(RefForm):
    grant_id = forms.RegexField(r"^[A-Za-z0-9_-]{0,64}$", max_length=64, required=False)
    name = forms.CharField(max_length=256, required=False)
    grantee = forms.CharField(max_length=MAX_REF)
    retiring = forms.CharField(max_length=MAX_REF, required=False)
    operations = forms.MultipleChoiceField(choices=_choices(GRANT_OPERATIONS))
    constraint = forms.ChoiceField(
        choices=[("", "none"), ("subset", "context subset"), ("equals", "context equals")],
        required=False,
    )
    context = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    propagated = forms.BooleanField(required=False, initial=True)

    def clean_context(self):
        return parse_pairs(self.cleaned_data["context"], "Encryption context")

    def grant(self, grant_id: str) -> dict:
        data = self.cleaned_data
        grant: dict = {"id": grant_id, "grantee": data["grantee"], "operations": data["operations"]}
        for field in ("name", "retiring"):
            if data[field]:
                grant[field] = data[field]
        if data["constraint"]:
            grant["constraints"] = {f"encryption_context_{data['constraint']}": data["context"]}
        if not data["propagated"]:
            grant["propagated"] = False
        return grant


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
    action = forms.ChoiceField(choices=_choices(ACTIONS))
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
    grant_operations = forms.MultipleChoiceField(choices=_choices(GRANT_OPERATIONS), required=False)
    grant_constraint = forms.ChoiceField(
        choices=[("", "none"), ("subset", "context subset"), ("equals", "context equals")],
        required=False,
    )
    grant_context = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)
    grant_retiring = forms.CharField(max_length=MAX_REF, required=False)
    grant_id = forms.CharField(max_length=128, required=False)
    policy = forms.CharField(
        max_length=MAX_POLICY_CHARS, required=False, strip=False, widget=forms.Textarea
    )
    bypass = forms.BooleanField(required=False)
    destination = forms.CharField(max_length=MAX_REF, required=False)
    expect = forms.ChoiceField(choices=EXPECTATIONS, required=False)

    def clean_encryption_context(self):
        return parse_pairs(self.cleaned_data["encryption_context"], "Encryption context")

    def clean_context(self):
        pairs = parse_pairs(self.cleaned_data["context"], "Context")
        return {k: _context_value(v) for k, v in pairs.items()}

    def clean_grant_context(self):
        return parse_pairs(self.cleaned_data["grant_context"], "Grant context")

    def clean_grant_tokens(self):
        return [t.strip() for t in self.cleaned_data["grant_tokens"].splitlines() if t.strip()]

    def clean(self):
        data = super().clean()
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
            data["session_policy"] = documents.policy_text(steps[-1]["session_policy"])
        grant = attempt.get("grant") if isinstance(attempt.get("grant"), dict) else {}
        constraints = grant.get("constraints") or {}
        kinds = ("subset", "equals")
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
            data["policy"] = documents.policy_text(attempt["policy"])
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
            grant = {"grantee": data["grant_grantee"], "operations": data["grant_operations"]}
            if data["grant_constraint"]:
                key = f"encryption_context_{data['grant_constraint']}"
                grant["constraints"] = {key: data["grant_context"]}
            if data["grant_retiring"]:
                grant["retiring"] = data["grant_retiring"]
            out["grant"] = grant
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


_ATTEMPT_FORM_FIELDS = {
    "id",
    "title",
    "principal",
    "assume",
    "action",
    "resource",
    "encryption_context",
    "context",
    "plaintext",
    "ciphertext",
    "via_service",
    "expect",
    "grant",
    "grant_id",
    "grant_tokens",
    "policy",
    "bypass_policy_lockout_safety_check",
    "destination",
}


class AttemptRefForm(forms.Form):
    attempt = forms.CharField(max_length=64)


class ImportForm(forms.Form):
    file = forms.FileField(required=False)
    text = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6}))

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError(
                    f"The file is {upload.size // 1024} KB; the limit is "
                    f"{MAX_IMPORT_BYTES // 1024} KB. Nothing was changed."
                )
            data["source"] = upload.read()
        elif data.get("text", "").strip():
            if len(data["text"].encode()) > MAX_IMPORT_BYTES:
                raise forms.ValidationError(
                    f"The pasted text is over the {MAX_IMPORT_BYTES // 1024} KB limit. "
                    "Nothing was changed."
                )
            data["source"] = data["text"]
        else:
            raise forms.ValidationError("Choose a file or paste a scenario document.")
        return data


def _set_or_drop(obj: dict, field: str, value: object) -> None:
    if value:
        obj[field] = value
    else:
        obj.pop(field, None)
