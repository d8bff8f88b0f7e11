// A scheme/year switch goes to its choice at once (no button needed when scripts run).
Array.prototype.forEach.call(document.querySelectorAll("select.autosubmit, input.autosubmit"), function (el) {
  if (el.dataset.bound) return;
  el.dataset.bound = "1";
  el.addEventListener("change", function () { el.form.submit(); });
});
