"""Policy text, SCPs and RCPs, and grants.

Policy text is saved as the user types. Text that is valid (no error from
check_policy) replaces the policy in the scenario; text that is not valid yet
is kept as a draft, so nothing typed is ever lost, while the scenario keeps
the last valid policy. The editor posts here with `Accept: application/json`
and gets the problems back for its gutter; a plain form post is redirected.
"""

from __future__ import annotations

import json
import secrets

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from playground import document_nodes, document_org, documents, engine, forms, store
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import WorkingCopy
from playground.views.nodes import _panel_result


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _slot(doc: dict, ref: str, path: str) -> document_nodes.Slot | None:
    return next((s for s in document_nodes.policy_slots(doc, ref) if s.path == path), None)


@require_POST
@editable
def save_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.PolicyForm(request.POST)
    slot = _slot(wc.document, request.POST.get("ref", ""), request.POST.get("path", ""))
    if not form.is_valid() or slot is None:
        message = " ".join(e for errs in form.errors.values() for e in errs) or "No such policy."
        return _policy_response(request, wc, slot, "refused", [], message)
    text, unwrapped = _unwrapped(form.cleaned_data["text"])
    value, problems = engine.check_text(text, slot.kind)
    drafts = dict(wc.drafts)
    if value is None:
        drafts[slot.draft_key] = text
        try:
            store.save_drafts(wc, drafts)
        except EditError as exc:
            return _policy_response(request, wc, slot, "refused", problems, str(exc))
        errors = sum(1 for p in problems if p["severity"] == "error")
        message = f"Not valid yet ({errors} error{'s' if errors != 1 else ''}): kept as a draft."
        return _policy_response(request, wc, slot, "draft", problems, message)
    drafts.pop(slot.draft_key, None)
    try:
        store.save(wc, documents.set_policy(wc.document, slot.ref, slot.path, value), drafts=drafts)
    except EditError as exc:
        drafts[slot.draft_key] = text
        try:
            store.save_drafts(wc, drafts)
        except EditError:
            return _policy_response(request, wc, slot, "refused", problems, str(exc))
        return _policy_response(request, wc, slot, "draft", problems, str(exc))
    warned = len(problems)
    message = f"Saved, with {warned} warning{'s' if warned != 1 else ''}." if warned else "Saved."
    if unwrapped:
        message = f"Took the policy out of the {unwrapped} output. {message}"
    return _policy_response(
        request, wc, slot, "saved", problems, message, text=text if unwrapped else None
    )


def _unwrapped(text: str) -> tuple[str, str]:
    """(policy text, what it was wrapped in) for AWS CLI output pasted into an editor."""
    try:
        found = engine.unwrap_policy(engine.parse_json(text))
    except ValueError:
        return text, ""
    if found is None:
        return text, ""
    policy, label = found
    return json.dumps(policy, indent=2, ensure_ascii=False), label


def _policy_response(request, wc, slot, status, problems, message, text=None) -> HttpResponse:
    if _wants_json(request):
        body = {"status": status, "problems": problems, "message": message}
        if text is not None:
            body["text"] = text  # the editor shows the policy it was un-wrapped into
        response = JsonResponse(body)
        if status == "saved":
            response["HX-Trigger"] = "scenario-changed"
        return response
    ref = slot.ref if slot else ""
    return _panel_result(request, wc, ref, message=message, changed=status == "saved")


@require_POST
@editable
def add_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.AddPolicyForm(request.POST)
    if not form.is_valid():
        return _panel_result(request, wc, "", message="Nothing to add.", changed=False)
    ref, name = form.cleaned_data["ref"], form.cleaned_data["name"]
    try:
        if form.cleaned_data["which"] == "identity":
            doc = documents.add_identity_policy(wc.document, ref, name)
        else:
            doc = documents.add_resource_policy(wc.document, ref)
        store.save(wc, doc)
    except EditError as exc:
        return _panel_result(request, wc, ref, message=str(exc), changed=False)
    return _panel_result(request, wc, ref, message="Policy added.")


