"""What the workspace page and its partials show, for a working copy or a snapshot.

A `Space` is either: a working copy (editable by the browser holding its
token, read-only to everyone else) or a snapshot (always read-only). The
context builders here are shared by the full page and by each partial.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

import evaluator
from playground import (
    attempt_form,
    canvas,
    challenges,
    changes,
    document_nodes,
    document_org,
    engine,
    form_values,
    forms,
    links,
    predict,
    tracing,
    verdicts,
)
from playground.models import Revision, Snapshot, WorkingCopy


@dataclass
class Space:
    kind: str  # "copy" or "snapshot"
    id: str
    document: dict
    lineage: str
    editable: bool
    drafts: dict = field(default_factory=dict)
    wc: WorkingCopy | None = None
    version: int = 0  # the working copy's version this page shows (0 for a snapshot)

    @cached_property
    def urls(self) -> links.SpaceUrls:
        return links.space_urls(self.kind, self.id)

    @property
    def title(self) -> str:
        return self.document.get("title") or "Untitled scenario"

    def loaded(self):
        if not hasattr(self, "_loaded"):
            self._loaded = engine.load(self.document, key=self.digest(layout=True))
        return self._loaded

    def digest(self, *, layout: bool = False) -> str:
        """The document's fingerprint, worked out once per request (it costs a
        JSON dump of the whole document; both fingerprints come from one)."""
        if not hasattr(self, "_digests"):
            self._digests = engine.digests(self.document)
        return self._digests[1 if layout else 0]


def from_copy(wc: WorkingCopy, editable: bool) -> Space:
    """The copy as its owner (editable) or a viewer sees it: drafts are the owner's only."""
    drafts = wc.drafts if editable else {}
    return Space("copy", wc.id, wc.document, wc.lineage, editable, drafts, wc, wc.version)


def from_snapshot(snap: Snapshot) -> Space:
    return Space("snapshot", snap.id, snap.document, snap.lineage, False)


# ----------------------------------------------------------------------------- canvas


def canvas_context(
    space: Space, selected: str = "", *, add_kind: str = "role", add_account: str = ""
) -> dict:
    nodes = list(document_nodes.iter_nodes(space.document))
    return {
        "space": space,
        "canvas": _built(space),
        "canvas_svg": CanvasSvg(space, selected),
        "matrix_stopped": verdicts.of(space).matrix.stopped,  # type: ignore[attr-defined]
        "selected": selected,
        "accounts": [n for n in nodes if n.kind == "account"],
        "add_kinds": [(k, document_nodes.KIND_LABELS[k]) for k in document_nodes.ADDABLE_KINDS],
        "add_kind": add_kind,
        "add_account": add_account,
    }


class CanvasSvg:
    """The canvas's SVG, drawn on first use in the mode the page shows (predict
    mode leaves out the access arrows)."""

    def __init__(self, space: Space, selected: str) -> None:
        self.space, self.selected = space, selected

    @cached_property
    def plain(self) -> str:
        return _svg(self.space, self.selected, predict=False)

    @cached_property
    def predict(self) -> str:
        return _svg(self.space, self.selected, predict=True)


_BUILT: OrderedDict[tuple[str, str], canvas.Canvas] = OrderedDict()
_SVG: OrderedDict[tuple[str, str, str, bool], str] = OrderedDict()


def _remember(cache: OrderedDict, key: tuple, value, size: int = 32):
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)
    return value


def _built(space: Space) -> canvas.Canvas:
    """Geometry and arrows, computed once per revision and layout."""
    key = (space.lineage, space.digest(layout=True))
    found = _BUILT.get(key)
    if found is not None:
        _BUILT.move_to_end(key)
        return found
    return _remember(_BUILT, key, canvas.build(space.document, verdicts.of(space).edges))


def _svg(space: Space, selected: str, *, predict: bool) -> str:
    """The SVG, drawn once per revision, layout, selection and mode."""
    key = (space.urls.page, space.digest(layout=True), selected, predict)
    found = _SVG.get(key)
    if found is not None:
        _SVG.move_to_end(key)
        return found
    drawn = _built(space)
    arrows = [
        a.svg()
        for a in drawn.arrows
        if not predict or a.kind == "sse"  # predict mode shows no verdict
    ]
    nodes = []
    for ref, n in drawn.geometry.nodes.items():
        b = n.box
        shown = (space.urls.page, ref, ref == selected, n.kind, n.label, n.kind_label, n.sublabel)
        # In predict mode a node's link keeps the mode, so the mode is part of its key.
        context = {"ref": ref, "n": n, "space": space, "is_selected": ref == selected}
        context["predict"] = predict
        drawn_as = (*shown, predict, b.x, b.y, b.w, b.h)  # not `key`: that is the SVG's
        nodes.append(_fragment("playground/partials/canvas_node.html", drawn_as, context))
    svg = render_to_string(
        "playground/partials/canvas_svg.html",
        {
            "canvas": drawn,
            "space": space,
            "selected": selected,
            "predict": predict,
            "arrows_html": mark_safe("\n".join(arrows)),
            "nodes_html": mark_safe("\n".join(nodes)),
        },
    )
    return _remember(_SVG, key, svg)


