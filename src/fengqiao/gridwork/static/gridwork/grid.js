/* The grid page's map (/grids/<code>/): the grid and its neighbours from our own GeoJSON, drawn with ECharts
   (no tiles: intranet), and the patrol plan's places as points coloured by whether they are overdue. */
(function () {
  "use strict";
  var COLOURS = { ok: "#15803d", overdue: "#c8102e", never: "#ea580c" };
  var HIGHLIGHT = { areaColor: "#fde6d2", borderColor: "#c2410c", borderWidth: 2.5 };

  function words() {
    var node = document.getElementById("grid-map-text");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
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

  function draw(el) {
    if (typeof echarts === "undefined") return;
    var data = JSON.parse(document.getElementById(el.dataset.gridMap).textContent);
    var text = words();
    var urls = {};
    data.geojson.features.forEach(function (f) { if (f.properties.url) urls[f.properties.name] = f.properties.url; });
    echarts.registerMap("fq-grid", data.geojson);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var regions = [{ name: data.current, itemStyle: HIGHLIGHT }];  // its name is the page's title: no label over the points
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (p.seriesType === "scatter") {
            return p.data.name + "<br>" + p.data.kind + " · " + (text[p.data.status] || "");
          }
          return p.name || "";
        }
      },
      geo: {
        map: "fq-grid", roam: true, layoutSize: "94%",
        label: { show: false, fontSize: 11, color: "#475467" },
        itemStyle: { areaColor: "#eef3fa", borderColor: "#7b93b8", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#dbe7f7" } },
        select: { disabled: true },
        regions: regions
      },
      series: [{
        type: "scatter", coordinateSystem: "geo", symbolSize: 9, zlevel: 2,
        data: data.places.map(function (p) {
          return { name: p.name, value: p.value, kind: p.kind, status: p.status,
                   itemStyle: { color: COLOURS[p.status] || "#475467", borderColor: "#fff", borderWidth: 1 } };
        })
      }]
    });
    // centre on the grid itself and zoom so that it fills about half the view: the neighbours are context
    var current = data.geojson.features[0];
    if (current && current.geometry) {
      var all = data.geojson.features.map(function (f) { return bbox(f.geometry); });
      var own = all[0];
      var whole = all.reduce(function (a, b) {
        return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
      });
      var ratio = Math.min((whole[2] - whole[0]) / Math.max(own[2] - own[0], 1e-6),
                           (whole[3] - whole[1]) / Math.max(own[3] - own[1], 1e-6));
      chart.setOption({ geo: { center: [(own[0] + own[2]) / 2, (own[1] + own[3]) / 2],
                               zoom: Math.max(1, Math.min(8, ratio * 0.55)) } });
    }
    chart.on("click", function (p) {
      if (p.componentType === "geo" && urls[p.name]) window.location.href = urls[p.name];
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-grid-map]").forEach(draw);
  });
})();