@require_POST
@editable
def remove_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.PolicyForm(request.POST)
    if not form.is_valid():
        return _panel_result(request, wc, "", message="Nothing to remove.", changed=False)
    ref, path = form.cleaned_data["ref"], form.cleaned_data["path"]
    try:
        doc = documents.remove_slot(wc.document, ref, path)
        drafts = {k: v for k, v in wc.drafts.items() if not k.startswith(f"{ref}|")}
        store.save(wc, doc, drafts=drafts)
    except EditError as exc:
        return _panel_result(request, wc, ref, message=str(exc), changed=False)
    return _panel_result(request, wc, ref, message="Policy removed.")


@require_POST
@editable
def add_org_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.OrgPolicyForm(request.POST)
    target = request.POST.get("target", "")[:64]
    if not form.is_valid():
        return _panel_result(request, wc, target, message="Choose SCP or RCP.", changed=False)
    try:
        doc, _ = document_org.add_org_policy(wc.document, **form.cleaned_data)
        store.save(wc, doc)
    except EditError as exc:
        return _panel_result(request, wc, target, message=str(exc), changed=False)
    return _panel_result(request, wc, target, message="Attached.")


@require_POST
@editable
def set_org_targets(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    target_ids = [t for t, _ in document_org.org_targets(wc.document)]
    form = forms.TargetsForm(request.POST, target_ids=target_ids)
    back = request.POST.get("back", "")[:64]
    if not form.is_valid():
        return _panel_result(request, wc, back, message=_errors(form), changed=False)
    ref, targets = form.cleaned_data["ref"], form.cleaned_data["targets"]
    try:
        store.save(wc, document_org.set_org_targets(wc.document, ref, targets))
    except EditError as exc:
        return _panel_result(request, wc, back, message=str(exc), changed=False)
    return _panel_result(request, wc, back, message=f"{ref.partition(':')[2]}: targets saved.")


@require_POST
@editable
def delete_org_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.RefForm(request.POST)
    back = request.POST.get("back", "")[:64]
    if not form.is_valid():
        return _panel_result(request, wc, back, message="Nothing to delete.", changed=False)
    try:
        store.save(wc, document_org.delete_org_policy(wc.document, form.cleaned_data["ref"]))
    except EditError as exc:
        return _panel_result(request, wc, back, message=str(exc), changed=False)
    return _panel_result(request, wc, back, message="Policy deleted.")


def _key_object(doc: dict, ref: str) -> tuple[dict, dict]:
    node = document_nodes.find_node(doc, ref)
    if node is None or node.kind != "key":
        raise EditError("No such key.")
    return doc, document_nodes.get_pointer(doc, node.pointer)


@require_POST
@editable
def save_grant(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.GrantForm(request.POST)
    ref = request.POST.get("ref", "")[:400]
    if not form.is_valid():
        return _panel_result(request, wc, ref, message=_errors(form), changed=False)
    try:
        doc, key = _key_object(document_nodes.copy_document(wc.document), ref)
        grants = key.setdefault("grants", [])
        grant_id = form.cleaned_data["grant_id"] or secrets.token_hex(8)
        grant = form.grant(grant_id)
        index = next((i for i, g in enumerate(grants) if g["id"] == grant_id), None)
        if index is None:
            grants.append(grant)
        else:
            grants[index] = grant
        store.save(wc, doc)
    except EditError as exc:
        return _panel_result(request, wc, ref, message=str(exc), changed=False)
    return _panel_result(request, wc, ref, message="Grant saved.")


@require_POST
@editable
def delete_grant(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    ref = request.POST.get("ref", "")[:400]
    grant_id = request.POST.get("grant_id", "")[:64]
    try:
        doc, key = _key_object(document_nodes.copy_document(wc.document), ref)
        key["grants"] = [g for g in key.get("grants") or [] if g["id"] != grant_id]
        if not key["grants"]:
            del key["grants"]
        store.save(wc, doc)
    except EditError as exc:
        return _panel_result(request, wc, ref, message=str(exc), changed=False)
    return _panel_result(request, wc, ref, message="Grant deleted.")


def _errors(form) -> str:
    return "Not saved: " + "; ".join(
        f"{field}: {' '.join(errs)}" if field != "__all__" else " ".join(errs)
        for field, errs in form.errors.items()
    )
