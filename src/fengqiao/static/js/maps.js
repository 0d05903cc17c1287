/* Grid maps drawn from our own GeoJSON with ECharts (no tiles: intranet), and location picking. */
(function () {
  "use strict";

  function text(key) {
    var node = document.getElementById("geo-text");
    if (!node) return "";
    try { return JSON.parse(node.textContent)[key] || ""; } catch (e) { return ""; }
  }

  function setPoint(lng, lat) {
    var lngInput = document.getElementById("id_lng");
    var latInput = document.getElementById("id_lat");
    if (lngInput) lngInput.value = lng.toFixed(6);
    if (latInput) latInput.value = lat.toFixed(6);
    if (lngInput) lngInput.dataset.source = "pick";  // an address typed later does not move it (locate.js)
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

  // Names are drawn only when every area is wide enough on screen for its own name (else they overlap);
  // hovering shows a name either way.
  function labelsFit(chart, features) {
    return features.every(function (f) {
      var box = bbox(f.geometry);
      if (!isFinite(box[0])) return true;
      var a = chart.convertToPixel({ geoIndex: 0 }, [box[0], box[1]]);
      var b = chart.convertToPixel({ geoIndex: 0 }, [box[2], box[3]]);
      return a && b && Math.abs(b[0] - a[0]) >= String(f.properties.name || "").length * 11 + 6;
    });
  }

  var HIGHLIGHT = { areaColor: "#fde6d2", borderColor: "#c2410c", borderWidth: 2 };

  function draw(el) {
    if (typeof echarts === "undefined") return;
    var data = JSON.parse(document.getElementById(el.dataset.map).textContent);
    var name = "fq-" + el.dataset.map;
    echarts.registerMap(name, data.geojson);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    // a city-wide operator first sees the streets she reaches; a click on one opens its grids
    var view = { map: name, features: data.geojson.features, level: data.drill ? "street" : "grid",
                 current: data.current || "", point: data.point || null };
    function many() { return view.features.length > (el.dataset.pick ? 12 : 40); }
    function option() {
      return {
        animation: false,
        tooltip: { trigger: "item", formatter: function (p) { return p.name || ""; } },
        geo: {
          map: view.map, roam: true, layoutSize: "92%",
          label: { show: !many(), fontSize: 11, color: "#334155" },
          itemStyle: { areaColor: view.level === "street" ? "#e8eef8" : "#eef3fa", borderColor: "#7b93b8", borderWidth: 1 },
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#dbe7f7" } },
          select: { disabled: true },
          regions: view.current ? [{ name: view.current, itemStyle: HIGHLIGHT }] : []
        },
        series: [{
          type: "effectScatter", coordinateSystem: "geo", symbolSize: 14, zlevel: 2,
          rippleEffect: { scale: 3, brushType: "stroke" },
          itemStyle: { color: "#c8102e" },
          data: view.point && view.level === "grid" ? [{ name: "", value: view.point }] : []
        }]
      };
    }
    function fitLabels() {
      if (!many()) chart.setOption({ geo: { label: { show: labelsFit(chart, view.features) } } });
    }
    function render() { chart.clear(); chart.setOption(option()); fitLabels(); }
    render();
    chart.on("georoam", fitLabels);
    window.addEventListener("resize", function () { chart.resize(); fitLabels(); });
    if (!el.dataset.pick) return;

    var bar = null;
    function showStreets() {
      view = { map: name, features: data.geojson.features, level: "street", current: "", point: view.point };
      if (bar) bar.hidden = true;
      render();
    }
    function openStreet(id) {  // → a promise of the street's grids drawn
      var url = el.dataset.drill.replace("/0/", "/" + id + "/");
      return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (street) {
          var mapName = name + "-" + street.id;
          echarts.registerMap(mapName, street.geojson);
          view = { map: mapName, features: street.geojson.features, level: "grid", current: "", point: view.point };
          if (!bar) {
            bar = document.createElement("p");
            bar.className = "map-drill";
            bar.innerHTML = '<button type="button" class="btn ghost small" data-map-back></button> <span></span>';
            bar.querySelector("button").textContent = text("back");
            bar.querySelector("button").addEventListener("click", showStreets);
            el.parentNode.insertBefore(bar, el);
          }
          bar.hidden = false;
          bar.querySelector("span").textContent = street.name;
          render();
        });
    }
    if (el.dataset.drill) {
      chart.on("click", function (params) {
        if (view.level !== "street" || params.componentType !== "geo") return;
        var found = view.features.filter(function (f) { return f.properties.name === params.name; })[0];
        if (found) openStreet(found.properties.id);
      });
    }
    el.addEventListener("fq:located", function (event) {  // the typed address was recognised
      var show = function () {
        view.current = event.detail.grid;
        view.point = event.detail.point;
        render();
      };
      if (el.dataset.drill && event.detail.street) { openStreet(event.detail.street).then(show, show); } else { show(); }
    });
    chart.getZr().on("click", function (event) {
      if (view.level !== "grid") return;  // on the streets a click opens the street
      var coord = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
      if (!coord) return;
      setPoint(coord[0], coord[1]);
      view.point = coord;
      chart.setOption({ series: [{ data: [{ name: "", value: coord }] }] });
      var status = document.getElementById("locate-status");
      if (status) status.textContent = text("set") + coord[0].toFixed(6) + ", " + coord[1].toFixed(6);
    });
  }

  function locate() {
    var button = document.getElementById("use-location");
    var status = document.getElementById("locate-status");
    if (!button) return;
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      status.textContent = text("busy");
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPoint(pos.coords.longitude, pos.coords.latitude);
        status.textContent = text("ok");
      }, function () {
        status.textContent = text("fail");
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(draw);
    locate();
  });
})();
