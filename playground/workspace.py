"""What the workspace page and its partials show, for a working copy or a snapshot.

A `Space` is either: a working copy (editable by the browser holding its
token, read-only to everyone else) or a snapshot (always read-only). The
context builders here are shared by the full page and by each partial.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import evaluator
from playground import (
    attempt_form,
    canvas,
    challenges,
    document_nodes,
    document_org,
    engine,
    form_values,
    forms,
    predict,
    tracing,
    verdicts,
)
from playground.models import Snapshot, WorkingCopy


@dataclass
class Space:
    kind: str  # "copy" or "snapshot"
    id: str
    document: dict
    lineage: str
    editable: bool
    drafts: dict = field(default_factory=dict)
    wc: WorkingCopy | None = None

    @property
    def base(self) -> str:
        return f"/w/{self.id}/" if self.kind == "copy" else f"/s/{self.id}/"

    @property
    def title(self) -> str:
        return self.document.get("title") or "Untitled scenario"

    def loaded(self):
        if not hasattr(self, "_loaded"):
            self._loaded = engine.load(self.document)
        return self._loaded


def from_copy(wc: WorkingCopy, editable: bool) -> Space:
    return Space("copy", wc.id, wc.document, wc.lineage, editable, wc.drafts, wc)


def from_snapshot(snap: Snapshot) -> Space:
    return Space("snapshot", snap.id, snap.document, snap.lineage, False)


# ----------------------------------------------------------------------------- canvas


def canvas_context(
    space: Space, selected: str = "", *, add_kind: str = "role", add_account: str = ""
) -> dict:
    nodes = list(document_nodes.iter_nodes(space.document))
    return {
        "space": space,
        "canvas": canvas.build(space.document, verdicts.of(space).edges),
        "selected": selected,
        "accounts": [n for n in nodes if n.kind == "account"],
        "add_kinds": [(k, document_nodes.KIND_LABELS[k]) for k in document_nodes.ADDABLE_KINDS],
        "add_kind": add_kind,
        "add_account": add_account,
    }


# ----------------------------------------------------------------------------- panel


def _slot_view(space: Space, slot: document_nodes.Slot, pointer: str) -> dict:
    saved = document_nodes.get_pointer(space.document, pointer + slot.path)
    draft = space.drafts.get(slot.draft_key)
    text = draft if draft is not None else document_nodes.policy_text(saved)
    _, problems = engine.check_text(text, slot.kind)
    dom_id = "policy-" + hashlib.sha1(slot.draft_key.encode()).hexdigest()[:10]
    return {
        "slot": slot,
        "text": text,
        "is_draft": draft is not None,
        "problems": problems,
        "errors": sum(1 for p in problems if p["severity"] == "error"),
        "dom_id": dom_id,
        "problems_id": dom_id + "-problems",
    }


def panel_context(space: Space, ref: str, *, form=None, message: str = "") -> dict:
    doc = space.document
    context = {"space": space, "ref": ref, "message": message}
    found = document_nodes.owner_object(doc, ref) if ref else None
    if found is None:
        context["scenario_form"] = form or forms.ScenarioForm(
            initial=forms.ScenarioForm.initial_from(doc), auto_id=forms.PANEL_IDS
        )
        return context
    pointer, obj = found
    node = document_nodes.find_node(doc, ref)
    kind = node.kind if node else ref[:3]
    context.update(
        node=node,
        kind=kind,
        kind_label=document_nodes.KIND_LABELS.get(kind, kind),
        label=node.label if node else obj.get("name", ""),
        slots=[_slot_view(space, s, pointer) for s in document_nodes.policy_slots(doc, ref)],
    )
    form_class = forms.PROPS_FORMS.get(kind)
    if form_class is not None:
        if form is None:
            initial = {"ref": ref, **form_class.initial_from(obj, doc)}
            extra = {"group_names": _group_names(doc, obj)} if kind in ("user", "role") else {}
            form = form_class(initial=initial, auto_id=forms.PANEL_IDS, **extra)
        context["props_form"] = form
    if kind in ("user", "role", "group"):
        context["can_add_identity"] = True
    if kind in ("user", "role") and "permissions_boundary" not in obj:
        context["optional_policy"] = "Add a permissions boundary"
    if kind in ("bucket", "endpoint") and "policy" not in obj:
        context["optional_policy"] = f"Add a {document_nodes.KIND_LABELS[kind].split()[-1]} policy"
    if kind == "key":
        context["grants"] = obj.get("grants") or []
        context["grant_operations"] = form_values.GRANT_OPERATIONS
        context["principal_refs"] = [
            n.ref for n in document_nodes.iter_nodes(doc) if n.kind in ("user", "role")
        ]
    if kind in ("root", "unit", "account") and isinstance(doc.get("organization"), dict):
        context["org_policies"] = [
            {
                "ref": oref,
                "name": name,
                "targets": targets,
                "slots": [
                    _slot_view(space, s, document_nodes.owner_object(doc, oref)[0])
                    for s in document_nodes.policy_slots(doc, oref)
                ],
            }
            for oref, name, targets in document_org.org_policies_for(doc, ref)
        ]
        context["org_containers"] = _org_containers(doc)
        context["org_targets"] = document_org.org_targets(doc)
    if kind in ("scp", "rcp"):
        context["targets"] = obj.get("targets") or []
    return context


def _group_names(doc: dict, obj: dict) -> list[str]:
    return [g["name"] for g in doc.get("groups") or [] if g["account"] == obj.get("account")]


def _org_containers(doc: dict) -> list[tuple[str, str]]:
    org = doc.get("organization") or {}
    root = org.get("root") or document_nodes.DEFAULT_ROOT
    return [(root, "Root")] + [(u["id"], u.get("name") or u["id"]) for u in org.get("units") or []]


# ----------------------------------------------------------------------------- attempts


def attempt_choices(doc: dict) -> dict:
    nodes = list(document_nodes.iter_nodes(doc))
    principals = [n.ref for n in nodes if n.kind in ("user", "role")]
    roots = [evaluator.root_arn(n.ref) for n in nodes if n.kind == "account"]
    resources = []
    for k in doc.get("keys") or []:
        arn = document_nodes.key_arn(doc, k)
        resources.append(arn)
        region = k.get("region") or document_nodes.region_of(doc)
        resources.extend(
            evaluator.alias_arn(region, k["account"], a) for a in k.get("aliases") or []
        )
    for b in doc.get("buckets") or []:
        resources.extend(evaluator.object_arn(b["name"], o["key"]) for o in b.get("objects") or [])
    roles = [n.ref for n in nodes if n.kind == "role"]
    return {
        "principal_options": principals + roots,
        "role_options": roles,
        "resource_options": resources + roles,
    }


def attempts_context(space: Space, *, form=None, editing: str = "", message: str = "") -> dict:
    attempts = space.document.get("attempts") or []
    if form is None:
        current = next((a for a in attempts if a.get("id") == editing), None)
        form = attempt_form.AttemptForm(
            initial=attempt_form.AttemptForm.initial_from(current)
            if current
            else {"action": "kms:Decrypt"}
        )
    lines = attempt_lines(space.document)
    current = verdicts.of(space).attempts
    rows = [
        {
            "attempt": a,
            "result": current.get(a["id"]),
            "line": lines.get(a["id"], ""),
            "expect_label": predict.expect_label(a.get("expect")),
        }
        for a in attempts
    ]
    return {
        "space": space,
        "challenge_mode": challenge_document(space) is not None,
        "rows": rows,
        "form": form,
        "editing": editing,
        "message": message,
        "attempt_ids": [a["id"] for a in attempts],
        "groups": {k: " ".join(v) for k, v in attempt_form.ATTEMPT_GROUPS.items()},
        "grant_operations": form_values.GRANT_OPERATIONS,
        **attempt_choices(space.document),
    }


def _key_names(doc: dict) -> dict[str, str]:
    """Every way an attempt may name a key (ARN, id, alias), mapped to the key's label."""
    names: dict[str, str] = {}
    for k in doc.get("keys") or []:
        label = document_nodes.key_label(k)
        arn = document_nodes.key_arn(doc, k)
        prefix = arn.rsplit(":", 1)[0]
        names[arn] = names[k["id"]] = label
        for alias in k.get("aliases") or []:
            names[f"{prefix}:{alias}"] = alias.removeprefix("alias/")
    return names


