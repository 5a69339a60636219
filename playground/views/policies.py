"""Policy text, SCPs and RCPs, and grants.

Policy text is saved as the user types. Text that is valid (no error from
check_policy) replaces the policy in the scenario; text that is not valid yet
is kept as a draft, so nothing typed is ever lost, while the scenario keeps
the last valid policy. The editor's form posts here through htmx and gets the
slot's status back (its problems as data for the gutter); a script may ask
for JSON (`Accept: application/json`); a plain form post is redirected to the
page, or, when refused, shown the text it sent.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from playground import document_items, document_nodes, document_org, documents, engine, forms, store
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import WorkingCopy
from playground.views.common import CHANGED, announce, panel_result, space_for

STATUS = "playground/partials/policy_status.html"
REFUSED = "playground/policy_refused.html"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _slot(doc: dict, form: forms.PolicyForm) -> document_nodes.Slot | None:
    ref, path = form.cleaned_data.get("ref", ""), form.cleaned_data.get("path", "")
    return next((s for s in document_nodes.policy_slots(doc, ref) if s.path == path), None)


@require_POST
@editable
def save_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.PolicyForm(request.POST)
    valid = form.is_valid()
    slot = _slot(wc.document, form)
    if not valid or slot is None:
        message = " ".join(e for errs in form.errors.values() for e in errs) or "No such policy."
        return _policy_response(request, wc, form, slot, "refused", [], message)
    text, unwrapped = _unwrapped(form.cleaned_data["text"])
    value, problems = engine.check_text(text, slot.kind)
    if value is None:
        errors = sum(1 for p in problems if p["severity"] == "error")
        message = f"Not valid yet ({errors} error{'s' if errors != 1 else ''}): kept as a draft."
        return _keep_draft(request, wc, form, slot, text, problems, message)
    try:
        doc = documents.set_policy(wc.document, slot.ref, slot.path, value)
        store.save(wc, doc, drafts=documents.draft_set(wc.drafts, slot.draft_key, None))
    except EditError as exc:
        return _keep_draft(request, wc, form, slot, text, problems, str(exc))
    warned = len(problems)
    message = f"Saved, with {warned} warning{'s' if warned != 1 else ''}." if warned else "Saved."
    if unwrapped:
        message = f"Took the policy out of the {unwrapped} output. {message}"
    return _policy_response(
        request, wc, form, slot, "saved", problems, message, text=text if unwrapped else None
    )


def _keep_draft(request, wc, form, slot, text, problems, message) -> HttpResponse:
    """Keep text the scenario cannot take (yet) as the slot's draft; refused if even that fails."""
    try:
        store.save_drafts(wc, documents.draft_set(wc.drafts, slot.draft_key, text))
    except EditError as exc:
        return _policy_response(request, wc, form, slot, "refused", problems, str(exc))
    return _policy_response(request, wc, form, slot, "draft", problems, message)


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


def _policy_response(request, wc, form, slot, status, problems, message, text=None):
    if _wants_json(request):
        body = {"status": status, "problems": problems, "message": message}
        if text is not None:
            body["text"] = text  # the editor shows the policy it was un-wrapped into
        return JsonResponse(body)
    if request.htmx:
        context = {"status": status, "problems": problems, "message": message, "text": text}
        response = render(request, STATUS, context)
        return announce(response, CHANGED) if status == "saved" else response
    if status == "refused":
        return _refused_page(request, wc, form, slot, message)
    ok = status == "saved"  # a draft kept is not saved: said as a problem
    return panel_result(request, wc, slot.ref, message=message, changed=False, ok=ok)


def _refused_page(request, wc, form, slot, message) -> HttpResponse:
    """Without JavaScript, a refused save shows the text it sent, ready to change and send again."""
    context = {
        "space": space_for(wc),
        "message": message,
        "ref": slot.ref if slot else form["ref"].value() or "",
        "path": slot.path if slot else form["path"].value() or "",
        "label": slot.label if slot else "Policy",
        "text": form["text"].value() or "",
    }
    return render(request, REFUSED, context, status=400)


