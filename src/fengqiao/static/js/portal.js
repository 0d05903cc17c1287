/* The citizens' portal (no inline scripts: docs/security.md "Content Security Policy"):
   add a respondent on the application form, the resend countdown of the code page, chosen file names. */
(function () {
  "use strict";

  function respondents() {
    var box = document.getElementById("respondents"), add = document.getElementById("add-respondent");
    if (!box || !add) return;
    add.addEventListener("click", function () {
      var rows = box.querySelectorAll("fieldset.respondent");
      if (rows.length >= 5) { add.disabled = true; return; }
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; i.removeAttribute("aria-invalid"); });
      copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      copy.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
      copy.querySelector(".n").textContent = rows.length + 1;
      box.appendChild(copy);
      copy.querySelector("input").focus();
      if (rows.length + 1 >= 5) add.disabled = true;
    });
  }

  function countdown() {
    var b = document.getElementById("resend");
    if (!b) return;
    var n = parseInt(b.dataset.wait || "0", 10), c = b.querySelector(".countdown");
    if (!n || !c) return;
    var t = setInterval(function () {
      n -= 1;
      if (n > 0) { c.textContent = n; return; }
      clearInterval(t); b.disabled = false; b.querySelector(".wait-note").remove();
    }, 1000);
  }

  function fileDrops() {
    document.querySelectorAll(".file-drop input[type=file]").forEach(function (input) {
      var names = input.parentNode.querySelector(".file-drop-names");
      input.addEventListener("change", function () {
        var list = Array.prototype.map.call(input.files, function (f) { return f.name; });
        names.textContent = list.length ? list.join("、") : names.dataset.none;
        input.parentNode.classList.toggle("chosen", list.length > 0);
      });
    });
  }

  respondents();
  countdown();
  fileDrops();
})();
