/* The citizen's evaluation page: a comment is required (and focused) when she is unsatisfied. */
(function () {
  "use strict";
  var box = document.getElementById("comment");
  if (!box) return;
  document.querySelectorAll("input[name=rating]").forEach(function (r) {
    r.addEventListener("change", function () { box.required = r.value === "unsatisfied" && r.checked; if (box.required) box.focus(); });
  });
})();
