/* The heat bar chart of /hot-issues/: one bar per issue, hottest on top; a click opens the issue. */
(function () {
  var data = document.getElementById("hot-chart-data");
  var el = document.getElementById("hot-chart");
  if (!data || !el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(data.textContent);
  el.style.height = Math.max(220, 34 * d.labels.length + 40) + "px";
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" },
      formatter: function (p) {
        var i = p[0].dataIndex;
        return d.labels[i] + "<br>" + p[0].marker + " " +
          d.size_label.replace("%(heat)s", d.heat[i]).replace("%(n)s", d.size[i]);
      }
    },
    xAxis: { type: "value", splitLine: { lineStyle: { color: "#eef0f4" } } },
    yAxis: { type: "category", data: d.labels, axisTick: { show: false }, axisLabel: { color: "#334155" } },
    series: [{
      type: "bar", data: d.heat, barMaxWidth: 22, cursor: "pointer",
      itemStyle: { color: "#c2410c", borderRadius: [0, 4, 4, 0] },
      label: { show: true, position: "right", color: "#475569", formatter: function (p) { return p.value.toFixed(1); } }
    }]
  });
  chart.on("click", function (p) { if (d.urls[p.dataIndex]) { window.location.href = d.urls[p.dataIndex]; } });
  window.addEventListener("resize", function () { chart.resize(); });
})();
