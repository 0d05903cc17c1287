/* The consultation's opinions by channel, as stacked horizontal bars (ECharts, served from node_modules).
   Data and translated labels come from the json_script block #consultation-data. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var node = document.getElementById("chart-consultation");
  var source = document.getElementById("consultation-data");
  if (!node || !source) return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var widest = Math.max.apply(null, data.support.map(function (v, i) { return v + data.oppose[i] + data.neutral[i]; }));
  function bar(name, values, color) {
    return { type: "bar", stack: "all", name: name, data: values, itemStyle: { color: color }, barMaxWidth: 26,
             label: { show: true, formatter: function (p) { return p.value >= widest * 0.06 ? p.value : ""; }, color: "#fff", fontSize: 11 } };
  }
  var chart = echarts.init(node);
  chart.setOption({
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    legend: { top: 0, data: [L.support, L.oppose, L.neutral] },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.channels, inverse: true },
    series: [bar(L.support, data.support, "#16a34a"), bar(L.oppose, data.oppose, "#e11d48"),
             bar(L.neutral, data.neutral, "#9ca3af")]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
