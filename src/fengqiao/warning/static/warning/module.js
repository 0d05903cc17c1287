/* The special module pages' figures: cases by grade, by month and grade, the module's signals. */
(function () {
  "use strict";
  var node = document.getElementById("w-chart-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var colours = { key: "#dc2626", general: "#d97706", watch: "#9ca3af", none: "#cbd5e1" };
  var names = {};
  data.grades.forEach(function (g) { names[g.key] = g.label; });
  names.none = document.documentElement.lang === "en" ? "Below" : "未达预警";
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("w-chart-grades", {
    grid: { left: 40, right: 10, top: 10, bottom: 30 },
    xAxis: { type: "category", data: data.grades.map(function (g) { return g.label; }) },
    yAxis: { type: "value", minInterval: 1 },
    tooltip: {},
    series: [{ type: "bar", barMaxWidth: 48, data: data.grades.map(function (g) {
      return { value: g.n, itemStyle: { color: colours[g.key] } };
    }) }]
  });
  chart("w-chart-months", {
    grid: { left: 40, right: 10, top: 30, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: ["key", "general", "watch", "none"].map(function (k) {
      return { name: names[k], type: "bar", stack: "all", data: data.series[k] || [], itemStyle: { color: colours[k] } };
    })
  });
  chart("w-chart-signals", {
    grid: { left: 130, right: 20, top: 10, bottom: 20 },
    tooltip: {},
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.signals.map(function (s) { return s.label; }) },
    series: [{ type: "bar", barMaxWidth: 22, itemStyle: { color: "#1e3a8a" }, data: data.signals.map(function (s) { return s.n; }) }]
  });
})();