@require_POST
@editable
def add_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.AddPolicyForm(request.POST)
    if not form.is_valid():
        return panel_result(request, wc, "", message="Nothing to add.", changed=False)
    ref, name = form.cleaned_data["ref"], form.cleaned_data["name"]
    try:
        if form.cleaned_data["which"] == "identity":
            doc = documents.add_identity_policy(wc.document, ref, name)
        else:
            doc = documents.add_resource_policy(wc.document, ref)
        store.save(wc, doc)
    except EditError as exc:
        return panel_result(request, wc, ref, message=str(exc), changed=False)
    return panel_result(request, wc, ref, message="Policy added.")


@require_POST
@editable
def remove_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.PolicyForm(request.POST)
    if not form.is_valid():
        return panel_result(request, wc, "", message="Nothing to remove.", changed=False)
    ref, path = form.cleaned_data["ref"], form.cleaned_data["path"]
    try:
        doc = documents.remove_slot(wc.document, ref, path)
        store.save(wc, doc, drafts=documents.drafts_without(wc.drafts, ref))
    except EditError as exc:
        return panel_result(request, wc, ref, message=str(exc), changed=False)
    return panel_result(request, wc, ref, message="Policy removed.")


@require_POST
@editable
def add_org_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.OrgPolicyForm(request.POST)
    if not form.is_valid():
        target = form.cleaned_data.get("target", "")
        return panel_result(request, wc, target, message="Choose SCP or RCP.", changed=False)
    target = form.cleaned_data["target"]
    try:
        doc, _ = document_org.add_org_policy(wc.document, **form.cleaned_data)
        store.save(wc, doc)
    except EditError as exc:
        return panel_result(request, wc, target, message=str(exc), changed=False)
    return panel_result(request, wc, target, message="Attached.")


@require_POST
@editable
def set_org_targets(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    target_ids = [t for t, _ in document_org.org_targets(wc.document)]
    form = forms.TargetsForm(request.POST, target_ids=target_ids)
    if not form.is_valid():
        return panel_result(request, wc, form.back_to(), message=_errors(form), changed=False)
    ref, targets = form.cleaned_data["ref"], form.cleaned_data["targets"]
    try:
        store.save(wc, document_org.set_org_targets(wc.document, ref, targets))
    except EditError as exc:
        return panel_result(request, wc, form.back_to(), message=str(exc), changed=False)
    message = f"{ref.partition(':')[2]}: targets saved."
    return panel_result(request, wc, form.back_to(), message=message)


@require_POST
@editable
def delete_org_policy(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.BackForm(request.POST)
    if not form.is_valid():
        message = "Nothing to delete."
        return panel_result(request, wc, form.back_to(), message=message, changed=False)
    try:
        store.save(wc, document_org.delete_org_policy(wc.document, form.cleaned_data["ref"]))
    except EditError as exc:
        return panel_result(request, wc, form.back_to(), message=str(exc), changed=False)
    return panel_result(request, wc, form.back_to(), message="Policy deleted.")


@require_POST
@editable
def save_grant(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.GrantForm(request.POST)
    if not form.is_valid():
        ref = form.cleaned_data.get("ref", "")
        message = _errors(form)
        return panel_result(request, wc, ref, message=message, grant=form.typed(), changed=False)
    ref = form.cleaned_data["ref"]
    grant = form.grant(form.cleaned_data["grant_id"] or document_items.new_grant_id())
    try:
        store.save(wc, document_items.save_grant(wc.document, ref, grant))
    except EditError as exc:
        message = str(exc)
        return panel_result(request, wc, ref, message=message, grant=form.typed(), changed=False)
    return panel_result(request, wc, ref, message="Grant saved.")


@require_POST
@editable
def delete_grant(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.GrantRefForm(request.POST)
    form.is_valid()  # an unknown key is refused below, an unknown grant deletes nothing
    ref, grant_id = form.cleaned_data.get("ref", ""), form.cleaned_data.get("grant_id", "")
    try:
        store.save(wc, document_items.delete_grant(wc.document, ref, grant_id))
    except EditError as exc:
        return panel_result(request, wc, ref, message=str(exc), changed=False)
    return panel_result(request, wc, ref, message="Grant deleted.")


def _errors(form) -> str:
    return "Not saved: " + "; ".join(
        f"{field}: {' '.join(errs)}" if field != "__all__" else " ".join(errs)
        for field, errs in form.errors.items()
    )