def _target_name(value: str, keys: dict[str, str]) -> str:
    if value in keys:
        return keys[value]
    if value.startswith("arn:aws:s3:::"):
        return value.removeprefix("arn:aws:s3:::")
    return value.rsplit("/", 1)[-1] if "/" in value else value


def attempt_lines(doc: dict) -> dict[str, str]:
    """attempt id -> a neutral one-line summary: who, what, on which key (by name)."""
    keys = _key_names(doc)
    return {a["id"]: _attempt_line(a, keys) for a in doc.get("attempts") or [] if "id" in a}


def _attempt_line(a: dict, keys: dict[str, str]) -> str:
    who = a.get("principal", "").rsplit("/", 1)[-1] or a.get("principal", "")
    if who.endswith(":root"):
        who = f"root of {who.split(':')[4]}"
    chain = " → ".join(_assume_step(s) for s in a.get("assume") or [])
    what = a.get("resource") or ""
    target = _target_name(what, keys) if what else ""
    if not target and isinstance(a.get("ciphertext"), dict):
        target = f"the ciphertext of {a['ciphertext'].get('from_attempt')}"
    dest = a.get("destination")
    if dest:
        target = f"{target} → {_target_name(dest, keys)}"
    via = a.get("via_service", "")
    context = a.get("encryption_context")
    others = a.get("context") or {}
    parts = (
        who,
        f"→ {chain}" if chain else "",
        a.get("action", ""),
        target,
        f"via {via.split('.', 1)[0]}" if via else "",
        f"context {json.dumps(context, ensure_ascii=False)}" if context else "",
        " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in others.items()),
    )
    return " ".join(part for part in parts if part)


