// The presenter view: zoom, pan and fit the canvas; step the trace with a
// clicker (PageUp/PageDown) or the arrow keys; Space reveals; F goes full
// screen, B blanks the screen; and a dot runs along the request's path (the
// path itself is drawn by the server). The canvas is sized in CSS pixels
// (its width and height attributes), so browser zoom makes it larger, never
// smaller; "Fit to screen" is the one way to shrink it to the window.
(function () {
  "use strict";

  const viewport = document.getElementById("present-viewport");
  if (!viewport) return;
  const W = Number(viewport.dataset.width) || 800;
  const H = Number(viewport.dataset.height) || 400;
  const MIN = 0.2;
  const MAX = 5;
  const START = 1.5; // a canvas unit is 1.5 CSS pixels: node names at 24 px
  const fitButton = document.getElementById("present-fit");
  const level = document.getElementById("zoom-level");
  let scale = START;
  let fitting = false;

  function layers() {
    return viewport.querySelectorAll(".canvas svg, svg.request-layer");
  }

  function apply() {
    layers().forEach((svg) => {
      svg.setAttribute("width", String(Math.round(W * scale)));
      svg.setAttribute("height", String(Math.round(H * scale)));
    });
    if (level) level.textContent = `${Math.round(scale * 100)}%`;
    if (fitButton) fitButton.setAttribute("aria-pressed", String(fitting));
  }

  function fitScale() {
    const w = viewport.clientWidth - 8;
    const h = viewport.clientHeight - 8;
    return Math.max(MIN, Math.min(MAX, Math.min(w / W, h / H)));
  }

  function zoom(kind) {
    if (kind === "fit") {
      fitting = true;
      scale = fitScale();
    } else {
      fitting = false;
      scale = Math.max(MIN, Math.min(MAX, kind === "in" ? scale * 1.25 : scale / 1.25));
    }
    apply();
  }

  function pan(direction) {
    const dx = viewport.clientWidth * 0.25;
    const dy = viewport.clientHeight * 0.25;
    const moves = { left: [-dx, 0], right: [dx, 0], up: [0, -dy], down: [0, dy] };
    const [x, y] = moves[direction];
    viewport.scrollBy({ left: x, top: y, behavior: "smooth" });
  }

  document.addEventListener("click", (evt) => {
    const z = evt.target.closest("[data-zoom]");
    if (z) zoom(z.dataset.zoom);
    const p = evt.target.closest("[data-pan]");
    if (p) pan(p.dataset.pan);
    // Nothing on the projected canvas opens a panel: a click there is a pointer.
    if (evt.target.closest("#present-viewport a")) {
      evt.preventDefault();
      evt.stopPropagation();
    }
  }, true);

  // Drag the background to pan.
  let drag = null;
  viewport.addEventListener("pointerdown", (evt) => {
    if (evt.button !== 0) return;
    drag = { x: evt.clientX, y: evt.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
  });
  window.addEventListener("pointermove", (evt) => {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (evt.clientX - drag.x);
    viewport.scrollTop = drag.top - (evt.clientY - drag.y);
  });
  window.addEventListener("pointerup", () => {
    drag = null;
  });
  window.addEventListener("resize", () => {
    if (fitting) {
      scale = fitScale();
      apply();
    }
  });

  // The request runs from the caller to the gate that decided.
  const motion = document.getElementById("request-motion");
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function replay() {
    if (!motion) return;
    const dot = motion.parentElement;
    dot.classList.add("is-moving");
    if (reduced) {
      motion.beginElement();
      motion.endElement();
      return;
    }
    motion.beginElement();
  }
  const replayButton = document.getElementById("replay-request");
  if (replayButton) replayButton.addEventListener("click", replay);

  function stepper() {
    const trace = document.querySelector("#result [data-trace]");
    return trace && trace.kmsStepper ? trace : null;
  }

  function position(trace) {
    const steps = [...trace.querySelectorAll(".steps > .step")];
    return { index: steps.findIndex((s) => s.classList.contains("current")), count: steps.length };
  }

  function follow(id) {
    const link = document.getElementById(id);
    if (link) window.location.assign(link.href);
  }

  function typing(t) {
    return t.closest && t.closest("input:not([type=radio]), textarea, select, [contenteditable], .cm-editor");
  }

  document.addEventListener("keydown", (evt) => {
    if (evt.altKey || evt.ctrlKey || evt.metaKey || typing(evt.target)) return;
    const trace = stepper();
    if (evt.key === "PageDown" || evt.key === "PageUp") {
      evt.preventDefault();
      const forward = evt.key === "PageDown";
      if (!trace) {
        // Before the reveal a clicker's forward button reveals.
        if (forward && document.getElementById("reveal-skip")) revealNow();
        else follow(forward ? "next-attempt" : "prev-attempt");
        return;
      }
      const { index, count } = position(trace);
      if (forward && index >= count - 1) follow("next-attempt");
      else if (!forward && index <= 0) follow("prev-attempt");
      else if (forward) trace.kmsStepper.next();
      else trace.kmsStepper.prev();
    } else if (evt.key === " ") {
      if (evt.target.closest && evt.target.closest("button, a")) return;
      evt.preventDefault();
      if (document.getElementById("reveal")) {
        if (!document.querySelector("input[name=guess]:checked")) revealNow();
        // with a choice picked, predict.js submits it
      } else {
        replay();
      }
    } else if (evt.key === "f" || evt.key === "F") {
      toggleFullscreen();
    } else if (evt.key === "b" || evt.key === "B") {
      const blank = document.getElementById("blank-screen");
      if (blank) blank.hidden = !blank.hidden;
    }
  });

  function revealNow() {
    const skip = document.getElementById("reveal-skip");
    if (skip) skip.form.requestSubmit(skip);
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  }
  const fullscreen = document.getElementById("present-fullscreen");
  if (fullscreen) fullscreen.addEventListener("click", toggleFullscreen);

  apply();
  if (motion) window.setTimeout(replay, 500);
})();
