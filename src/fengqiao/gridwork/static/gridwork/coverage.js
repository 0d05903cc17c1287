/* The coverage pages (ECharts, served from node_modules): a map of our own grid or street polygons coloured by
   coverage (a click on a street opens its grids), and bars of coverage by area, the worst first.
   The data and the labels come translated with the page (json_script). */
(function () {
  "use strict";
  if (!window.echarts) return;
  var narrow = window.matchMedia("(max-width: 720px)").matches;
  var charts = [];
  var NONE = -1; // nothing planned: drawn grey
  var COLORS = { bad: "#c8102e", low: "#f59e0b", ok: "#84c98f", good: "#1f8a4c", none: "#d5dae1" };

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function colour(value, t) {
    if (value === null || value === undefined || value < 0) return COLORS.none;
    if (value < Math.min(50, t)) return COLORS.bad;
    if (value < t) return COLORS.low;
    return value < 95 ? COLORS.ok : COLORS.good;
  }

  function pieces(t, L) {
    var list = [{ value: NONE, color: COLORS.none, label: L.none }, { gte: 0, lt: Math.min(50, t), color: COLORS.bad, label: L.bad }];
    if (t > 50) list.push({ gte: 50, lt: t, color: COLORS.low, label: L.low });
    list.push({ gte: t, lt: 95, color: COLORS.ok, label: L.ok }, { gte: 95, color: COLORS.good, label: L.good });
    return list;
  }

  function bbox(geometry) {  // [minLng, minLat, maxLng, maxLat] of a Polygon or MultiPolygon
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    (function walk(c) {
      if (typeof c[0] === "number") {
        box = [Math.min(box[0], c[0]), Math.min(box[1], c[1]), Math.max(box[2], c[0]), Math.max(box[3], c[1])];
      } else { c.forEach(walk); }
    })(geometry ? geometry.coordinates : []);
    return box;
  }

  // a grid's name on two lines (东风社区 / 第1网格), so more of them fit inside their polygon
  function labelOf(v) { return v ? v.label.replace(/(第\d+网格)$/, "\n$1") : ""; }

  function map(el, data) {
    var L = data.labels;
    var byCode = {};
    var boxes = {};
    data.values.forEach(function (v) { byCode[v.name] = v; });
    data.geojson.features.forEach(function (f) { boxes[f.properties.code] = bbox(f.geometry); });
    echarts.registerMap("fq-coverage", data.geojson);
    var chart = echarts.init(el, null, { renderer: "canvas" });

    // a name is drawn only where it fits inside its area at the current zoom (hovering shows it anyway)
    function items() {
      return data.values.map(function (v) {
        var box = boxes[v.name];
        var show = false;
        if (box && isFinite(box[0])) {
          var a = chart.convertToPixel({ seriesIndex: 0 }, [box[0], box[1]]);
          var b = chart.convertToPixel({ seriesIndex: 0 }, [box[2], box[3]]);
          var lines = labelOf(v).split("\n");
          var widest = Math.max.apply(null, lines.map(function (t) { return t.length; }));
          show = !!(a && b && Math.abs(b[0] - a[0]) * 0.8 >= widest * 12 + 4 &&
                    Math.abs(b[1] - a[1]) * 0.8 >= lines.length * 15);
        }
        return { name: v.name, value: v.value === null ? NONE : v.value, label: { show: show } };
      });
    }

    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item", confine: true,
        formatter: function (p) {
          var v = byCode[p.name];
          if (!v) return "";
          var lines = ["<b>" + echarts.format.encodeHTML(v.label) + "</b>",
            L.coverage + "：" + (v.value === null ? "—" : v.value.toFixed(1) + "%"),
            L.visited + " / " + L.planned + "：" + v.visited + " / " + v.planned,
            L.overdue + "：" + v.overdue + " · " + L.visits + "：" + v.visits];
          if (data.level === "street") lines.push(L.blind + "：" + v.blind);
          if (data.drill) lines.push('<span style="color:#667085">' + L.open + "</span>");
          return lines.join("<br>");
        }
      },
      visualMap: {
        type: "piecewise", pieces: pieces(data.threshold, L), left: 6, bottom: 6, orient: "vertical",
        itemWidth: 14, itemHeight: 10, itemGap: 4, textStyle: { fontSize: 11, color: "#475467" },
        backgroundColor: "rgba(255,255,255,.85)", padding: 6, selectedMode: false
      },
      series: [{
        type: "map", map: "fq-coverage", nameProperty: "code", roam: true, layoutSize: narrow ? "96%" : "92%",
        scaleLimit: { min: 0.8, max: 40 },
        itemStyle: { areaColor: COLORS.none, borderColor: "#ffffff", borderWidth: data.level === "street" ? 1.2 : 0.6 },
        label: { fontSize: 11, lineHeight: 13, color: "#1d2939", textBorderColor: "rgba(255,255,255,.8)", textBorderWidth: 2,
                 formatter: function (p) { return labelOf(byCode[p.name]); } },
        emphasis: { label: { show: true, color: "#ffffff", textBorderWidth: 0,
                             formatter: function (p) { return labelOf(byCode[p.name]); } },
                    itemStyle: { areaColor: "#2f5597", borderColor: "#0a1f3d" } },
        select: { disabled: true },
        data: data.values.map(function (v) { return { name: v.name, value: v.value === null ? NONE : v.value }; })
      }]
    });
    chart.setOption({ series: [{ data: items() }] });
    chart.on("georoam", function () { chart.setOption({ series: [{ data: items() }] }); });
    if (data.drill) {
      el.style.cursor = "pointer";
      chart.on("click", function (p) { if (p.name) window.location.href = data.drill + encodeURIComponent(p.name); });
    }
    charts.push(chart);
    window.addEventListener("resize", function () { chart.setOption({ series: [{ data: items() }] }); });
  }

  function bars(el, data) {
    var L = data.labels;
    var t = data.threshold;
    var shown = Math.min(data.names.length, narrow ? 10 : 16);
    if (el.dataset.fit) el.style.height = Math.max(180, Math.min(520, 70 + shown * 40)) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: data.names.length > shown ? 56 : 44, top: 30, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (ps) {
          var i = ps[0].dataIndex;
          var v = data.values[i];
          return "<b>" + echarts.format.encodeHTML(data.names[i]) + "</b><br>" + L.coverage + "：" +
            (v === null ? "—" : v.toFixed(1) + "%") + "<br>" + L.visited + " / " + L.planned + "：" +
            data.visited[i] + " / " + data.planned[i];
        }
      },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.names, inverse: true,
               axisLabel: { width: narrow ? 90 : 140, overflow: "truncate" } },
      dataZoom: data.names.length > shown
        ? [{ type: "slider", yAxisIndex: 0, right: 0, width: 14, startValue: 0, endValue: shown - 1,
             showDetail: false, brushSelect: false },
           { type: "inside", yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true }]
        : [],
      series: [{
        type: "bar", name: L.coverage, barMaxWidth: 18,
        data: data.values.map(function (v) { return { value: v, itemStyle: { color: colour(v, t) } }; }),
        label: { show: true, position: "right", fontSize: 11,
                 formatter: function (p) { return p.value === null || p.value === undefined ? "—" : p.value.toFixed(1) + "%"; } },
        markLine: { silent: true, symbol: "none", data: [{ xAxis: t }],
                    lineStyle: { color: "#c8102e", type: "dashed" },
                    label: { formatter: L.threshold, position: "start", distance: 6, color: "#c8102e", fontSize: 11 } }
      }]
    });
    charts.push(chart);
  }

  var mapData = read("coverage-map");
  var mapEl = document.getElementById("coverage-map-chart");
  if (mapData && mapEl) map(mapEl, mapData);
  var barData = read("coverage-bars");
  var barEl = document.getElementById("coverage-bars-chart");
  if (barData && barEl) bars(barEl, barData);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
