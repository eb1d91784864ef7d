// circulate report: tooltips, pan and zoom. No libraries, nothing loaded from elsewhere.
"use strict";
(function () {
  // Any script error is shown on the page (and read by the browser test).
  const errors = document.getElementById("errors");
  const record = (message) => {
    errors.hidden = false;
    errors.textContent += message + "\n";
  };
  window.addEventListener("error", (e) => record("error: " + e.message));
  const consoleError = console.error.bind(console);
  console.error = (...args) => { record("console: " + args.join(" ")); consoleError(...args); };

  // Tooltips from data-tip, on every chart.
  const tip = document.getElementById("tip");
  document.addEventListener("mousemove", (e) => {
    const target = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (!target) { tip.hidden = true; return; }
    tip.textContent = target.getAttribute("data-tip");
    tip.hidden = false;
    const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });

  // Pan and zoom of the map by its viewBox: wheel or buttons zoom, drag pans.
  const map = document.getElementById("map");
  if (map) {
    const full = map.getAttribute("viewBox").split(" ").map(Number);
    let box = full.slice();
    const apply = () => map.setAttribute("viewBox", box.join(" "));
    const zoom = (factor, cx, cy) => {
      const w = Math.min(full[2], Math.max(full[2] / 64, box[2] * factor));
      const h = w * full[3] / full[2];
      box = [cx - (cx - box[0]) * w / box[2], cy - (cy - box[1]) * h / box[3], w, h];
      apply();
    };
    const toMap = (e) => {
      const r = map.getBoundingClientRect();
      return [box[0] + (e.clientX - r.left) / r.width * box[2], box[1] + (e.clientY - r.top) / r.height * box[3]];
    };
    map.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [x, y] = toMap(e);
      zoom(e.deltaY < 0 ? 0.8 : 1.25, x, y);
    }, { passive: false });
    let drag = null;
    map.addEventListener("pointerdown", (e) => { drag = [e.clientX, e.clientY, box[0], box[1]]; map.setPointerCapture(e.pointerId); });
    map.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const r = map.getBoundingClientRect();
      box[0] = drag[2] - (e.clientX - drag[0]) / r.width * box[2];
      box[1] = drag[3] - (e.clientY - drag[1]) / r.height * box[3];
      apply();
    });
    map.addEventListener("pointerup", () => { drag = null; });
    document.querySelectorAll("[data-zoom]").forEach((button) => {
      button.addEventListener("click", () => {
        const which = button.getAttribute("data-zoom");
        if (which === "reset") { box = full.slice(); apply(); return; }
        zoom(which === "in" ? 0.67 : 1.5, box[0] + box[2] / 2, box[1] + box[3] / 2);
      });
    });
  }
  // Sortable tables: a click on a header cell with data-sort orders the rows by that
  // column (numbers by each cell's data-v, text as shown), again to reverse.
  document.querySelectorAll("table.sortable").forEach((table) => {
    const body = table.tBodies[0];
    table.querySelectorAll("th[data-sort]").forEach((th, column) => {
      th.style.cursor = "pointer";
      th.addEventListener("click", () => {
        const up = th.getAttribute("data-dir") !== "up";
        table.querySelectorAll("th[data-sort]").forEach((h) => h.removeAttribute("data-dir"));
        th.setAttribute("data-dir", up ? "up" : "down");
        const key = (row) => {
          const cell = row.cells[column];
          const v = cell.getAttribute("data-v");
          if (v === null) return cell.textContent;
          return v === "" ? Infinity : Number(v);
        };
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const [x, y] = [key(a), key(b)];
          const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return up ? order : -order;
        });
        rows.forEach((r) => body.appendChild(r));
      });
    });
  });
  document.body.setAttribute("data-ready", "yes");
})();
