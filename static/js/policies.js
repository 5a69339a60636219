// Policy editors: each policy textarea in the node panel becomes a CodeMirror
// editor (window.KmsEditor) that keeps the textarea up to date and tells its
// form "policy-edited"; htmx saves the form (hx-trigger with a delay, hx-sync)
// and puts the answer in the form's .policy-result. The answer's
// .policy-status carries, as data, the problems for the gutter and the policy
// taken out of pasted AWS CLI output. Without JavaScript the textarea is an
// ordinary field of the form.
(function () {
  "use strict";

  function diagnostics(status) {
    let problems = [];
    try {
      problems = JSON.parse(status.dataset.problems || "[]");
    } catch (e) {
      problems = [];
    }
    return problems.map((p) => ({
      line: p.line || 1,
      column: p.column || 1,
      severity: p.severity,
      message: p.message,
    }));
  }

  // Say what happened to the text, in the status line (and, given a state, on the form).
  function say(form, text, state) {
    const status = form.querySelector(".policy-status");
    if (status) status.textContent = text;
    if (!state) return;
    if (status) status.classList.toggle("is-draft", state !== "saving");
    form.dataset.state = state;
  }

  function setup(textarea) {
    textarea.dataset.ready = "1";
    const form = textarea.closest("form");
    const label = document.getElementById(textarea.getAttribute("aria-labelledby"));
    const host = document.createElement("div");
    host.className = "policy-editor-host";
    textarea.after(host);
    textarea.hidden = true;
    let quiet = false; // the server's own text is being shown: it is saved already
    let edits = 0; // edits made in this editor
    let sent = 0; // edits the save on its way includes

    const editor = window.KmsEditor.create(host, {
      doc: textarea.value,
      readOnly: textarea.readOnly,
      label: label ? label.textContent : "Policy",
      onChange(text) {
        textarea.value = text;
        if (quiet) return;
        edits += 1;
        say(form, "Saving…", "saving");
        window.htmx.trigger(form, "policy-edited");
      },
    });
    host.kmsEditor = editor;

    form.kmsPolicy = {
      show(status) {
        if (typeof status.dataset.text === "string") {
          quiet = true;
          editor.setText(status.dataset.text);
          quiet = false;
        }
        editor.setDiagnostics(diagnostics(status));
        if (status.dataset.state) form.dataset.state = status.dataset.state;
      },
    };
    form.addEventListener("htmx:configRequest", () => {
      sent = edits;
    });
    form.addEventListener("htmx:beforeSwap", (evt) => {
      // An answer about older text than the editor holds: a newer save is on its way.
      if (evt.detail.xhr.status === 200 && sent !== edits) evt.detail.shouldSwap = false;
    });
    form.addEventListener("htmx:afterRequest", (evt) => {
      const code = evt.detail.xhr ? evt.detail.xhr.status : 0;
      if (code === 409) {
        // Changed elsewhere (the page's #conflict box says so): the text stays here.
        const text = "✗ Not saved: the scenario changed elsewhere. Your text is still here: copy it first.";
        say(form, text, "conflict");
      } else if (!code) {
        say(form, "Not saved: the server could not be reached.", "error");
      } else if (code >= 400) {
        say(form, `Not saved (HTTP ${code}).`, "error");
      }
    });
    form.kmsPolicy.show(form.querySelector(".policy-status"));

    const format = form.querySelector("[data-format]");
    if (format) {
      format.addEventListener("click", () => {
        try {
          editor.setText(JSON.stringify(JSON.parse(editor.getText()), null, 2));
        } catch (e) {
          say(form, "Cannot format yet: the text is not valid JSON.");
        }
      });
    }
  }

  function init(root) {
    if (!window.KmsEditor || !root.querySelectorAll) return;
    if (root.matches && root.matches(".policy-status")) {
      const form = root.closest("form");
      if (form && form.kmsPolicy) form.kmsPolicy.show(root);
      return;
    }
    root.querySelectorAll("textarea[data-policy-editor]:not([data-ready])").forEach(setup);
  }

  // The page as parsed (this script is deferred), then whatever htmx puts into
  // it: a panel, or a save's answer.
  init(document);
  window.htmx.onLoad(init);
})();
