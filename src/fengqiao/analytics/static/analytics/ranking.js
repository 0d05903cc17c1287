/* The ranking page's charts (ECharts, served from node_modules): the ranked units' score and three rates
   (bars), and the three rates month by month (lines).  Labels come translated with the data. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var narrow = window.matchMedia("(max-width: 720px)").matches;
  var charts = [];
  var COLORS = { response: "#3b82f6", resolution: "#0f766e", satisfaction: "#c2410c" };

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function bars(data) {
    var L = data.labels;
    var shown = Math.min(data.units.length, narrow ? 8 : 15);
    function base() {
      return {
        grid: { left: 8, right: data.units.length > shown ? 52 : 40, top: 36, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        yAxis: { type: "category", data: data.units, inverse: true,
                 axisLabel: { width: narrow ? 84 : 150, overflow: "truncate" } },
        dataZoom: data.units.length > shown
          ? [{ type: "slider", yAxisIndex: 0, right: 0, width: 14, startValue: 0, endValue: shown - 1,
               showDetail: false, brushSelect: false },
             { type: "inside", yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true }]
          : []
      };
    }
    var score = echarts.init(document.getElementById("chart-score"));
    var options = base();
    options.xAxis = { type: "value", min: 0, max: 100 };
    options.series = [{ type: "bar", name: L.score, data: data.score, itemStyle: { color: "#1f3a68" },
                        label: { show: true, position: "right",
                                 formatter: function (p) { return p.value.toFixed(2); } } }];
    score.setOption(options);
    var rates = echarts.init(document.getElementById("chart-rates"));
    options = base();
    options.legend = { top: 0, data: [L.response, L.resolution, L.satisfaction] };
    options.xAxis = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
    options.series = ["response", "resolution", "satisfaction"].map(function (k) {
      return { type: "bar", name: L[k], data: data[k], itemStyle: { color: COLORS[k] } };
    });
    rates.setOption(options);
    charts.push(score, rates);
  }

  function trend(data) {
    var L = data.labels;
    var chart = echarts.init(document.getElementById("chart-trend"));
    var series = ["response", "resolution", "satisfaction"].map(function (k) {
      return { type: "line", name: L[k], data: data[k], smooth: true, symbolSize: 6, connectNulls: true,
               itemStyle: { color: COLORS[k] }, lineStyle: { width: 2.5 } };
    });
    series.push({ type: "bar", name: L.cases, data: data.cases, yAxisIndex: 1, barMaxWidth: 18,
                  itemStyle: { color: "#d0d7e2" }, z: 1 });
    chart.setOption({
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [L.response, L.resolution, L.satisfaction, L.cases] },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100,
                axisLabel: { formatter: "{value}%" } },
              { type: "value", splitLine: { show: false }, axisLabel: { color: "#98a2b3" } }],
      series: series
    });
    charts.push(chart);
  }

  var rank = read("rank-data");
  if (rank && document.getElementById("chart-score")) bars(rank);
  var months = read("trend-data");
  if (months && document.getElementById("chart-trend")) trend(months);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
