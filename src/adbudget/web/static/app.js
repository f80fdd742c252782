// adbudget dashboard: draw every Plotly figure whose JSON sits next to its div.
(function () {
  "use strict";
  function draw(el) {
    var node = document.getElementById(el.dataset.figure);
    if (!node || typeof Plotly === "undefined") { return; }
    var spec = JSON.parse(node.textContent);
    Plotly.newPlot(el, spec.data, spec.layout, {displaylogo: false, responsive: true})
      .then(function () { el.dataset.rendered = "1"; });
  }
  document.querySelectorAll(".plot").forEach(draw);
})();
