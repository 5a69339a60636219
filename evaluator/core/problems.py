"""Every error and warning the evaluator can report, in one catalogue.

A problem is data: a stable code, a message, and where it is (a JSON pointer
into the document, plus line and column when the text came from a user).
Templates, the canvas and the command line only read these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

# Problems are placed by JSON pointer; the modules that report them build pointers
# with this (kept importable from here, where they always found it).
from evaluator.core.pointer import pointer_join as pointer_join

Severity = Literal["error", "warning"]

# code -> (severity, short title). Codes are stable: tests, the API and the
# editor's gutter refer to them. Add new codes here, never reuse a retired one.
CATALOGUE: dict[str, tuple[Severity, str]] = {
    # Reading text
    "json.syntax": ("error", "Invalid JSON"),
    "json.duplicate_key": ("warning", "Duplicate key"),
    "json.too_large": ("error", "Document too large"),
    "json.unsupported": ("error", "JSON the playground cannot keep"),
    # Scenario documents (format 1)
    "scenario.type": ("error", "Wrong type"),
    "scenario.required": ("error", "Missing required field"),
    "scenario.value": ("error", "Invalid value"),
    "scenario.format": ("error", "Unsupported format version"),
    "scenario.duplicate": ("error", "Duplicate identifier"),
    "scenario.reference": ("error", "Unknown reference"),
    "scenario.unknown_field": ("warning", "Unknown field kept as is"),
    # Policy documents
    "policy.type": ("error", "Wrong type in policy"),
    "policy.version": ("error", "Unsupported policy version"),
    "policy.missing_version": ("warning", "No Version: policy variables are off"),
    "policy.unknown_element": ("error", "Unknown policy element"),
    "policy.missing_element": ("error", "Missing policy element"),
    "policy.conflicting_elements": ("error", "Conflicting policy elements"),
    "policy.effect": ("error", "Effect must be Allow or Deny"),
    "policy.principal_in_identity_policy": ("error", "Principal in an identity policy"),
    "policy.principal_required": ("error", "Resource policy statement needs a Principal"),
    "policy.principal_form": ("error", "Invalid principal"),
    "policy.principal_wildcard": ("error", "Partial wildcard in a principal"),
    "policy.action_form": ("error", "Invalid action"),
    "policy.action_matches_nothing": ("warning", "Action string that matches nothing"),
    "policy.resource_form": ("error", "Invalid resource"),
    "policy.too_large": ("error", "Policy over the size limit"),
    "policy.empty_statement": ("warning", "Policy has no statement"),
    "policy.duplicate_sid": ("warning", "Duplicate Sid"),
    "policy.not_principal_allow": ("warning", "NotPrincipal with Allow"),
    "policy.trust_wildcard": ("warning", "Trust policy trusts everyone"),
    "policy.rcp_allow": ("error", "RCPs may only Deny"),
    "policy.rcp_principal": ("error", 'RCP Principal must be "*"'),
    "policy.rcp_not_supported": ("error", "Element not supported in an RCP"),
    "policy.scp_principal": ("error", "SCPs take no Principal"),
    "policy.unprintable": ("error", "Character not allowed in a key policy"),
    "policy.no_effect": ("warning", "Statement can never apply"),
    "policy.lockout_risk": ("warning", "Nobody could change this key policy again"),
    # Conditions
    "condition.type": ("error", "Wrong type in Condition"),
    "condition.unknown_operator": ("error", "Unknown condition operator"),
    "condition.bad_value": ("error", "Value does not fit the operator"),
    "condition.null_if_exists": ("error", "Null has no IfExists form"),
    "condition.null_set_operator": ("error", "Null takes no set operator"),
    "condition.variable_not_allowed": ("warning", "Policy variable not allowed here"),
    "condition.set_operator_single_valued": ("warning", "Set operator on a single-valued key"),
    "condition.for_all_values_context": ("error", "ForAllValues on kms:EncryptionContext:<key>"),
    "condition.key_missing": ("warning", "Condition key not in the request"),
    "condition.unknown_key": ("warning", "Condition key not known to the playground"),
    # Requests and attempts
    "attempt.unknown_action": ("warning", "Action not modelled"),
    "attempt.unknown_principal": ("error", "Unknown principal"),
    "attempt.bad_resource": ("error", "Resource not understood"),
    "attempt.bad_ciphertext_ref": ("error", "Ciphertext reference not found"),
    "attempt.assumption": ("warning", "Modelled assumption"),
    "attempt.assume_chain": ("error", "Role chain too long"),
    # Evaluation
    "evaluation.budget": ("error", "Evaluation stopped: over the request's budget"),
    # AWS's catalogue of actions and condition keys (checks in evaluator/catalogue.py)
    "catalogue.unknown_action": ("warning", "Action not in AWS's catalogue"),
    "catalogue.unknown_key": ("warning", "Condition key not in AWS's catalogue"),
    "catalogue.key_not_supported": ("warning", "Condition key the actions do not support"),
    "catalogue.operator_type": ("warning", "Operator does not fit the key's type"),
    "catalogue.resource_type": ("warning", "Resource the actions do not take"),
    # Pasted AWS CLI output and CloudTrail events (evaluator/aws_import/)
    "import.unrecognised": ("error", "Not recognised as AWS output"),
    "import.not_understood": ("warning", "Part of the paste not imported"),
    "import.assumed": ("warning", "Filled in by the playground"),
    "import.target": ("error", "Choose where this goes"),
    "import.policy": ("error", "Embedded policy is not valid JSON"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning, located by JSON pointer (and line/column)."""

    code: str
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None

    @property
    def severity(self) -> Severity:
        return CATALOGUE.get(self.code, ("error", ""))[0]

    @property
    def title(self) -> str:
        return CATALOGUE.get(self.code, ("error", self.code))[1]

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def at(self, prefix: str) -> Problem:
        """The same problem, its pointer moved under `prefix`."""
        return replace(self, pointer=prefix + self.pointer)

    def where(self) -> str:
        """Human form of the location: `/keys/0/policy (line 12, column 5)`."""
        place = self.pointer or "/"
        if self.line is not None:
            place += f" (line {self.line}, column {self.column})"
        return place

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "pointer": self.pointer,
        }
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        return out

    def __str__(self) -> str:
        return f"{self.where()}: {self.message} [{self.code}]"


def problem(code: str, message: str, pointer: str = "") -> Problem:
    if code not in CATALOGUE:  # a typo in a code is a bug, caught by the tests
        raise KeyError(f"unknown problem code {code!r}")
    return Problem(code, message, pointer)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def locate(
    problems: Iterable[Problem], positions: Mapping[str, tuple[int, int]] | None
) -> list[Problem]:
    """Attach line and column from a pointer->(line, column) map.

    A pointer with no exact entry takes the position of its nearest ancestor,
    so an error about a missing member points at the object that lacks it.
    """
    out = []
    for p in problems:
        if positions is None or p.line is not None:
            out.append(p)
            continue
        ptr = p.pointer
        while ptr not in positions and ptr:
            ptr = ptr.rsplit("/", 1)[0]
        pos = positions.get(ptr)
        out.append(replace(p, line=pos[0], column=pos[1]) if pos else p)
    return out
