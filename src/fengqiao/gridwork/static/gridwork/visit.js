/* Visits on the staff site: a photo viewer (the grid page's thumbnails and a visit's photos open in a dialog,
   the original a click away) and a visit's map — the grid's outline, the place's point and the phone's point,
   drawn with ECharts from our own GeoJSON (no tiles: intranet). */
(function () {
  "use strict";

  function viewer() {
    var dialog = document.querySelector("[data-photo-viewer]");
    if (!dialog || !dialog.showModal) return;
    var img = dialog.querySelector("img");
    var original = dialog.querySelector("[data-original]");
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-photo]") : null;
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var thumb = link.querySelector("img");
      if (!thumb) return;  // HEIC: the browser cannot draw it, the link downloads it
      event.preventDefault();
      img.src = link.href;
      img.alt = thumb.alt;
      original.href = link.href;
      dialog.showModal();
    });
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", function () { img.removeAttribute("src"); });
  }

  function map(el) {
    if (typeof echarts === "undefined") return;
    var data = JSON.parse(document.getElementById(el.dataset.visitMap).textContent);
    echarts.registerMap("fq-visit", data.geojson);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var points = [{ name: data.point.name, value: data.point.value, itemStyle: { color: "#1d4ed8" }, symbolSize: 12 }];
    if (data.place) points.push({ name: data.place.name, value: data.place.value, symbol: "diamond", symbolSize: 13,
                                  itemStyle: { color: "#c2410c" } });
    var lines = data.place ? [{ coords: [data.place.value, data.point.value] }] : [];
    var xs = points.map(function (p) { return p.value[0]; }), ys = points.map(function (p) { return p.value[1]; });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { return p.name || ""; } },
      geo: {
        map: "fq-visit", roam: true, layoutSize: "90%",
        center: [(Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2,
                 (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2],
        itemStyle: { areaColor: "#fde6d2", borderColor: "#c2410c", borderWidth: 2 },
        emphasis: { disabled: true }, select: { disabled: true }
      },
      series: [
        { type: "lines", coordinateSystem: "geo", zlevel: 1, data: lines,
          lineStyle: { color: "#475467", width: 1.5, type: "dashed" } },
        { type: "scatter", coordinateSystem: "geo", zlevel: 2, data: points,
          itemStyle: { borderColor: "#fff", borderWidth: 1 } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    viewer();
    document.querySelectorAll("[data-visit-map]").forEach(map);
  });
})();
