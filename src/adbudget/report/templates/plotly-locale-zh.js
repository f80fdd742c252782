// Plotly's Chinese locale (zh-CN): month and weekday ticks, date formats and the mode bar's
// buttons. The one copy: the dashboard serves it as /static/plotly-locale-zh.js and the
// report file inlines it (adbudget.report.render.plotly_locale_js). Plotly must be loaded.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
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
})();
