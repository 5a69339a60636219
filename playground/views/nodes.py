"""The canvas and the node panel: add, rename, delete, move, edit properties."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from playground import document_nodes, documents, forms, store, workspace
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import WorkingCopy
from playground.views.common import (
    LESSON,
    PANEL,
    STALE,
    page_url,
    panel_result,
    partial_or_page,
    space_for,
    space_of,
)

CANVAS = "playground/partials/canvas.html"


@require_GET
def canvas(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    space = space_of(request, kind, space_id)
    context = workspace.canvas_context(space, request.GET.get("node", "")[:400])
    return render(request, CANVAS, context)


@require_GET
def panel(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    space = space_of(request, kind, space_id)
    return render(request, PANEL, workspace.panel_context(space, request.GET.get("node", "")[:400]))


def _canvas_result(request, wc, added=None, *, selected="", error="") -> HttpResponse:
    """The canvas; after adding a node, its panel too (out of band), opened on it."""
    space = space_for(wc)
    kind, account = added.chosen() if added is not None else ("role", "")
    account = selected if kind == "account" else account
    context = {
        **workspace.canvas_context(space, selected, add_kind=kind, add_account=account),
        "message": error,
    }
    if selected and not error:
        context.update(workspace.panel_context(space, selected), oob_panel=True)
    return partial_or_page(
        request,
        CANVAS,
        context,
        page=page_url(space, node=selected),
        changed=STALE if not error else False,
        error=error,
    )


@require_POST
@editable
def add_node(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.AddNodeForm(request.POST)
    if not form.is_valid():
        return _canvas_result(request, wc, form, error="Choose what to add.")
    try:
        doc, ref = documents.add_node(wc.document, **form.cleaned_data)
        store.save(wc, doc)
    except EditError as exc:
        return _canvas_result(request, wc, form, error=str(exc))
    return _canvas_result(request, wc, form, selected=ref)


@require_POST
@editable
def move_node(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        return _canvas_result(request, wc, error="That move was not understood.")
    try:
        store.save(wc, documents.move_node(wc.document, **form.cleaned_data))
    except EditError as exc:
        return _canvas_result(request, wc, error=str(exc))
    return _canvas_result(request, wc)


@require_POST
@editable
def rename_node(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.RenameForm(request.POST)
    if not form.is_valid():
        ref = form.cleaned_data.get("ref", "")
        return panel_result(request, wc, ref, message="Give a name.", changed=False)
    ref = form.cleaned_data["ref"]
    try:
        doc, new_ref = documents.rename(wc.document, ref, form.cleaned_data["name"])
        store.save(wc, doc, drafts=documents.drafts_renamed(wc.drafts, {ref: new_ref}))
    except EditError as exc:
        return panel_result(request, wc, ref, message=str(exc), changed=False)
    return panel_result(request, wc, new_ref)


@require_POST
@editable
def delete_node(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.RefForm(request.POST)
    if not form.is_valid():
        return panel_result(request, wc, "", message="Nothing to delete.", changed=False)
    ref = form.cleaned_data["ref"]
    try:
        store.save(wc, documents.delete_node(wc.document, ref))
    except EditError as exc:
        return panel_result(request, wc, ref, message=str(exc), changed=False)
    return panel_result(request, wc, "", message="")


def _props_form(request: HttpRequest, doc: dict, ref: str) -> forms.PropsForm | None:
    """The property form of the node `ref`, bound to the request (None: no such node)."""
    node = document_nodes.find_node(doc, ref)
    form_class = forms.PROPS_FORMS.get(node.kind) if node else None
    if node is None or form_class is None:
        return None
    extra = {}
    if form_class is forms.PrincipalForm:
        account = document_nodes.get_pointer(doc, node.pointer).get("account")
        extra["group_names"] = document_nodes.group_names(doc, account)
    return form_class(request.POST, auto_id=forms.PANEL_IDS, **extra)


@require_POST
@editable
def save_props(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    which = forms.RefForm(request.POST)
    ref = which.cleaned_data["ref"] if which.is_valid() else ""
    form = _props_form(request, wc.document, ref) if ref else None
    if form is None:
        return panel_result(request, wc, "", message="No such node.", changed=False)
    if not form.is_valid():
        return panel_result(
            request, wc, ref, form=form, message="Not saved: see the form.", changed=False
        )
    try:
        doc, new_ref = documents.edit_node(wc.document, ref, form.apply)
        store.save(wc, doc, drafts=documents.drafts_after(wc.drafts, wc.document, doc))
    except EditError as exc:
        return panel_result(request, wc, ref, form=form, message=str(exc), changed=False)
    return panel_result(request, wc, new_ref, message="Saved.")


@require_POST
@editable
def save_scenario(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.ScenarioForm(request.POST, auto_id=forms.PANEL_IDS)
    if not form.is_valid():
        return panel_result(
            request, wc, "", form=form, message="Not saved: see the form.", changed=False
        )
    try:
        doc = documents.edit_scenario(wc.document, form.apply)
        store.save(wc, doc, drafts=documents.drafts_after(wc.drafts, wc.document, doc))
    except EditError as exc:
        return panel_result(request, wc, "", form=form, message=str(exc), changed=False)
    return panel_result(request, wc, "", message="Saved.", changed=LESSON)
