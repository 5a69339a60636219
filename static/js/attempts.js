// The attempt builder: show each group of fields (fieldset[data-actions]) only
// for the actions that use it. Without JavaScript every group stays visible,
// and the server keeps a group's values only for its actions anyway.
(function () {
  "use strict";

  function sync(form) {
    var action = form.querySelector('select[name="action"]');
    if (!action) return;
    form.querySelectorAll("fieldset[data-actions]").forEach(function (group) {
      group.hidden = group.dataset.actions.split(" ").indexOf(action.value) === -1;
    });
  }

  function syncAll(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll(".attempt-form").forEach(sync);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches('.attempt-form select[name="action"]')) sync(event.target.form);
  });
  // The page as parsed (this script is deferred), then each list htmx puts into it.
  syncAll(document);
  window.htmx.onLoad(syncAll);
})();
