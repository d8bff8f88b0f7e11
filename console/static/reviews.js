// 待审: J/K move between items, X ticks one, A approves it, R goes to its reason (Enter
// rejects). No key does anything while a form control has focus (typing a unit's name in the
// filter must never approve an item). PDFs load only when asked for.
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll("article.review"));
  var at = 0;
  function focus(n) {
    if (!items.length) return;
    at = Math.max(0, Math.min(items.length - 1, n));
    items.forEach(function (el, i) { el.classList.toggle("current", i === at); });
    items[at].focus({preventScroll: true});
    items[at].scrollIntoView({block: "nearest"});
  }
  function inControl(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON|OPTION)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (inControl(e.target)) {
      if (e.target.classList.contains("reason") && e.key === "Enter") {
        e.preventDefault();
        e.target.form.querySelector("button.reject").click();
      }
      return;
    }
    var key = e.key.toLowerCase();
    if (key === "j") { focus(at + 1); e.preventDefault(); }
    else if (key === "k") { focus(at - 1); e.preventDefault(); }
    else if (key === "x" && items.length) { var box = items[at].querySelector("input.pick"); box.checked = !box.checked; e.preventDefault(); }
    else if (key === "a" && items.length) { items[at].querySelector("button.accept").click(); e.preventDefault(); }
    else if (key === "r" && items.length) { items[at].querySelector("input.reason").focus(); e.preventDefault(); }
  });
  items.forEach(function (el, i) {
    el.addEventListener("click", function () { if (at !== i) { at = i; items.forEach(function (o, j) { o.classList.toggle("current", j === i); }); } });
  });
  // A PDF is shown in the page only on request: a page of them embedded at once is slow.
  Array.prototype.forEach.call(document.querySelectorAll("button.preview"), function (btn) {
    btn.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = btn.dataset.src;
      frame.title = btn.dataset.title;
      btn.replaceWith(frame);
    });
  });
  // The reject button names the period the select chose.
  Array.prototype.forEach.call(document.querySelectorAll("select.reject-period"), function (sel) {
    var btn = sel.form.querySelector("button.reject");
    function label() { btn.textContent = "驳回 " + sel.value; }
    sel.addEventListener("change", label);
    label();
  });
  var all = document.getElementById("pick-all");
  if (all) all.addEventListener("change", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input.pick"), function (b) { b.checked = all.checked; });
  });
  Array.prototype.forEach.call(document.querySelectorAll("select.autosubmit"), function (el) {
    if (el.dataset.bound) return;
    el.dataset.bound = "1";
    el.addEventListener("change", function () { el.form.submit(); });
  });
  focus(0);
})();
