// Policy editors: each policy textarea in the node panel becomes a CodeMirror
// editor (window.KmsEditor). Typing saves on its own (debounced): the server
// answers with the evaluator's problems for the gutter, and either saves the
// policy or keeps the text as a draft. The textarea stays in the form, so the
// form still works without JavaScript.
(function () {
  "use strict";

  const DELAY = 400;

  function csrf() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function diagnostics(problems) {
    return (problems || []).map((p) => ({
      line: p.line || 1,
      column: p.column || 1,
      severity: p.severity,
      message: p.message,
    }));
  }

  function renderProblems(list, problems) {
    if (!list) return;
    list.replaceChildren(
      ...(problems || []).map((p) => {
        const li = document.createElement("li");
        li.className = `problem-${p.severity}`;
        const where = p.line ? `, line ${p.line}` : "";
        li.textContent = `${p.severity === "error" ? "✗ error" : "⚠ warning"}${where}: ${p.message}`;
        return li;
      }),
    );
  }

  function setup(textarea) {
    textarea.dataset.ready = "1";
    const form = textarea.closest("form");
    const status = form.querySelector(".policy-status");
    const list = form.querySelector(".problems");
    const label = document.getElementById(textarea.getAttribute("aria-labelledby"));
    const host = document.createElement("div");
    host.className = "policy-editor-host";
    textarea.after(host);
    textarea.hidden = true;
    let timer = null;
    let sequence = 0;

    async function save() {
      const mine = ++sequence;
      let response;
      try {
        response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
          credentials: "same-origin",
        });
      } catch (e) {
        status.textContent = "Not saved: the server could not be reached.";
        return;
      }
      if (mine !== sequence) return; // a newer save is on its way
      if (!response.ok) {
        status.textContent = `Not saved (HTTP ${response.status}).`;
        return;
      }
      const data = await response.json();
      if (typeof data.text === "string") {
        // AWS CLI output was pasted: show the policy the server took out of it
        // (setText fires onChange; the text is saved already, so drop that save).
        editor.setText(data.text);
        textarea.value = data.text;
        clearTimeout(timer);
      }
      editor.setDiagnostics(diagnostics(data.problems));
      renderProblems(list, data.problems);
      const saved = data.status === "saved";
      status.textContent = saved ? `✓ ${data.message}` : `✎ ${data.message}`;
      status.classList.toggle("is-draft", !saved);
      form.dataset.state = data.status;
      if (saved) {
        document.body.dispatchEvent(new CustomEvent("scenario-changed", { bubbles: true }));
      }
    }

    const editor = window.KmsEditor.create(host, {
      doc: textarea.value,
      readOnly: textarea.readOnly,
      label: label ? label.textContent : "Policy",
      onChange(text) {
        textarea.value = text;
        status.textContent = "Saving…";
        form.dataset.state = "saving";
        clearTimeout(timer);
        timer = setTimeout(save, DELAY);
      },
    });
    host.kmsEditor = editor;
    const data = document.getElementById(`${textarea.id}-problems`);
    if (data) editor.setDiagnostics(diagnostics(JSON.parse(data.textContent)));

    const format = form.querySelector("[data-format]");
    if (format) {
      format.addEventListener("click", () => {
        try {
          editor.setText(JSON.stringify(JSON.parse(editor.getText()), null, 2));
        } catch (e) {
          status.textContent = "Cannot format yet: the text is not valid JSON.";
        }
      });
    }
  }

  function init() {
    if (!window.KmsEditor) return;
    document.querySelectorAll("textarea[data-policy-editor]:not([data-ready])").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
  init();
})();
