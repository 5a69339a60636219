"""The canvas and the node panel: add, rename, delete, move, edit properties."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from playground import access, document_nodes, documents, forms, identifiers, store, workspace
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import Snapshot, WorkingCopy
from playground.views.common import LESSON, STALE, page_url, partial_or_page, space_for

CANVAS = "playground/partials/canvas.html"
PANEL = "playground/partials/panel.html"


def _space(request: HttpRequest, kind: str, space_id: str) -> workspace.Space:
    if kind == "s":
        return workspace.from_snapshot(get_object_or_404(Snapshot, pk=space_id))
    wc = get_object_or_404(WorkingCopy, pk=space_id)
    return workspace.from_copy(wc, access.can_edit(request, wc))


@require_GET
def canvas(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    space = _space(request, kind, space_id)
    context = workspace.canvas_context(space, request.GET.get("node", "")[:400])
    return render(request, CANVAS, context)


@require_GET
def panel(request: HttpRequest, kind: str, space_id: str) -> HttpResponse:
    space = _space(request, kind, space_id)
    return render(request, PANEL, workspace.panel_context(space, request.GET.get("node", "")[:400]))


def _canvas_result(request, wc, *, selected="", error="") -> HttpResponse:
    """The canvas; after adding a node, its panel too (out of band), opened on it."""
    space = space_for(wc)
    kind = request.POST.get("kind", "role")[:20]
    account = selected if kind == "account" else request.POST.get("account", "")[:12]
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
        return _canvas_result(request, wc, error="Choose what to add.")
    try:
        doc, ref = documents.add_node(wc.document, **form.cleaned_data)
        store.save(wc, doc)
    except EditError as exc:
        return _canvas_result(request, wc, error=str(exc))
    return _canvas_result(request, wc, selected=ref)


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


def _panel_result(request, wc, ref, *, message="", form=None, changed=True) -> HttpResponse:
    space = space_for(wc)
    context = workspace.panel_context(space, ref, form=form, message=message)
    return partial_or_page(
        request, PANEL, context, page=page_url(space, node=ref), changed=changed, error=message
    )


@require_POST
@editable
def rename_node(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.RenameForm(request.POST)
    if not form.is_valid():
        return _panel_result(request, wc, request.POST.get("ref", ""), message="Give a name.")
    ref = form.cleaned_data["ref"]
    try:
        doc, new_ref = documents.rename(wc.document, ref, form.cleaned_data["name"])
        drafts = {k.replace(f"{ref}|", f"{new_ref}|", 1): v for k, v in wc.drafts.items()}
        store.save(wc, doc, drafts=drafts)
    except EditError as exc:
        return _panel_result(request, wc, ref, message=str(exc), changed=False)
    return _panel_result(request, wc, new_ref)


@require_POST
@editable
def delete_node(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.RefForm(request.POST)
    if not form.is_valid():
        return _panel_result(request, wc, "", message="Nothing to delete.", changed=False)
    ref = form.cleaned_data["ref"]
    try:
        store.save(wc, documents.delete_node(wc.document, ref))
    except EditError as exc:
        return _panel_result(request, wc, ref, message=str(exc), changed=False)
    return _panel_result(request, wc, "", message="")


@require_POST
@editable
def save_props(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    ref = request.POST.get("ref", "")[:400]
    node = document_nodes.find_node(wc.document, ref)
    form_class = forms.PROPS_FORMS.get(node.kind) if node else None
    if form_class is None:
        return _panel_result(request, wc, "", message="No such node.", changed=False)
    obj = document_nodes.get_pointer(wc.document, node.pointer)
    kwargs = {"group_names": workspace._group_names(wc.document, obj)}
    extra = kwargs if form_class is forms.PrincipalForm else {}
    form = form_class(request.POST, auto_id=forms.PANEL_IDS, **extra)
    if not form.is_valid():
        return _panel_result(
            request, wc, ref, form=form, message="Not saved: see the form.", changed=False
        )
    doc = document_nodes.copy_document(wc.document)
    form.apply(document_nodes.get_pointer(doc, node.pointer), doc)
    try:
        doc = identifiers.follow(wc.document, doc)  # a new id, region or path: references follow
        new_ref = document_nodes.find_node_at(doc, node.pointer).ref
        store.save(wc, doc, drafts=_drafts_after(wc, identifiers.renamed_refs(wc.document, doc)))
    except EditError as exc:
        return _panel_result(request, wc, ref, form=form, message=str(exc), changed=False)
    return _panel_result(request, wc, new_ref, message="Saved.")


def _drafts_after(wc: WorkingCopy, renames: dict[str, str]) -> dict:
    """Drafts are keyed by their node's ref: keep them with a renamed node."""
    out = {}
    for key, text in wc.drafts.items():
        ref, sep, path = key.partition("|")
        out[renames.get(ref, ref) + sep + path] = text
    return out


@require_POST
@editable
def save_scenario(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    form = forms.ScenarioForm(request.POST, auto_id=forms.PANEL_IDS)
    if not form.is_valid():
        return _panel_result(
            request, wc, "", form=form, message="Not saved: see the form.", changed=False
        )
    doc = document_nodes.copy_document(wc.document)
    form.apply(doc)
    try:
        doc = identifiers.follow(wc.document, doc)  # a new region moves the ARNs of its keys
        store.save(wc, doc, drafts=_drafts_after(wc, identifiers.renamed_refs(wc.document, doc)))
    except EditError as exc:
        return _panel_result(request, wc, "", form=form, message=str(exc), changed=False)
    return _panel_result(request, wc, "", message="Saved.", changed=LESSON)
