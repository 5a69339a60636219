"""The verdicts of one revision: every saved attempt run, every matrix edge decided.

Nothing stores a verdict: each page and partial asks `of(space)`, which runs
the evaluator on the document being shown (remembered per document, so the
canvas, the attempts list and the diff of one edit share one run). A badge or
an arrow therefore always shows the verdict of the revision on screen, after
an edit, an undo, an import or a reload alike.

The access matrix of the lineage's last revision is kept too: the next
revision re-decides only the rows and columns an edit can have moved.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from playground import engine, tracing

_CACHE: OrderedDict[tuple[str, str], Verdicts] = OrderedDict()
_CACHE_SIZE = 64
_LAST: OrderedDict[str, object] = OrderedDict()  # lineage -> its latest AccessMatrix


@dataclass(frozen=True)
class Verdicts:
    attempts: dict[str, dict]  # attempt id -> tracing.summary
    matrix: object  # evaluator.AccessMatrix
    ok: bool  # False when the document has errors (then nothing was decided)
    stopped: str = ""  # why the run ended early (over its budget), for the user

    @property
    def edges(self) -> tuple:
        return self.matrix.edges  # type: ignore[attr-defined]


def digest(document: dict, *, layout: bool = False) -> str:
    """A document's fingerprint; without its layout unless asked (moving a node
    decides nothing)."""
    return engine.digests(document)[1 if layout else 0]


def of_document(document: dict, lineage: str, load=None, *, known: str = "") -> Verdicts:
    """The verdicts of `document`; `load` (optional) gives its loaded scenario,
    `known` its digest when the caller has it."""
    fingerprint = known or digest(document)
    # A revision whose policies read the clock is decided again each second.
    key = (lineage, fingerprint, _second() if _clocked(document, fingerprint) else 0)
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    loaded = load() if load is not None else engine.load(document)
    if not loaded.ok:
        found = Verdicts({}, engine.empty_matrix(), False)
    else:
        evaluation = engine.evaluate(loaded.scenario, lineage, trace=False)
        matrix = engine.access_matrix(loaded.scenario, previous=_LAST.get(lineage))
        if not matrix.stopped:
            _LAST[lineage] = matrix
            _LAST.move_to_end(lineage)
            if len(_LAST) > _CACHE_SIZE:
                _LAST.popitem(last=False)
        summaries = {r.id: tracing.summary(r) for r in evaluation.results}
        stopped = next((p.message for p in evaluation.problems if p.is_error), "")
        stopped = stopped or matrix.stopped
        found = Verdicts(summaries, matrix, evaluation.ok, stopped)
        over = matrix.stopped or any(p.code == "evaluation.budget" for p in evaluation.problems)
        if over:
            return found  # over one request's budget: the next request tries again
    _CACHE[key] = found
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found


_CLOCKED: OrderedDict[str, bool] = OrderedDict()


def _clocked(document: dict, fingerprint: str) -> bool:
    found = _CLOCKED.get(fingerprint)
    if found is None:
        found = _CLOCKED[fingerprint] = engine.reads_clock(document)
        if len(_CLOCKED) > _CACHE_SIZE:
            _CLOCKED.popitem(last=False)
    return found


def _second() -> int:
    return int(engine.now().timestamp())


def of(space) -> Verdicts:
    return of_document(space.document, space.lineage, space.loaded, known=space.digest())