_FRAGMENTS: OrderedDict[tuple, str] = OrderedDict()


def _fragment(template: str, key: tuple, context: dict) -> str:
    """One arrow or node, drawn by its template once while it stays the same: an
    edit redraws only what it moved (the template engine costs about half a
    millisecond per element, which at 400 nodes would be the whole budget)."""
    found = _FRAGMENTS.get((template, *key))
    if found is None:
        found = _FRAGMENTS[(template, *key)] = render_to_string(template, context)
        if len(_FRAGMENTS) > 20_000:
            _FRAGMENTS.popitem(last=False)
    return found


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


def panel_context(
    space: Space, ref: str, *, form=None, message: str = "", grant: dict | None = None
) -> dict:
    """The node panel of `ref`; `form` or `grant` (a refused grant form's fields) as typed."""
    doc = space.document
    context = {"space": space, "ref": ref, "message": message, "typed_grant": grant}
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
            extra = {}
            if kind in ("user", "role"):
                extra["group_names"] = document_nodes.group_names(doc, obj.get("account"))
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


# ----------------------------------------------------------------------------- changes


CHANGES_SHOWN = 15


def base_document(space: Space) -> dict | None:
    """The revision the last edit, undo or redo of a working copy came from."""
    wc = space.wc
    if wc is None or wc.diff_base is None:
        return None
    rev = Revision.objects.filter(working_copy=wc, number=wc.diff_base).only("document").first()
    return rev.document if rev is not None else None


def changes_context(space: Space) -> dict:
    before = base_document(space)
    items: list = []
    if before is not None:
        old = verdicts.of_document(before, space.lineage)
        if old.ok:
            items = changes.diff(old, verdicts.of(space), before, space.document)
    shown = items[:CHANGES_SHOWN]  # an import can change hundreds of cells
    return {
        "space": space,
        "changes": shown,
        "more_changes": len(items) - len(shown),
        "has_base": before is not None,
    }


# ----------------------------------------------------------------------------- fixes


def fixes_context(space: Space, attempt_id: str) -> dict:
    """The proven fixes of a denied attempt, ready to show; the evaluator's hints
    (not proven) only when no edit it tried flips the attempt."""
    context: dict = {"space": space, "attempt_id": "", "proven": [], "hints": []}
    if not any(a.get("id") == attempt_id for a in space.document.get("attempts") or []):
        return context
    context["attempt_id"] = attempt_id
    names = changes.labels(space.document)
    for fix in engine.proven_fixes(space.document, attempt_id, space.lineage):
        context["proven"].append(
            {
                "id": fix.id,
                "kind": fix.kind,
                "title": fix.title,
                "note": fix.note,
                "pointer": fix.pointer,
                "diff": engine.json_diff(fix),
                "others": [changes.edge_text(e, True, names) for e in fix.others],
            }
        )
    if not context["proven"]:
        evaluation = run(space, [attempt_id])
        for r in evaluation.results:
            if r.authorization != "allow":
                context["hints"] = list(r.decision.fixes)
    return context


# ----------------------------------------------------------------------------- matrix


# Rows the matrix table shows at once: 200 roles x 100 keys made 40,000 rows,
# 15 MB of HTML and 3 s of template rendering after the evaluation's budget.
MATRIX_ROWS = 1_000


def matrix_context(space: Space, *, key: str = "", principal: str = "", show: str = "") -> dict:
    """The access matrix as a table: "who can use this key", "what can this principal do".

    Rows are the evaluator's edges (keys, directly or through S3, and role
    trust); `show` is "allowed" (the default) or "all" (denied pairs too).
    """
    names = changes.labels(space.document)
    show = show if show in ("allowed", "all") else "allowed"
    rows, total = [], 0
    for e in verdicts.of(space).edges:
        if e.kind == "sse" or (key and e.target != key) or (principal and e.source != principal):
            continue
        if show == "allowed" and not e.allowed:
            continue
        total += 1
        if total > MATRIX_ROWS:
            continue
        rows.append(
            {
                "who": changes.node_name(e.source, names),
                "source": e.source,
                "what": changes.node_name(e.target, names),
                "target": e.target,
                "operation": e.operation,
                "via": changes.node_name(e.via, names) if e.via else "",
                "authorization": e.authorization,
                "badge": tracing.badge(e.authorization, "Success")[1],
                "how": "grant" if e.via_grant else e.named,
                "rule": e.rule or "",
            }
        )
    nodes = list(document_nodes.iter_nodes(space.document))
    query = "&".join(
        f"{k}={quote(v)}" for k, v in (("key", key), ("principal", principal), ("show", show)) if v
    )
    return {
        "space": space,
        "matrix_stopped": verdicts.of(space).matrix.stopped,  # type: ignore[attr-defined]
        "matrix_rows": rows,
        "matrix_total": total,
        "matrix_keys": [(n.ref, n.label) for n in nodes if n.kind in ("key", "role")],
        "matrix_principals": [
            (n.ref, n.label) for n in nodes if n.kind in ("user", "role", "account")
        ],
        "matrix_filter": {"key": key, "principal": principal, "show": show},
        "matrix_query": query,
    }
