"""Paste from AWS: CLI output or CloudTrail events merged into the working copy.

The recognising and converting is evaluator/aws_import (document in, document
out); this view validates the form, calls it, saves the merged document as
one revision (undo takes it all back) and says what was recognised.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from playground import document_nodes, engine, forms, store, workspace
from playground.access import editable
from playground.document_nodes import EditError
from playground.models import WorkingCopy
from playground.views.common import CHANGED, announce, space_for

PASTE = "playground/partials/paste.html"


def paste_targets(doc: dict) -> list[tuple[str, str]]:
    kinds = ("key", "bucket", "user", "role", "group", "account", "unit", "root")
    return [
        (n.ref, f"{document_nodes.KIND_LABELS[n.kind]}: {n.label}")
        for n in document_nodes.iter_nodes(doc)
        if n.kind in kinds
    ]


def paste_context(space, form=None, report=None) -> dict:
    targets = paste_targets(space.document)
    return {
        "space": space,
        "paste_form": form or forms.PasteAwsForm(targets=targets, auto_id="paste-%s"),
        "paste_report": report,
    }


@require_POST
@editable
def paste_aws(request: HttpRequest, wc: WorkingCopy) -> HttpResponse:
    targets = paste_targets(wc.document)
    form = forms.PasteAwsForm(request.POST, request.FILES, targets=targets, auto_id="paste-%s")
    report = None
    if form.is_valid():
        result = engine.paste_aws(
            wc.document, form.cleaned_data["source"], form.cleaned_data["target"]
        )
        problems = engine.problem_dicts(result.problems)
        report = {"recognised": result.recognised, "problems": problems, "saved": False}
        if result.ok:
            try:
                store.save(wc, result.document)
                report["saved"] = True
            except EditError as exc:
                report["problems"].append({"severity": "error", "message": str(exc), "pointer": ""})
    space = space_for(wc)
    context = paste_context(space, form if not (report and report["saved"]) else None, report)
    if request.htmx:
        response = render(request, PASTE, context)
        return announce(response, CHANGED) if report and report["saved"] else response
    page = workspace.canvas_context(space)
    return render(request, "playground/paste.html", {**page, **context})
