"""Django forms: every write to a scenario is validated by one of these first.

Property forms know how to fill themselves from a node (`initial_from`) and
how to write their cleaned values back into a copy of it (`apply`).
"""

from __future__ import annotations

from django import forms

from playground import document_nodes
from playground.attempt_form import AttemptForm as AttemptForm  # re-exported: it lived here
from playground.form_values import (
    GRANT_CONSTRAINT_CHOICES,
    GRANT_OPERATIONS,
    KEY_MANAGERS,
    KEY_ORIGINS,
    KEY_STATES,
    MAX_POLICY_CHARS,
    MAX_REF,
    choices,
    format_pairs,
    grant_document,
    parse_pairs,
)
from playground.store import MAX_DOCUMENT_BYTES
from playground.widgets import QuickSelect

PANEL_IDS = "prop-%s"  # ids of the node panel's fields, apart from the attempt form's
MAX_IMPORT_BYTES = MAX_DOCUMENT_BYTES

KEY_ID = r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
REGION = r"^[a-z]{2}(-[a-z]+)+-[0-9]+$"


class RefForm(forms.Form):
    ref = forms.CharField(max_length=MAX_REF)


class RevisionForm(forms.Form):
    """The version of the working copy a write says it was made from (access.editable)."""

    revision = forms.IntegerField(min_value=0, max_value=999_999_999, required=False)

    def stated(self) -> int | None:
        """The version stated; None when none is, -1 when it is not a version."""
        if not self.is_valid():
            return -1
        return self.cleaned_data["revision"]


class OpenForm(forms.Form):
    """Opening a scenario: in predict mode or not."""

    predict = forms.BooleanField(required=False)


class AddNodeForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, document_nodes.KIND_LABELS[k]) for k in document_nodes.ADDABLE_KINDS]
    )
    name = forms.CharField(max_length=64, required=False, strip=True)
    account = forms.CharField(max_length=12, required=False)

    def chosen(self) -> tuple[str, str]:
        """The kind and account to offer again in the add form."""
        data = getattr(self, "cleaned_data", {})
        return data.get("kind", "role"), data.get("account", "")


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


class BackForm(RefForm):
    """A write to an SCP or RCP (ref), made from the panel of the node `back`."""

    back = forms.CharField(max_length=64, required=False)

    def back_to(self) -> str:
        """The panel to show after it (call after is_valid)."""
        return getattr(self, "cleaned_data", {}).get("back", "")


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
        # Every property form says how it writes its fields; the base has none.
        raise TypeError(f"{type(self).__name__} must define apply()")


class ScenarioForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(max_length=300, required=False)
    description = forms.CharField(max_length=20_000, required=False, widget=forms.Textarea)
    region = forms.RegexField(
        REGION,
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "us-east-1 (the default)"}),
    )

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
    account_id = forms.RegexField(
        r"^[0-9]{12}$",
        label="Account id",
        required=False,
        error_messages={"invalid": "An account id is 12 digits."},
        help_text="every ARN and reference that names it follows",
    )
    name = forms.CharField(max_length=100, required=False)
    in_organization = forms.BooleanField(required=False)
    parent = forms.CharField(max_length=64, required=False)

    @classmethod
    def initial_from(cls, obj, doc):
        return {
            "account_id": obj["id"],
            "name": obj.get("name", ""),
            "in_organization": obj.get("in_organization", True),
            "parent": obj.get("parent", ""),
        }

    def apply(self, obj, doc):
        obj["id"] = self.cleaned_data["account_id"] or obj["id"]  # blank keeps it
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
        self.fields["groups"].choices = choices(group_names)

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
    key_id = forms.RegexField(
        KEY_ID,
        label="Key id",
        required=False,
        error_messages={"invalid": "A key id is a UUID, or mrk- and 32 hex digits."},
        help_text="its ARN follows everywhere",
    )
    region = forms.RegexField(
        REGION,
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "the scenario's region"}),
    )
    description = forms.CharField(max_length=8192, required=False)
    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    state = forms.ChoiceField(choices=choices(KEY_STATES))
    manager = forms.ChoiceField(choices=choices(KEY_MANAGERS))
    origin = forms.ChoiceField(choices=choices(KEY_ORIGINS))

    @classmethod
    def initial_from(cls, obj, doc):
        return {
            "key_id": obj["id"],
            "region": obj.get("region", ""),
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
        obj["id"] = self.cleaned_data["key_id"] or obj["id"]  # blank keeps it
        region = self.cleaned_data["region"]
        _set_or_drop(obj, "region", region if region != document_nodes.region_of(doc) else "")
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


class TargetsForm(BackForm):
    """Where an SCP or RCP (ref scp:NAME / rcp:NAME) is attached."""

    targets = forms.MultipleChoiceField(
        choices=(),
        error_messages={"required": "Attach the policy somewhere, or delete it."},
    )

    def __init__(self, *args, target_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].choices = choices(target_ids)


class GrantRefForm(RefForm):
    grant_id = forms.RegexField(r"^[A-Za-z0-9_-]{0,64}$", max_length=64, required=False)


class FixForm(forms.Form):
    attempt = forms.CharField(max_length=64)
    fix = forms.CharField(max_length=64)


class GrantForm(RefForm):
    grant_id = forms.RegexField(r"^[A-Za-z0-9_-]{0,64}$", max_length=64, required=False)
    name = forms.CharField(max_length=256, required=False)
    grantee = forms.CharField(max_length=MAX_REF)
    retiring = forms.CharField(max_length=MAX_REF, required=False)
    operations = forms.MultipleChoiceField(choices=choices(GRANT_OPERATIONS))
    constraint = forms.ChoiceField(choices=GRANT_CONSTRAINT_CHOICES, required=False)
    context = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    propagated = forms.BooleanField(required=False, initial=True)

    def clean_context(self):
        return parse_pairs(self.cleaned_data["context"], "Encryption context")

    def typed(self) -> dict:
        """The form's fields as sent, to show back when it is refused (nothing typed is lost)."""
        data = self.data
        fields = ("grant_id", "grantee", "constraint", "context", "retiring", "name")
        typed = {f: str(data.get(f, "")) for f in fields}
        return {
            **typed,
            "operations": data.getlist("operations"),
            "propagated": "propagated" in data,
        }

    def grant(self, grant_id: str) -> dict:
        data = self.cleaned_data
        grant = {
            "id": grant_id,
            **grant_document(
                data["grantee"],
                data["operations"],
                constraint=data["constraint"],
                context=data["context"],
                retiring=data["retiring"],
                name=data["name"],
            ),
        }
        if not data["propagated"]:
            grant["propagated"] = False
        return grant


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


class PasteAwsForm(ImportForm):
    """AWS CLI output or CloudTrail events, merged into the scenario."""

    # Every node of the scenario is a choice: drawn without a template per option.
    target = forms.ChoiceField(required=False, choices=(), widget=QuickSelect)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "(decide from the paste)"), *targets]

    def clean(self):
        if not self.files.get("file") and not (self.data.get("text") or "").strip():
            raise forms.ValidationError("Choose a file or paste what the AWS CLI printed.")
        return super().clean()


def _set_or_drop(obj: dict, field: str, value: object) -> None:
    if value:
        obj[field] = value
    else:
        obj.pop(field, None)
