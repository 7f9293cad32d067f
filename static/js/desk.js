// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Picking a playbook card fills the amount with its cap (the employee may lower it).
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name !== "playbook" || !radio.dataset.cap) return;
    var amount = document.getElementById("id_amount");
    if (amount && (amount.value === "" || amount.dataset.autofilled === "1")) {
      amount.value = radio.dataset.cap;
      amount.dataset.autofilled = "1";
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_amount") event.target.dataset.autofilled = "0";
  });

  // Re-priced cards keep the card the employee picked, even if it was picked mid-request.
  var pickedPlaybook = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var checked = document.querySelector("input[name=playbook]:checked");
    pickedPlaybook = checked ? checked.value : null;
  });
  // New caps after re-pricing: refresh an auto-filled amount to the checked card's cap.
  document.addEventListener("htmx:afterSwap", function () {
    if (pickedPlaybook) {
      var again = document.querySelector("input[name=playbook][value='" + pickedPlaybook + "']");
      if (again) again.checked = true;
    }
    var checked = document.querySelector("input[name=playbook]:checked");
    var amount = document.getElementById("id_amount");
    if (checked && amount && amount.dataset.autofilled === "1") amount.value = checked.dataset.cap || "";
  });

  // A second click while the grant is being sent does nothing (the server is exactly-once anyway).
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("[data-once]");
    if (!button) return;
    if (button.dataset.sent === "1") { event.preventDefault(); return; }
    button.dataset.sent = "1";
    button.setAttribute("aria-busy", "true");
  });

  // Declining an escalation needs a note (the server insists too): ask for it before sending.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-needs-note")) return;
    var note = event.target.querySelector("textarea[name=note]");
    if (note && note.value.trim() === "") {
      event.preventDefault();
      note.setCustomValidity("Note: say why you decline, so the employee can explain it to the customer.");
      note.reportValidity();
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.name === "note" && event.target.setCustomValidity) event.target.setCustomValidity("");
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // The redeem screen: the last code is selected, so the next scan or typed code replaces it.
  var scanned = document.querySelector("[data-select-on-load]");
  if (scanned && document.activeElement === scanned) scanned.select();
})();
