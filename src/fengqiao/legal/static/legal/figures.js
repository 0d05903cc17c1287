/* The administrative-dispute figures (行政争议统计), drawn with ECharts; data from #legal-figures.
   A click on a bar, a slice or a month opens the list filtered to it (every figure drills down). */
(function () {
  "use strict";
  if (!window.echarts) return;
  var node = document.getElementById("legal-figures");
  if (!node) return;
  var F = JSON.parse(node.textContent);
  var LIST = F.list_url;
  var NAVY = "#1f3a68", RED = "#c8102e", COLORS = ["#0f766e", "#1f3a68", "#c8102e", "#d97706", "#9ca3af"];
  var charts = [];

  function drill(param, value) {
    window.location.href = LIST + "?" + F.base + "&" + param + "=" + encodeURIComponent(value);
  }

  function make(id, options, param, keys) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption(options);
    chart.on("click", function (p) { if (keys[p.dataIndex] !== undefined) drill(param, keys[p.dataIndex]); });
    el.style.cursor = "pointer";
    charts.push(chart);
  }

  function bars(id, data, param) {
    var names = data.names.slice().reverse(), values = data.values.slice().reverse(), keys = data.keys.slice().reverse();
    make(id, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{ type: "bar", data: values, barMaxWidth: 18, itemStyle: { color: NAVY },
                 label: { show: true, position: "right", color: "#344054" } }]
    }, param, keys);
  }

  make("chart-month", {
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [F.labels.flagged, F.labels.converted] },
    xAxis: { type: "category", data: F.month.keys },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { type: "bar", name: F.labels.flagged, data: F.month.values, barMaxWidth: 26, itemStyle: { color: "#9fb3d1" } },
      { type: "line", name: F.labels.converted, data: F.month.converted, symbolSize: 7, itemStyle: { color: RED },
        lineStyle: { width: 3 } }
    ]
  }, "month", F.month.keys);
  bars("chart-act", F.act, "act");
  bars("chart-agency", F.agency, "agency");
  make("chart-outcome", {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    color: COLORS,
    series: [{ type: "pie", radius: ["38%", "68%"], data: F.outcome.names.map(function (n, i) {
      return { name: n, value: F.outcome.values[i] }; }), label: { formatter: "{b}\n{c}" } }]
  }, "outcome", F.outcome.keys);

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
