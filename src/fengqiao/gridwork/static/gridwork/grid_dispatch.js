/* The dispatch form: a click on the grid team's mediator or lawyer makes that unit the lead unit and says why
   (an extra choice; nothing is dispatched until the dispatcher submits the form). */
(function () {
  "use strict";
  function prefix() {
    var node = document.getElementById("team-dispatch-text");
    try { return node ? JSON.parse(node.textContent).prefix : ""; } catch (e) { return ""; }
  }

  function choose(button) {
    var form = button.closest("form");
    var select = form && form.querySelector("select[data-units]");
    if (!select) return;
    select.value = button.dataset.teamUnit;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    form.querySelectorAll("[data-team-unit]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    var reason = form.querySelector(".routing-reason");
    if (!reason) {
      reason = document.createElement("p");
      var box = button.closest("[data-team-options]");
      box.parentNode.insertBefore(reason, box);
    }
    reason.className = "routing-reason routing-team";
    reason.textContent = prefix() + button.dataset.reason;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-team-unit]");
    if (button) { event.preventDefault(); choose(button); }
  });
})();
