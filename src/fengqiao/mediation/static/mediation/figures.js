/* The mediation figures (调解统计) and a mediator's year, drawn with ECharts (served from node_modules).
   Data and translated labels come from json_script blocks: #figures-data, #mediator-year. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var narrow = window.matchMedia("(max-width: 720px)").matches;
  var charts = [];
  var NAVY = "#1f3a68", TEAL = "#0f766e", RED = "#c8102e", GREY = "#d0d7e2", AMBER = "#f59e0b";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function make(id, options) {
    var node = document.getElementById(id);
    if (!node) return null;
    var chart = echarts.init(node);
    chart.setOption(options);
    charts.push(chart);
    return chart;
  }

  function pct(v) { return v === null || v === undefined ? "—" : v.toFixed(1) + "%"; }

  /* Success rate by month (line) over the months' applications and conclusions (bars). */
  function trend(id, data, L) {
    var series = [
      { type: "bar", name: L.concluded, data: data.concluded, yAxisIndex: 1, barMaxWidth: 22,
        itemStyle: { color: "#9fb3d1" } },
      { type: "line", name: L.rate, data: data.rate, smooth: false, symbolSize: 7, connectNulls: true,
        itemStyle: { color: TEAL }, lineStyle: { width: 3 },
        label: { show: !narrow && data.months.length <= 13, position: "top", formatter: function (p) { return pct(p.value); },
                 color: TEAL, fontSize: 11 } }
    ];
    if (data.applied) {
      series.unshift({ type: "bar", name: L.applied, data: data.applied, yAxisIndex: 1, barMaxWidth: 22,
                       itemStyle: { color: GREY } });
    }
    return make(id, {
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v; } },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value", max: 100, min: function (v) { return Math.max(0, Math.floor((v.min - 5) / 10) * 10); },
                axisLabel: { formatter: "{value}%" } },
              { type: "value", splitLine: { show: false }, axisLabel: { color: "#98a2b3" } }],
      series: series
    });
  }

  /* Groups ranked by success rate: horizontal bars, the best on top, the count in the tooltip. */
  function ranked(id, data, L, color, extra) {
    var shown = Math.min(data.names.length, narrow ? 8 : 14);
    var minRate = Math.min.apply(null, data.rate.filter(function (v) { return v !== null; }).concat([100]));
    var chart = make(id, {
      grid: { left: 8, right: data.names.length > shown ? 56 : 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (items) {
        var i = items[0].dataIndex;
        return data.names[i] + (extra ? " · " + extra[i] : "") + "<br>" + L.rate + " " + pct(data.rate[i]) +
               "<br>" + L.concluded + " " + data.concluded[i] + " " + L.cases;
      } },
      xAxis: { type: "value", max: 100, min: Math.max(0, Math.floor((minRate - 10) / 10) * 10),
               axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: narrow ? 80 : 120, overflow: "truncate" } },
      dataZoom: data.names.length > shown
        ? [{ type: "slider", yAxisIndex: 0, right: 0, width: 14, startValue: 0, endValue: shown - 1, showDetail: false,
             brushSelect: false },
           { type: "inside", yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true }]
        : [],
      series: [{ type: "bar", name: L.rate, data: data.rate, barMaxWidth: 20, itemStyle: { color: color },
                 label: { show: true, position: "right", formatter: function (p) { return pct(p.value); } } }]
    });
    return chart;
  }

  function workload(id, data, L) {
    return make(id, {
      grid: { left: 8, right: 24, top: 30, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: [L.open, L.max] },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: narrow ? 70 : 100, overflow: "truncate" } },
      series: [
        { type: "bar", name: L.max, data: data.max, barGap: "-100%", barMaxWidth: 16, itemStyle: { color: "#e3e8ef" }, z: 1 },
        { type: "bar", name: L.open, barMaxWidth: 16, z: 2, itemStyle: { color: NAVY },
          data: data.open.map(function (v, i) { return v >= data.max[i] ? { value: v, itemStyle: { color: RED } } : v; }),
          label: { show: true, position: "right", formatter: function (p) { return p.value + "/" + data.max[p.dataIndex]; } } }
      ]
    });
  }

  function ratings(id, counts, L) {
    return make(id, {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: ["1★", "2★", "3★", "4★", "5★"] },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: L.count, data: counts, barMaxWidth: 36,
                 itemStyle: { color: function (p) { return p.dataIndex >= 3 ? AMBER : "#c4ccd8"; } },
                 label: { show: true, position: "top" } }]
    });
  }

  var data = read("figures-data");
  if (data) {
    var L = data.labels;
    trend("chart-trend", data.trend, L);
    var area = ranked("chart-area", data.area, L, NAVY);
    if (area && data.area.drill) {
      area.on("click", function (p) {
        var key = data.area.keys[p.dataIndex];
        if (!key) return;
        var params = new URLSearchParams(window.location.search);
        params.set("district", key);
        window.location.search = params.toString();
      });
      area.getZr().setCursorStyle("pointer");
    }
    ranked("chart-kind", data.kind, L, TEAL);
    ranked("chart-mediator", data.mediator, L, "#3b82f6", data.mediator.units);
    workload("chart-workload", data.workload, L);
    ratings("chart-ratings", data.ratings, L);
  }
  var year = read("mediator-year");
  if (year) trend("mediator-year-chart", year, year.labels);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
