// The counter's sticky grant bar: its button always names the amount that will be granted.
// Progressive enhancement: without this script the server-rendered label stands and the form posts as usual.
(function () {
  "use strict";

  var button = document.querySelector("[data-grant-bar]");
  var amount = document.getElementById("id_amount");
  if (!button || !amount) return;
  var lang = document.documentElement.lang || "en";
  var formatter = null;
  try {
    formatter = new Intl.NumberFormat(lang, { style: "currency", currency: button.dataset.currency });
  } catch (error) {
    formatter = null;  // an unknown currency code: the plain typed figure is shown instead
  }

  // What was typed, as a plain decimal string ("24,5" → "24.5"), or null when it is not an amount.
  // The string goes to Intl as it is (an exact decimal, never a float); the server re-checks everything.
  function typedAmount() {
    var raw = amount.value.trim().replace(/[\s\u00a0\u202f]/g, "");
    if (raw.indexOf(",") >= 0 && raw.indexOf(".") < 0) raw = raw.replace(",", ".");
    else raw = raw.replace(/,/g, "");
    return /^\d{1,12}(\.\d{1,4})?$/.test(raw) ? raw : null;
  }

  function update() {
    var figure = typedAmount();
    if (figure === null) {
      button.textContent = button.dataset.labelEmpty;
      return;
    }
    var written = formatter ? formatter.format(figure) : figure;
    button.textContent = button.dataset.labelAmount.replace("{amount}", written);
  }

  // After the other handlers (a chosen card fills the amount, re-priced cards refresh it).
  function soon() { window.setTimeout(update, 0); }
  document.addEventListener("input", function (event) { if (event.target === amount) update(); });
  document.addEventListener("change", function (event) {
    if (event.target === amount || event.target.name === "playbook") soon();
  });
  document.addEventListener("htmx:afterSwap", soon);
  update();
})();
