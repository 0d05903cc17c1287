/* The screening form: the findings are hidden while 无风险 is chosen (the service refuses findings with 无风险). */
(function () {
  "use strict";
  var box = document.querySelector("[data-testid=findings]");
  if (!box) return;
  function sync() {
    var clear = document.querySelector("input[name=result][value=clear]");
    box.hidden = !!(clear && clear.checked);
  }
  document.querySelectorAll("input[name=result]").forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
