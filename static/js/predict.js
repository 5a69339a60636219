// Predict mode lives in the URL (?predict=1). The server reads it from each
// htmx request's HX-Current-URL, so this file only keeps it in the URLs htmx
// pushes into the history (a node's panel, an attempt), and lets the space bar
// press "Reveal" when a prediction is picked.
(function () {
  "use strict";

  function predicting() {
    return new URLSearchParams(window.location.search).get("predict") === "1";
  }

  document.addEventListener("htmx:beforeHistoryUpdate", (evt) => {
    const history = evt.detail && evt.detail.history;
    if (!predicting() || !history || !history.path) return;
    const url = new URL(history.path, window.location.href);
    if (url.searchParams.has("predict")) return;
    url.searchParams.set("predict", "1");
    history.path = url.pathname + url.search + url.hash;
  });

  document.addEventListener("keydown", (evt) => {
    if (evt.key !== " " || evt.altKey || evt.ctrlKey || evt.metaKey) return;
    const t = evt.target;
    if (t.closest && t.closest("input:not([type=radio]), textarea, select, button, a, [contenteditable], .cm-editor")) return;
    const reveal = document.getElementById("reveal");
    if (!reveal) return;
    const form = reveal.form;
    if (!form.querySelector("input[name=guess]:checked")) return;
    evt.preventDefault();
    form.requestSubmit(reveal);
  });
})();
