// The trace stepper: Next / Previous buttons and the arrow keys walk the steps
// of a result one at a time. Each step highlights on the canvas the nodes it is
// about (and the path so far), and in its policy the statement and elements it
// judged (lines computed on the server). Without JavaScript every step shows.
(function () {
  "use strict";

  function parse(value) {
    try {
      return JSON.parse(value || "[]");
    } catch (e) {
      return [];
    }
  }

  function setup(trace) {
    trace.dataset.ready = "1";
    const steps = [...trace.querySelectorAll(".steps > .step")];
    const prev = trace.querySelector("[data-prev]");
    const next = trace.querySelector("[data-next]");
    const all = trace.querySelector("[data-all]");
    const position = trace.querySelector("[data-position]");
    let current = 0;
    let showAll = false;
    trace.classList.add("stepping");

    function editorFor(step) {
      const textarea = step.querySelector("textarea[data-trace-editor]");
      if (!textarea || !window.KmsEditor) return null;
      if (!textarea.kmsEditor) {
        const host = document.createElement("div");
        host.className = "trace-editor-host";
        textarea.after(host);
        textarea.hidden = true;
        textarea.kmsEditor = window.KmsEditor.create(host, {
          doc: textarea.value,
          readOnly: true,
          label: textarea.getAttribute("aria-label") || "Policy",
        });
      }
      return textarea.kmsEditor;
    }

    function show(index) {
      current = Math.max(0, Math.min(steps.length - 1, index));
      steps.forEach((step, k) => {
        step.hidden = !showAll && k !== current;
        step.classList.toggle("current", k === current);
      });
      position.textContent = `Step ${current + 1} of ${steps.length}`;
      prev.disabled = current === 0;
      next.disabled = current === steps.length - 1;
      const step = steps[current];
      const editor = editorFor(step);
      if (editor) editor.markLines(parse(step.dataset.marks));
      const path = new Set();
      steps.slice(0, current + 1).forEach((s) => parse(s.dataset.nodes).forEach((r) => path.add(r)));
      if (window.KmsCanvas) window.KmsCanvas.highlight(parse(step.dataset.nodes), [...path]);
    }

    prev.addEventListener("click", () => show(current - 1));
    next.addEventListener("click", () => show(current + 1));
    all.addEventListener("click", () => {
      showAll = !showAll;
      all.textContent = showAll ? "One step at a time" : "Show all";
      if (showAll) steps.forEach((s) => editorFor(s));
      show(current);
    });
    trace.kmsStepper = { show, next: () => show(current + 1), prev: () => show(current - 1) };
    show(0);
  }

  function init(root) {
    if (!root.querySelectorAll) return [];
    const fresh = [...root.querySelectorAll("[data-trace]:not([data-ready])")];
    fresh.forEach(setup);
    return fresh;
  }

  document.addEventListener("keydown", (evt) => {
    if (evt.key !== "ArrowRight" && evt.key !== "ArrowLeft") return;
    if (evt.altKey || evt.ctrlKey || evt.metaKey || evt.shiftKey) return;
    const t = evt.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable], .cm-editor, #canvas")) return;
    const trace = document.querySelector("#result [data-trace]");
    if (!trace || !trace.kmsStepper) return;
    evt.preventDefault();
    if (evt.key === "ArrowRight") trace.kmsStepper.next();
    else trace.kmsStepper.prev();
  });

  // The page as parsed (this script is deferred), then each result htmx puts
  // into it; a result that just arrived takes the focus, so the arrow keys walk it.
  init(document);
  window.htmx.onLoad((elt) => {
    const fresh = init(elt);
    const result = document.getElementById("result");
    if (fresh.length && result && result.contains(fresh[0])) result.focus();
  });
})();
