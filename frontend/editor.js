// The JSON editor of KMS Playground, bundled by `npm run build` into
// static/dist/editor.js (an IIFE) and exposed as `window.KmsEditor`.
//
//   const ed = KmsEditor.create(parentElement, {doc, onChange, readOnly, label});
//   ed.view                      the CodeMirror EditorView
//   ed.getText() / ed.setText(t) read or replace the whole document
//   ed.setDiagnostics(list)      list of {line, column, severity, message};
//                                line and column are 1-based, as reported by
//                                the evaluator; severity is "error" or "warning"
//   ed.highlightRange(from, to, cls)  mark characters [from, to) with a CSS
//                                class; call with no arguments to clear
//   ed.markLines(list)           list of {from, to, cls}: give lines from..to
//                                (1-based, inclusive) the class cm-kms-<cls>;
//                                an empty list clears; scrolls to the first

import { json } from "@codemirror/lang-json";
import { bracketMatching, indentOnInput } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, lineNumbers } from "@codemirror/view";
import { minimalSetup } from "codemirror";

// CodeMirror writes its stylesheet into a <style> element; the page's
// Content-Security-Policy admits it by the nonce this script was loaded with.
const NONCE = (document.currentScript && document.currentScript.nonce) || "";

const SEVERITIES = new Set(["error", "warning", "info", "hint"]);

// One highlighted range at a time (e.g. the statement a trace step points at).
const setHighlight = StateEffect.define();

const highlightField = StateField.define({
  create() {
    return Decoration.none;
  },
  update(value, tr) {
    let deco = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setHighlight)) {
        const { from, to, cls } = effect.value || {};
        deco =
          cls && to > from
            ? Decoration.set([Decoration.mark({ class: cls }).range(from, to)])
            : Decoration.none;
      }
    }
    return deco;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Line classes for the trace: the statement a step judged, and its elements.
const setLineMarks = StateEffect.define();

const lineMarksField = StateField.define({
  create() {
    return Decoration.none;
  },
  update(value, tr) {
    let deco = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setLineMarks)) {
        deco = Decoration.set(effect.value, true);
      }
    }
    return deco;
  },
  provide: (field) => EditorView.decorations.from(field),
});

function lineRanges(doc, list) {
  const ranges = [];
  for (const item of list || []) {
    const first = clamp(Math.trunc(item.from) || 1, 1, doc.lines);
    const last = clamp(Math.trunc(item.to ?? item.from) || first, first, doc.lines);
    const cls = `cm-kms-${String(item.cls || "mark").replace(/[^a-z-]/g, "")}`;
    for (let n = first; n <= last; n += 1) {
      ranges.push(Decoration.line({ class: cls }).range(doc.line(n).from));
    }
  }
  return ranges;
}

function clamp(n, lo, hi) {
  return Math.max(lo, Math.min(hi, n));
}

// Turn a 1-based (line, column) into a document range covering the token there:
// a whole string when it starts with a quote, a word/number, or one character.
function rangeAt(doc, lineNo, column) {
  const line = doc.line(clamp(Math.trunc(lineNo) || 1, 1, doc.lines));
  const from = clamp(line.from + (Math.trunc(column) || 1) - 1, line.from, line.to);
  const text = line.text;
  let i = from - line.from;
  if (i >= text.length) {
    return { from, to: from };
  }
  if (text[i] === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') {
      j += text[j] === "\\" ? 2 : 1;
    }
    return { from, to: line.from + Math.min(j + 1, text.length) };
  }
  while (i < text.length && /[\w.+-]/.test(text[i])) {
    i += 1;
  }
  return { from, to: Math.max(line.from + i, from + 1) };
}

function create(parent, options = {}) {
  const { doc = "", onChange = null, readOnly = false, label = "JSON editor" } = options;

  const extensions = [
    lineNumbers(),
    minimalSetup, // history, default + history keymaps, highlighting, selection
    bracketMatching(),
    indentOnInput(),
    json(),
    lintGutter(),
    highlightField,
    lineMarksField,
    EditorState.readOnly.of(Boolean(readOnly)),
    EditorView.editable.of(!readOnly),
    EditorView.contentAttributes.of({ "aria-label": String(label) }),
    EditorView.cspNonce.of(NONCE),
  ];
  if (typeof onChange === "function") {
    extensions.push(
      EditorView.updateListener.of((update) => {
        if (update.docChanged) {
          onChange(update.state.doc.toString());
        }
      }),
    );
  }

  const view = new EditorView({
    parent,
    state: EditorState.create({ doc, extensions }),
  });

  return {
    view,
    getText() {
      return view.state.doc.toString();
    },
    setText(text) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: String(text ?? "") },
      });
    },
    setDiagnostics(list) {
      const doc = view.state.doc;
      const diagnostics = (list || []).map((item) => {
        const { from, to } = rangeAt(doc, item.line, item.column);
        return {
          from,
          to,
          severity: SEVERITIES.has(item.severity) ? item.severity : "error",
          message: String(item.message ?? ""),
        };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    markLines(list) {
      const doc = view.state.doc;
      const ranges = lineRanges(doc, list);
      view.dispatch({ effects: setLineMarks.of(ranges) });
      if (list && list.length) {
        const first = doc.line(clamp(Math.trunc(list[0].from) || 1, 1, doc.lines)).from;
        view.dispatch({ effects: EditorView.scrollIntoView(first, { y: "center" }) });
      }
    },
    highlightRange(from, to, cls = "cm-kms-highlight") {
      const len = view.state.doc.length;
      const value =
        from === undefined || from === null
          ? null
          : { from: clamp(from, 0, len), to: clamp(to ?? from, 0, len), cls };
      view.dispatch({ effects: setHighlight.of(value) });
      if (value && value.to > value.from) {
        view.dispatch({ effects: EditorView.scrollIntoView(value.from, { y: "center" }) });
      }
    },
  };
}

window.KmsEditor = { create };
