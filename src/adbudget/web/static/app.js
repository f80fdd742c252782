// adbudget dashboard: draw every Plotly figure whose JSON sits next to its div, and the ones
// that load later from the API (data-src: the plan's frontier, which takes a while).
(function () {
  "use strict";
  function plot(el, spec) {
    el.textContent = "";
    Plotly.newPlot(el, spec.data, spec.layout, {displaylogo: false, responsive: true})
      .then(function () { el.dataset.rendered = "1"; });
  }
  function draw(el) {
    if (typeof Plotly === "undefined") { return; }
    if (el.dataset.src) {
      fetch(el.dataset.src, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.status === "ok" && body.figure) { plot(el, body.figure.spec); return; }
          el.textContent = body.message || body.detail || "";
          el.classList.add("muted");
          el.dataset.rendered = "1";
        })
        .catch(function () { el.dataset.rendered = "1"; });
      return;
    }
    var node = document.getElementById(el.dataset.figure);
    if (node) { plot(el, JSON.parse(node.textContent)); }
  }
  document.querySelectorAll(".plot").forEach(draw);
})();
