/* Small helpers: filter long unit lists as you type; fold the inbox filters on phones. */
(function () {
  "use strict";
  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }

  function bindUnitFilter(input) {
    var form = input.closest("form");
    input.addEventListener("input", function () {
      var term = norm(input.value);
      form.querySelectorAll("select[data-units] option").forEach(function (opt) {
        if (!opt.value) return;
        opt.hidden = term !== "" && norm(opt.textContent).indexOf(term) < 0;
      });
      form.querySelectorAll(".checklist .check").forEach(function (label) {
        label.hidden = term !== "" && norm(label.textContent).indexOf(term) < 0;
      });
    });
  }

  function init(root) {
    root.querySelectorAll("input[data-unit-filter]").forEach(bindUnitFilter);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    var more = document.querySelector("details.more-filters");
    if (more && window.matchMedia("(max-width: 720px)").matches && !more.dataset.active) {
      more.open = false;
    }
  });
})();
