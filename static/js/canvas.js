// The canvas: drag a node to move it (Shift+arrow keys for the keyboard),
// fit to screen, show or hide kinds of arrows, and highlight the nodes a trace
// step is about (window.KmsCanvas.highlight). The server draws everything;
// this file only moves what is already drawn and posts the new position.
(function () {
  "use strict";

  const STEP = 20; // keyboard move, in canvas units
  let drag = null;
  let suppressClick = false;
  // After a move the server redraws the canvas, and other panels refresh right
  // after it; keep the moved node focused through those swaps for a moment.
  let refocus = null; // { ref, until }

  function canvasEl() {
    return document.getElementById("canvas");
  }

  function editable() {
    const c = canvasEl();
    return c && c.dataset.editable === "true";
  }

  function svgPoint(svg, evt) {
    const pt = svg.createSVGPoint();
    pt.x = evt.clientX;
    pt.y = evt.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }

  function postMove(node, x, y) {
    const c = canvasEl();
    refocus = { ref: node.dataset.ref, until: Date.now() + 3000 };
    window.htmx.ajax("POST", c.dataset.moveUrl, {
      source: c,
      target: "#canvas",
      swap: "outerHTML",
      values: { ref: node.dataset.ref, x: Math.round(x), y: Math.round(y) },
    });
  }

  document.addEventListener("pointerdown", (evt) => {
    const node = evt.target.closest && evt.target.closest("#canvas a.node[data-x]");
    if (!node || !editable() || evt.button !== 0) return;
    const svg = node.ownerSVGElement;
    drag = { node, svg, start: svgPoint(svg, evt), dx: 0, dy: 0, moved: false };
  });

  document.addEventListener("pointermove", (evt) => {
    if (!drag) return;
    const p = svgPoint(drag.svg, evt);
    drag.dx = p.x - drag.start.x;
    drag.dy = p.y - drag.start.y;
    if (!drag.moved && Math.hypot(drag.dx, drag.dy) < 5) return;
    drag.moved = true;
    drag.node.classList.add("is-dragging");
    drag.node.setAttribute("transform", `translate(${drag.dx} ${drag.dy})`);
  });

  document.addEventListener("pointerup", () => {
    if (!drag) return;
    const { node, moved, dx, dy } = drag;
    drag = null;
    if (!moved) return;
    suppressClick = true;
    postMove(node, Number(node.dataset.x) + dx, Number(node.dataset.y) + dy);
  });

  // A drag ends with a click on the node; do not open its panel then.
  document.addEventListener(
    "click",
    (evt) => {
      if (suppressClick && evt.target.closest && evt.target.closest("#canvas")) {
        evt.preventDefault();
        evt.stopPropagation();
      }
      suppressClick = false;
    },
    true,
  );

  document.addEventListener("keydown", (evt) => {
    const node = evt.target.closest && evt.target.closest("#canvas a.node[data-x]");
    if (!node || !evt.shiftKey || !editable()) return;
    const moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP] };
    const move = moves[evt.key];
    if (!move) return;
    evt.preventDefault();
    postMove(node, Number(node.dataset.x) + move[0], Number(node.dataset.y) + move[1]);
  });

  document.addEventListener("htmx:afterSettle", () => {
    if (!refocus || Date.now() > refocus.until) {
      refocus = null;
      return;
    }
    const active = document.activeElement;
    const c = canvasEl();
    if (active && active !== document.body && !(c && c.contains(active))) {
      refocus = null; // the user has moved on to another control
      return;
    }
    const ref = refocus.ref;
    const again = [...document.querySelectorAll("#canvas [data-ref]")].find(
      (el) => el.dataset.ref === ref,
    );
    if (again && again !== active) again.focus();
  });

  // The controls beside the canvas: fit to screen, and which arrows to show.
  function setupControls() {
    const viewport = document.getElementById("canvas-area");
    const fit = document.getElementById("fit-toggle");
    if (fit && viewport) {
      // The canvas is drawn in CSS pixels, so browser zoom enlarges it; fitting
      // it to the window is the reader's choice, kept for the next page.
      const set = (on) => {
        viewport.classList.toggle("fit", on);
        fit.setAttribute("aria-pressed", String(on));
      };
      set(localStorage.getItem("kms-canvas-fit") === "1");
      fit.addEventListener("click", () => {
        const on = !viewport.classList.contains("fit");
        set(on);
        localStorage.setItem("kms-canvas-fit", on ? "1" : "0");
      });
    }
    document.querySelectorAll("input[data-arrows]").forEach((box) => {
      box.addEventListener("change", () => {
        viewport.classList.toggle(`hide-${box.dataset.arrows}`, !box.checked);
      });
    });
  }

  function highlight(active, path) {
    const c = canvasEl();
    if (!c) return;
    const activeSet = new Set(active || []);
    const pathSet = new Set(path || []);
    c.querySelectorAll("[data-ref]").forEach((el) => {
      el.classList.toggle("is-active", activeSet.has(el.dataset.ref));
      el.classList.toggle("on-path", pathSet.has(el.dataset.ref));
    });
    c.querySelectorAll(".arrow").forEach((el) => {
      el.classList.toggle(
        "on-path",
        pathSet.has(el.dataset.source) && pathSet.has(el.dataset.target),
      );
    });
  }

  // Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) outside text fields: undo and redo.
  document.addEventListener("keydown", (evt) => {
    if (!(evt.ctrlKey || evt.metaKey)) return;
    const t = evt.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable], .cm-editor")) return;
    const key = evt.key.toLowerCase();
    const id = key === "y" || (key === "z" && evt.shiftKey) ? "redo-button" : key === "z" ? "undo-button" : null;
    const button = id && document.getElementById(id);
    if (button && !button.disabled) {
      evt.preventDefault();
      button.click();
    }
  });

  window.KmsCanvas = { highlight };
  document.documentElement.classList.add("js");
  setupControls(); // once: this script is deferred (the page is parsed) and htmx never replaces them
})();
