// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // What a card can give now: the lowest of its cap and every limit (the server re-checks at the grant).
  function availableOf(radio) {
    return radio.dataset.available || radio.dataset.cap || "";
  }

  // Picking a playbook card fills the amount with what it can give now (the employee may lower it).
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name !== "playbook" || !availableOf(radio)) return;
    var amount = document.getElementById("id_amount");
    if (amount && (amount.value === "" || amount.dataset.autofilled === "1")) {
      amount.value = availableOf(radio);
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
  // New caps after re-pricing: refresh an auto-filled amount to what the checked card gives now.
  document.addEventListener("htmx:afterSwap", function () {
    if (pickedPlaybook) {
      var again = document.querySelector("input[name=playbook][value='" + pickedPlaybook + "']");
      if (again && !again.disabled) again.checked = true;
    }
    var checked = document.querySelector("input[name=playbook]:checked");
    var amount = document.getElementById("id_amount");
    if (checked && amount && amount.dataset.autofilled === "1") amount.value = availableOf(checked);
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
