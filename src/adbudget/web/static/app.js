// adbudget dashboard: draw every Plotly figure (inline JSON or loaded from the API), Chinese
// dates and buttons through a Plotly locale, sortable and filterable tables, click a frontier
// point to put its budget in the re-plan box, a busy state while the model refits, and the
// total budget change of the rule actions ticked.
(function () {
  "use strict";
  var lang = document.body.dataset.lang || "en";
  if (typeof Plotly !== "undefined") {
    Plotly.register({moduleType: "locale", name: "zh-CN", dictionary: {
      "Autoscale": "自动缩放", "Box Select": "框选", "Download plot as a png": "下载为 PNG",
      "Pan": "平移", "Reset axes": "重置坐标轴", "Zoom": "缩放", "Zoom in": "放大",
      "Zoom out": "缩小", "Lasso Select": "套索选择", "Toggle Spike Lines": "切换辅助线",
      "Show closest data on hover": "悬停显示最近数据", "Compare data on hover": "悬停比较数据",
      "Double-click to zoom back out": "双击还原", "Produced with Plotly.js": "由 Plotly.js 生成"},
      format: {days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
        shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
        date: "%Y-%m-%d", year: "%Y年", month: "%Y年%b", dayMonth: "%b%-d日", dayMonthYear: "%Y年%b%-d日"}});
  }
  var config = {displaylogo: false, responsive: true, locale: lang === "zh" ? "zh-CN" : "en"};
  function plot(el, spec) {
    el.textContent = "";
    var layout = spec.layout || {};
    if (el.clientWidth && el.clientWidth < 500) {  // phones: legend below, narrow margins
      layout.legend = {orientation: "h", x: 0, y: -0.25, yanchor: "top"};
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
