/* The five-100% indicators as a bar chart (ECharts); data from the #indicators-data json_script block. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var node = document.getElementById("chart-indicators");
  var data = JSON.parse(document.getElementById("indicators-data").textContent);
  if (!node) return;
  var chart = echarts.init(node);
  chart.setOption({
    grid: { left: 44, right: 16, top: 24, bottom: 36 },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? data.none : v.toFixed(1) + "%"; } },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{
      type: "bar", barMaxWidth: 42, data: data.values.map(function (v) {
        return { value: v, itemStyle: { color: v === null ? "#d0d7e2" : v >= 100 ? "#0f766e" : v >= 80 ? "#16396b" : "#c8102e" } };
      }),
      label: { show: true, position: "top", formatter: function (p) { return p.value === null || p.value === undefined ? "—" : p.value.toFixed(1) + "%"; } },
      markLine: { silent: true, symbol: "none", lineStyle: { color: "#0f766e", type: "dashed" }, data: [{ yAxis: 100 }], label: { show: false } }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