def _assume_step(step: dict) -> str:
    role = step.get("role", "").rsplit("/", 1)[-1]
    if "external_id" in step:
        return f"{role} (ExternalId {json.dumps(step['external_id'])})"
    return role


def new_attempt_id(doc: dict, action: str) -> str:
    taken = {a["id"] for a in doc.get("attempts") or []}
    base = action.split(":")[-1].lower() or "attempt"
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ----------------------------------------------------------------------------- challenge


def challenge_document(space: Space) -> dict | None:
    """The document whose goals this space is graded against: where it started from."""
    origin = space.wc.origin if space.wc is not None else None
    if origin is None or challenges.goals_of(origin.document) is None:
        return None
    return origin.document


def challenge_context(space: Space, *, check: bool = False) -> dict:
    reference = challenge_document(space)
    context: dict = {"space": space, "challenge": None}
    if reference is None:
        return context
    goals = challenges.goals_of(reference) or {}
    context["challenge"] = {
        "intro": goals.get("intro", ""),
        "tasks": challenges.tasks(reference),
        "least_privilege": bool(goals.get("least_privilege")),
    }
    if check:
        context["grade"] = challenges.grade(reference, space.document, space.lineage)
    return context


# ----------------------------------------------------------------------------- results


def run(space: Space, attempt_ids: list[str] | None):
    """Evaluate some (or all) attempts of the space with their traces."""
    return engine.evaluate(space.loaded().scenario, space.lineage, attempt_ids=attempt_ids)


def not_run(evaluation, attempt_id: str = "") -> str:
    """Why an attempt has no result: the evaluation's first error, in the user's words."""
    first = next((p for p in evaluation.problems if p.is_error), None)
    if first is None:
        return f'Attempt "{attempt_id}" was not run.' if attempt_id else "Nothing was run."
    if first.code == "evaluation.budget":
        return first.message
    return f"The scenario cannot be evaluated: {first.where()}: {first.message}"


def result_context(space: Space, result) -> dict:
    view = tracing.result_view(result, space.document)
    return {
        "space": space,
        "result": view,
        "result_line": attempt_lines(space.document).get(result.id, ""),
        "expect_label": predict.expect_label(view.expect),
    }


def question_context(space: Space, attempt_id: str, action: str = "") -> dict:
    """Predict mode, before the reveal: the attempt, neutrally worded, and the choices.

    `action` makes the form a plain GET to that page (the presenter view reloads
    itself); without it the form swaps the result panel in place.
    """
    attempts = space.document.get("attempts") or []
    number = next(i for i, a in enumerate(attempts, 1) if a.get("id") == attempt_id)
    return {
        "space": space,
        "ask": {
            "id": attempt_id,
            "number": number,
            "line": attempt_lines(space.document).get(attempt_id, ""),
            "answers": predict.ANSWERS,
            "codes": predict.ERROR_CODES,
            "action": action,
        },
    }


def revealed_context(space: Space, result, guess: str) -> dict:
    """Predict mode, after the reveal: the result, and whether the guess was right."""
    context = result_context(space, result)
    key = predict.answer(result.authorization, result.outcome)
    context["prediction"] = {
        "skipped": guess == predict.SKIP,
        "guess": guess,
        "guess_label": predict.answer_label(guess),
        "answer": key,
        "answer_label": predict.answer_label(key),
        "correct": guess == key,
    }
    return context
