// Optimistic concurrency on the page's side. The page shows one version of
// the working copy (data-revision); every write (an htmx POST, the policy
// editor's saves included) names it, and the server refuses a write made from an
// older version ("changed elsewhere, reload"). Writes go one at a time, each
// after the previous one answered, so this tab never trips over its own
// changes: each successful write's response says the version it produced
// (X-Revision), which the next write names. GET refreshes never advance the
// page's version: parts of the page they did not redraw may be older.
(function () {
  "use strict";

  const root = document.querySelector("[data-revision]");
  if (!root) return;
  const STUCK_MS = 20000; // a write that never reports back must not block the queue
  let revision = root.dataset.revision;
  let queue = Promise.resolve();
  let finish = null;

  function adopt(value) {
    if (value && /^\d+$/.test(value)) {
      revision = value;
      root.dataset.revision = value;
    }
  }

  // Run `task` (returning a promise) after every write queued before it.
  function serial(task) {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  }

  function done() {
    if (finish) finish();
  }

  document.addEventListener("htmx:confirm", (evt) => {
    if (evt.detail.verb !== "post") return;
    evt.preventDefault();
    serial(
      () =>
        new Promise((resolve) => {
          const end = () => {
            if (finish === end) finish = null;
            resolve();
          };
          finish = end;
          setTimeout(end, STUCK_MS);
          evt.detail.issueRequest(true);
        }),
    );
  });

  document.addEventListener("htmx:configRequest", (evt) => {
    if (evt.detail.verb === "post") evt.detail.parameters.revision = revision;
  });

  document.addEventListener("htmx:afterRequest", (evt) => {
    const xhr = evt.detail.xhr;
    if (evt.detail.requestConfig && evt.detail.requestConfig.verb === "post") {
      if (xhr && xhr.status >= 200 && xhr.status < 300) adopt(xhr.getResponseHeader("X-Revision"));
      done();
    }
  });
  for (const name of ["htmx:validation:halted", "htmx:sendAbort", "htmx:sendError"]) {
    document.addEventListener(name, done);
  }

  // A refusal is swapped into #conflict: bring it into view.
  document.addEventListener("htmx:afterSwap", (evt) => {
    if (evt.detail.target && evt.detail.target.id === "conflict") {
      const box = document.getElementById("conflict");
      if (box) box.focus();
    }
  });
})();
