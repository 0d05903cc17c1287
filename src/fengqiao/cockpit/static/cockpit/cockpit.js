/* The leaders' cockpit: one JSON request (rollups), ECharts charts; every figure links to its cases. */
(function () {
  "use strict";
  var root = document.getElementById("cockpit");
  if (!root || typeof echarts === "undefined") return;
  var T = {};
  try { T = JSON.parse(document.getElementById("ck-text").textContent) || {}; } catch (e) { T = {}; }
  var PALETTE = ["#1f4e8c", "#0f766e", "#d97706", "#7c3aed", "#c8102e", "#0891b2", "#65a30d", "#db2777", "#475569",
                 "#92400e", "#4f46e5", "#059669"];
  var GRADE = { key: "#c8102e", general: "#d97706", watch: "#2563eb" };
  var charts = [];

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function num(v) { return (v || 0).toLocaleString("zh-CN"); }
  function drill(dim, key, measure) {
    var q = new URLSearchParams({ scope: root.dataset.scope, period: root.dataset.period, dim: dim || "all",
                                  key: key || "", measure: measure || "received" });
    return root.dataset.cases + "?" + q.toString();
  }
  function go(url) { window.location.href = url; }
  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return null;
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(Object.assign({ color: PALETTE, textStyle: { fontFamily: "inherit" } }, option));
    if (onClick) c.on("click", onClick);
    charts.push(c);
    return c;
  }
  function empty(id) {
    var el = document.getElementById(id);
    if (el) el.innerHTML = '<p class="ck-empty">' + (T.none || "—") + "</p>";
  }

  function kpis(d) {
    var t = d.totals, p = d.previous;
    root.querySelectorAll("[data-kpi]").forEach(function (a) {
      var k = a.dataset.kpi, v = t[k], b = a.querySelector("b"), s = a.querySelector("small");
      a.href = drill("all", "", a.dataset.measure);
      if (k === "received" || k === "overdue") {
        b.textContent = num(v);
        var before = p[k];
        if (before && before * 20 < v) {  // the previous period barely has data (before the system's start)
          s.textContent = T.no_prev || "";
        } else if (before) {
          var change = (v - before) / before * 100;
          s.textContent = (T.prev || "") + " " + (change >= 0 ? "+" : "") + change.toFixed(1) + "%";
        } else { s.textContent = ""; }
      } else {
        b.textContent = pct(v);
        var was = p[k];
        s.textContent = was === null || was === undefined || v === null ? "" :
          (T.prev || "") + " " + ((v - was) * 100 >= 0 ? "+" : "") + ((v - was) * 100).toFixed(1) + " pt";
      }
    });
  }

  var trendChart = null;
  function trend(d, which) {
    var series = [], src = d.trend[which];
    if (which === "all") {
      series.push({ name: T.received, type: "line", smooth: true, showSymbol: false, areaStyle: { opacity: .12 },
                    data: src.lines[Object.keys(src.lines)[0]] || [] });
      series.push({ name: T.resolved, type: "line", smooth: true, showSymbol: false,
                    data: d.resolved_trend.lines[Object.keys(d.resolved_trend.lines)[0]] || [] });
    } else {
      Object.keys(src.lines).slice(0, 8).forEach(function (name) {
        series.push({ name: name, type: "line", stack: "s", smooth: true, showSymbol: false, areaStyle: { opacity: .5 },
                      data: src.lines[name] });
      });
    }
    var option = { tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
                   grid: { left: 48, right: 16, top: 36, bottom: 28 },
                   xAxis: { type: "category", data: src.buckets, boundaryGap: false },
                   yAxis: { type: "value", minInterval: 1 }, series: series };
    if (!trendChart) { trendChart = chart("ck-trend", option); } else { trendChart.setOption(option, true); }
  }

  function channels(d) {
    if (!d.channels.length) return empty("ck-channels");
    chart("ck-channels", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { orient: "vertical", right: 0, top: "middle", type: "scroll" },
      series: [{ type: "pie", radius: ["42%", "70%"], center: ["38%", "52%"], avoidLabelOverlap: true,
                 label: { show: false }, data: d.channels.map(function (r) { return { name: r.label, value: r.received, key: r.key }; }) }]
    }, function (p) { go(drill("channel", p.data.key)); });
  }

  function boxOf(features) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    features.forEach(function (f) {
      (function walk(c) {
        if (typeof c[0] === "number") {
          box = [Math.min(box[0], c[0]), Math.min(box[1], c[1]), Math.max(box[2], c[0]), Math.max(box[3], c[1])];
        } else { c.forEach(walk); }
      })(f.geometry ? f.geometry.coordinates : []);
    });
    return box;
  }

  function outline(d) {  // the child areas' outlines, or (areas drawn without outlines) the hexagons themselves
    if (d.basemap.features.length) return d.basemap;
    return { type: "FeatureCollection", features: d.heat.map(function (c) {
      return { type: "Feature", properties: { name: "" }, geometry: { type: "Polygon", coordinates: [c.boundary.concat([c.boundary[0]])] } };
    }) };
  }

  function geoBase(d, name) {
    echarts.registerMap(name, outline(d));
    return { map: name, roam: true, zoom: 1.05, label: { show: false },
             itemStyle: { areaColor: "#f4f6fa", borderColor: "#9aa8bd", borderWidth: 1 },
             emphasis: { disabled: true }, select: { disabled: true }, tooltip: { show: false } };
  }

  function heat(d) {
    if (!d.heat.length) return empty("ck-heat");
    var max = d.heat.reduce(function (m, c) { return Math.max(m, c.n); }, 1);
    chart("ck-heat", {
      tooltip: { trigger: "item", formatter: function (p) { return p.value ? (T.heat + "：" + num(p.value[0]) + "<br>" + T.click) : ""; } },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 4, itemWidth: 12,
                   inRange: { color: ["#fff7d6", "#fdc25c", "#f0642d", "#b3001b"] }, seriesIndex: 0, dimension: 0 },
      geo: geoBase(d, "ck-heat-" + d.scope.id),
      series: [{
        type: "custom", coordinateSystem: "geo", geoIndex: 0,
        data: d.heat.map(function (c) { return { value: [c.n], cell: c.cell, boundary: c.boundary }; }),
        renderItem: function (params, api) {
          var item = d.heat[params.dataIndex];
          var points = item.boundary.map(function (p) { return api.coord(p); });
          return { type: "polygon", shape: { points: points },
                   style: api.style({ fill: api.visual("color"), stroke: "rgba(255,255,255,.7)", lineWidth: .6, opacity: .85 }) };
        }
      }]
    }, function (p) { if (p.data && p.data.cell) go(drill("h3", p.data.cell)); });
  }

  function areas(d) {
    var title = document.getElementById("ck-areas-title");
    if (title) title.textContent = T[d.areas.dim] || T.area;
    var body = document.querySelector("#ck-areas tbody");
    body.innerHTML = "";
    if (!d.areas.rows.length) { body.innerHTML = '<tr><td colspan="5" class="muted">' + T.none + "</td></tr>"; return; }
    d.areas.rows.forEach(function (r) {
      var tr = document.createElement("tr");
      var name = document.createElement("td");
      var a = document.createElement("a");
      a.textContent = r.label;
      a.href = d.areas.dim === "grid" ? drill("grid", r.key) : "?scope=" + encodeURIComponent(r.key) + "&period=" + encodeURIComponent(root.dataset.period);
      name.appendChild(a);
      tr.appendChild(name);
      [["received", r.received, "received"], ["resolution_rate", pct(r.resolution_rate), "resolved"],
       ["on_time_rate", pct(r.on_time_rate), "on_time"], ["satisfaction_rate", pct(r.satisfaction_rate), "satisfied"]]
        .forEach(function (cell) {
          var td = document.createElement("td"), link = document.createElement("a");
          td.className = "num";
          link.textContent = cell[0] === "received" ? num(cell[1]) : cell[1];
          link.href = drill(d.areas.dim, r.key, cell[2]);
          td.appendChild(link);
          tr.appendChild(td);
        });
      body.appendChild(tr);
    });
  }

  function categories(d) {
    if (!d.categories.length) return empty("ck-categories");
    var rows = d.categories.slice().reverse();
    chart("ck-categories", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      series: [{ type: "bar", name: T.received, data: rows.map(function (r) { return { value: r.received, key: r.key }; }),
                 barMaxWidth: 22, itemStyle: { color: "#1f4e8c", borderRadius: [0, 3, 3, 0] }, label: { show: true, position: "right" } }]
    }, function (p) { go(drill("category", p.data.key)); });
  }

  function onTime(d) {
    var rows = d.areas.rows.filter(function (r) { return r.on_time_rate !== null; })
      .sort(function (a, b) { return a.on_time_rate - b.on_time_rate; }).slice(0, 15);
    if (!rows.length) return empty("ck-ontime");
    chart("ck-ontime", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v.toFixed(1) + "%"; } },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }), axisLabel: { fontSize: 11 } },
      series: [{ type: "bar", name: T.on_time_rate, barMaxWidth: 18, data: rows.map(function (r) {
        var v = +(r.on_time_rate * 100).toFixed(1);
        return { value: v, key: r.key, itemStyle: { color: v < 80 ? "#c8102e" : v < 90 ? "#d97706" : "#0f766e" } };
      }), label: { show: true, position: "right", formatter: "{c}%" } }]
    }, function (p) { go(drill(d.areas.dim, p.data.key, "overdue")); });
  }

  function rankings(d) {
    if (!d.rankings.length) return empty("ck-rankings");
    var rows = d.rankings.slice(0, 15);
    var names = rows.map(function (r) { return r.name; });
    function rate(k) { return rows.map(function (r) { return r[k] === null ? null : +(r[k] * 100).toFixed(1); }); }
    chart("ck-rankings", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100 }, yAxis: { type: "category", inverse: true, data: names,
        axisLabel: { width: 150, overflow: "truncate" } },
      series: [
        { name: T.score, type: "bar", data: rows.map(function (r) { return { value: r.score, unit: r.unit_id }; }),
          itemStyle: { color: "#1f4e8c" }, barMaxWidth: 18, label: { show: true, position: "right", fontSize: 10 } },
        { name: T.response, type: "scatter", data: rate("response"), symbolSize: 8, itemStyle: { color: "#0891b2" } },
        { name: T.resolution_rate, type: "scatter", data: rate("resolution"), symbolSize: 8, itemStyle: { color: "#0f766e" } },
        { name: T.satisfaction_rate, type: "scatter", data: rate("satisfaction"), symbolSize: 8, itemStyle: { color: "#d97706" } }
      ]
    }, function (p) { var r = rows[p.dataIndex]; if (r) go(drill("unit", String(r.unit_id))); });
  }

  function mediation(d) {
    var rows = d.areas.rows.filter(function (r) { return r.mediated > 0; }).slice(0, 15);
    if (!rows.length) return empty("ck-mediation");
    chart("ck-mediation", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 40, top: 30, bottom: 8, containLabel: true },
      xAxis: [{ type: "value", minInterval: 1 }],
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
      series: [
        { name: T.agreed, type: "bar", stack: "m", barMaxWidth: 18, data: rows.map(function (r) { return { value: r.mediation_agreed, key: r.key, m: "mediation_agreed" }; }), itemStyle: { color: "#0f766e" } },
        { name: T.failed, type: "bar", stack: "m", data: rows.map(function (r) { return { value: r.mediation_failed, key: r.key, m: "mediation_failed" }; }), itemStyle: { color: "#c8102e" } },
        { name: T.mediated, type: "bar", stack: "m", data: rows.map(function (r) {
          return { value: r.mediated - r.mediation_agreed - r.mediation_failed, key: r.key, m: "mediated" }; }), itemStyle: { color: "#cbd5e1" } }
      ]
    }, function (p) { go(drill(d.areas.dim, p.data.key, p.data.m)); });
  }

  function riskMap(d) {
    var r = d.risk_map;
    if (!r || (!r.points.length && !d.basemap.features.length) || !outline(d).features.length) return empty("ck-riskmap");
    var series = ["key", "general", "watch"].map(function (g) {
      return { name: (T[g] || g) + " " + (r.grades[g] || 0), type: "scatter", coordinateSystem: "geo",
               symbolSize: g === "key" ? 11 : g === "general" ? 8 : 6, itemStyle: { color: GRADE[g], opacity: .85 },
               data: r.points.filter(function (p) { return p.grade === g; }).map(function (p) {
                 return { name: p.title, value: [p.lng, p.lat], url: p.url, code: p.code }; }) };
    });
    chart("ck-riskmap", {
      tooltip: { trigger: "item", formatter: function (p) { return p.data ? p.data.code + "<br>" + p.data.name : ""; } },
      legend: { bottom: 0 }, geo: geoBase(d, "ck-risk-" + d.scope.id), series: series
    }, function (p) { if (p.data && p.data.url) go(p.data.url); });
  }

  function indicators(d) {
    var ind = d.indicators;
    if (!ind || !ind.rates) return;
    document.getElementById("ck-indicators-card").hidden = false;
    var rows = ind.rates;
    if (rows.every(function (x) { return x.rate === null; })) return empty("ck-indicators");
    chart("ck-indicators", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map(function (x) { return x.label; }) },
      series: [{ type: "bar", data: rows.map(function (x) {
        var v = x.rate === null ? null : +(x.rate * 100).toFixed(1);
        return { value: v, url: x.url, itemStyle: { color: v === null ? "#cbd5e1" : v >= 100 ? "#0f766e" : v >= 90 ? "#d97706" : "#c8102e" } };
      }), label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } } }]
    }, function (p) { if (p.data && p.data.url) go(p.data.url); });
  }

  function hot(d) {
    if (!d.hot_issues || !d.hot_issues.length) return;
    document.getElementById("ck-hot-card").hidden = false;
    var list = document.getElementById("ck-hot");
    d.hot_issues.forEach(function (g) {
      var li = document.createElement("li"), a = document.createElement("a"), s = document.createElement("span");
      a.textContent = g.title; a.href = g.url || "/hot-issues/";
      s.className = "muted small"; s.textContent = [g.place, g.size ? g.size + (T.cases || "") : "", g.heat !== undefined ? (T.heat_index || "") + " " + g.heat : ""].filter(Boolean).join(" · ");
      li.appendChild(a); li.appendChild(s); list.appendChild(li);
    });
  }

  function warning(d) {
    if (!d.warning) return;
    document.getElementById("ck-warning-card").hidden = false;
    var g = d.warning.grades || {};
    chart("ck-warning", {
      tooltip: { trigger: "item" }, grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: [T.watch, T.general, T.key] },
      series: [{ type: "bar", data: [["watch", "#2563eb"], ["general", "#d97706"], ["key", "#c8102e"]].map(function (x) {
        return { value: g[x[0]] || 0, grade: x[0], itemStyle: { color: x[1] } }; }), label: { show: true, position: "right" } }]
    }, function (p) { go(d.warning.url + "?grade=" + p.data.grade); });
  }

  var status = document.getElementById("ck-status");
  fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (d) {
      var failed = [];
      [kpis, function (x) { trend(x, "all"); }, channels, heat, areas, categories, onTime, rankings, mediation,
       riskMap, indicators, hot, warning].forEach(function (draw) {
        try { draw(d); } catch (e) { failed.push(e); if (window.console) console.error(e); }  // one chart, not all
      });
      if (failed.length) throw failed[0];
      root.querySelectorAll("[data-trend]").forEach(function (b) {
        b.addEventListener("click", function () {
          root.querySelectorAll("[data-trend]").forEach(function (x) { x.setAttribute("aria-selected", x === b ? "true" : "false"); });
          trend(d, b.dataset.trend);
        });
      });
      status.textContent = "";
      root.dataset.ready = "1";
    })
    .catch(function () { status.textContent = T.failed_load || "error"; root.dataset.ready = "error"; });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
