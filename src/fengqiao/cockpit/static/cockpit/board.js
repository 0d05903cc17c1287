/* The public board's bar charts (ECharts, from node_modules): one per measure, areas sorted by value;
   a suppressed area is kept in place with an empty bar labelled "<10" (counts) or "—" (rates). */
(function () {
  "use strict";
  var node = document.getElementById("board-data");
  if (!window.echarts || !node) return;
  var data = JSON.parse(node.textContent);
  var narrow = window.matchMedia("(max-width: 720px)").matches;
  var charts = [];
  var NAVY = "#1f3a68", TEAL = "#0f766e", GREY = "#9fb3d1";

  function order(values) {
    var idx = data.names.map(function (_n, i) { return i; });
    return idx.sort(function (a, b) {
      var va = values[a], vb = values[b];
      if (va === null && vb === null) return 0;
      if (va === null) return 1;
      if (vb === null) return -1;
      return va - vb;
    });
  }

  function height(el) {
    el.style.height = Math.max(160, 30 * data.names.length + 50) + "px";
  }

  function bars(id, key, color, percent) {
    var el = document.getElementById(id);
    if (!el || !data.names.length) return;
    height(el);
    var idx = order(data[key]);
    var names = idx.map(function (i) { return data.names[i]; });
    var values = idx.map(function (i) { return data[key][i]; });
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return v === null || v === undefined ? (percent ? "—" : data.labels.small) : (percent ? v + "%" : v); } },
      xAxis: { type: "value", max: percent ? 100 : null, axisLabel: { formatter: percent ? "{value}%" : "{value}" } },
      yAxis: { type: "category", data: names, axisLabel: { width: narrow ? 72 : 120, overflow: "truncate" } },
      series: [{ type: "bar", data: values.map(function (v) { return v === null ? { value: 0, itemStyle: { color: "transparent" } } : v; }),
                 itemStyle: { color: color }, barMaxWidth: 18,
                 label: { show: true, position: "right", color: "#344054", fontSize: 11,
                          formatter: function (p) { var v = values[p.dataIndex];
                            return v === null ? (percent ? "—" : data.labels.small) : (percent ? v.toFixed(1) + "%" : v); } } }]
    });
    charts.push(chart);
  }

  function counts(id) {
    var el = document.getElementById(id);
    if (!el || !data.names.length) return;
    height(el);
    var idx = order(data.received);
    var pick = function (key) { return idx.map(function (i) { return data[key][i]; }); };
    var received = pick("received"), resolved = pick("resolved");
    var label = function (values) {
      return { show: true, position: "right", color: "#344054", fontSize: 11,
               formatter: function (p) { var v = values[p.dataIndex]; return v === null ? data.labels.small : v; } };
    };
    var zero = function (v) { return v === null ? 0 : v; };
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 48, top: 30, bottom: 8, containLabel: true },
      legend: { top: 0, data: [data.labels.received, data.labels.resolved] },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: idx.map(function (i) { return data.names[i]; }),
               axisLabel: { width: narrow ? 72 : 120, overflow: "truncate" } },
      series: [
        { type: "bar", name: data.labels.received, data: received.map(zero), itemStyle: { color: GREY }, barMaxWidth: 14, label: label(received) },
        { type: "bar", name: data.labels.resolved, data: resolved.map(zero), itemStyle: { color: NAVY }, barMaxWidth: 14, label: label(resolved) }
      ]
    });
    charts.push(chart);
  }

  counts("bd-counts");
  bars("bd-resolution", "resolution", NAVY, true);
  bars("bd-on_time", "on_time", TEAL, true);
  bars("bd-satisfaction", "satisfaction", "#b45309", true);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
