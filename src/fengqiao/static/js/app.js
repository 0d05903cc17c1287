/* Small helpers: filter long unit lists as you type; fold the inbox filters on phones; the behaviours that
   were inline handlers before the Content Security Policy (docs/security.md): selects that submit their form
   (data-autosubmit), a suggested category picked into the form (data-pick-category), an htmx target that
   shows a 400 answer (data-swap-400). */
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

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("select[data-autosubmit]") && t.form) t.form.submit();
  });

  document.addEventListener("click", function (e) {
    var b = e.target && e.target.closest ? e.target.closest("[data-pick-category]") : null;
    var s = b && document.getElementById("id_category");
    if (!s) return;
    s.value = b.dataset.pickCategory;
    s.dispatchEvent(new Event("change"));
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail && e.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-swap-400") && e.detail.xhr.status === 400) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
