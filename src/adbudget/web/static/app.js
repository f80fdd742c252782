// adbudget dashboard: draw every Plotly figure (inline JSON or loaded from the API), Chinese
// dates and buttons through Plotly's zh-CN locale (registered by /static/plotly-locale-zh.js,
// the one copy: adbudget/report/templates/plotly-locale-zh.js), sortable and filterable
// tables, click a frontier point to put its budget in the re-plan box, a busy state while the
// model refits, and the total budget change of the rule actions ticked.
(function () {
  "use strict";
  var lang = document.body.dataset.lang || "en";
  var config = {displaylogo: false, responsive: true, locale: lang === "zh" ? "zh-CN" : "en"};
  function plot(el, spec) {
    el.textContent = "";
    var layout = spec.layout || {};
    if (el.clientWidth && el.clientWidth < 500) {
      // phones: a horizontal legend above the plot (below it, it ran into the x axis title
      // once it wrapped onto a second row; above it, Plotly makes room for it)
      layout.legend = {orientation: "h", x: 0, y: 1.02, yanchor: "bottom"};
      // the legend wraps to about one entry a row there: grow the chart by its rows, so the
      // plot keeps its height (seven attribution models left it 80 px tall)
      var entries = (spec.data || []).filter(function (tr) { return tr.showlegend !== false; });
      layout.height = (layout.height || 450) + 20 * entries.length;
    }
    Plotly.newPlot(el, spec.data, layout, config).then(function () {
      el.dataset.rendered = "1";
      var target = el.dataset.clickBudget && document.querySelector(el.dataset.clickBudget);
      if (target && el.on) {
        el.on("plotly_click", function (ev) {
          var p = ev.points && ev.points[0];
          var b = p && (p.customdata !== undefined ? p.customdata : p.x);
          if (b !== undefined && !isNaN(Number(b))) { target.value = Number(b).toFixed(2); target.focus(); }
        });
      }
    });
  }
  function draw(el) {
    if (typeof Plotly === "undefined") { return; }
    if (el.dataset.src) {
      fetch(el.dataset.src, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.status === "ok" && body.figure) {
            plot(el, body.figure.spec);
            var marks = document.getElementById("frontier-marks");
            if (marks && body.marks_text) { marks.textContent = body.marks_text; }
            return;
          }
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

  // sortable tables: click a header (numbers by data-v, text by locale)
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, idx) {
      if (!th.dataset.sort) { return; }
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("sorted-asc");
        heads.forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
        th.classList.add(asc ? "sorted-asc" : "sorted-desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[idx], y = b.cells[idx];
          var vx = x.dataset.v !== undefined ? x.dataset.v : x.textContent;
          var vy = y.dataset.v !== undefined ? y.dataset.v : y.textContent;
          var c;
          if (th.dataset.sort === "num") {
            var nx = vx === "" ? -Infinity : Number(vx), ny = vy === "" ? -Infinity : Number(vy);
            c = nx - ny;
          } else { c = String(vx).localeCompare(String(vy), lang); }
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  // filters: <div class="filters" data-for="TABLE_ID"> with <select data-filter="KEY">
  document.querySelectorAll(".filters").forEach(function (box) {
    var table = document.getElementById(box.dataset.for);
    if (!table) { return; }
    var selects = box.querySelectorAll("select[data-filter]");
    function apply() {
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var show = true;
        selects.forEach(function (s) { if (s.value && row.dataset[s.dataset.filter] !== s.value) { show = false; } });
        row.hidden = !show;
      });
    }
    selects.forEach(function (s) { s.addEventListener("change", apply); });
  });
  // refit: the button shows that the model is being fitted (the request takes a while)
  document.querySelectorAll("form.fit-form").forEach(function (f) {
    f.addEventListener("submit", function () {
      var b = f.querySelector("button"); var p = f.querySelector(".fit-progress");
      if (b) { b.disabled = true; } if (p) { p.hidden = false; }
    });
  });
  // refit in progress: poll its stage, then go back to the page it was started from
  var prog = document.getElementById("fit-progress");
  if (prog) {
    (function poll() {
      fetch(prog.dataset.poll, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (b) {
          var stage = document.getElementById("fit-stage");
          if (stage && b.text) { stage.textContent = b.text; }
          if (b.done && b.next) { window.location.href = b.next; } else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    })();
  }
  // rules: tick all, and the total budget change of the ticked rows
  var all = document.getElementById("rules-all");
  var total = document.getElementById("rules-selected-total");
  function rulesTotal() {
    if (!total) { return; }
    var sum = 0, n = 0;
    document.querySelectorAll("input.rule-row").forEach(function (c) {
      if (c.checked) { n += 1; sum += Number(c.closest("tr").dataset.delta || 0); }
    });
    var fmt = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US",
      {style: "currency", currency: document.body.dataset.currency || "USD", signDisplay: "exceptZero"});
    total.textContent = total.dataset.label.replace("{n}", n).replace("{delta}", fmt.format(sum));
  }
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input.rule-row").forEach(function (c) { c.checked = all.checked; });
      rulesTotal();
    });
  }
  document.querySelectorAll("input.rule-row").forEach(function (c) { c.addEventListener("change", rulesTotal); });
  rulesTotal();
})();
