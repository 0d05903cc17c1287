/* Bar charts of the ranking (ECharts, served from node_modules): the score, and the three rates. */
(function () {
  "use strict";
  var node = document.getElementById("rank-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var narrow = window.matchMedia("(max-width: 720px)").matches;
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
  options.series = [{ type: "bar", name: "得分", data: data.score, itemStyle: { color: "#1f3a68" },
                      label: { show: true, position: "right",
                                 formatter: function (p) { return p.value.toFixed(2); } } }];
  score.setOption(options);
  var rates = echarts.init(document.getElementById("chart-rates"));
  options = base();
  options.legend = { top: 0, data: ["响应率", "解决率", "满意率"] };
  options.xAxis = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  options.series = [
    { type: "bar", name: "响应率", data: data.response, itemStyle: { color: "#3b82f6" } },
    { type: "bar", name: "解决率", data: data.resolution, itemStyle: { color: "#0f766e" } },
    { type: "bar", name: "满意率", data: data.satisfaction, itemStyle: { color: "#c2410c" } }
  ];
  rates.setOption(options);
  window.addEventListener("resize", function () { score.resize(); rates.resize(); });
})();
