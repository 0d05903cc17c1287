/* Address → grid on the registration form: the htmx partial under the address says where it is; when it is
   sure of a grid, fill in the point (unless the operator typed or picked one) and show the grid on the map. */
(function () {
  "use strict";

  function mark(input) {
    if (input) input.addEventListener("input", function () { input.dataset.source = "manual"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var lng = document.getElementById("id_lng");
    var lat = document.getElementById("id_lat");
    mark(lng);
    mark(lat);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var box = event.detail.target;
      if (!box || box.id !== "locate-result" || !lng || !lat) return;
      var result = box.querySelector("[data-located='1']");
      if (!result || !result.dataset.sure || !result.dataset.lng) return;
      var chosen = lng.dataset.source === "manual" || lng.dataset.source === "pick";
      if (chosen && lng.value && lat.value) return;
      lng.value = Number(result.dataset.lng).toFixed(6);
      lat.value = Number(result.dataset.lat).toFixed(6);
      lng.dataset.source = lat.dataset.source = "locate";
      document.querySelectorAll("[data-map][data-pick]").forEach(function (map) {
        map.dispatchEvent(new CustomEvent("fq:located", {
          detail: { grid: result.dataset.grid, street: result.dataset.street,
                    point: [Number(result.dataset.lng), Number(result.dataset.lat)] }
        }));
      });
    });
  });
})();
