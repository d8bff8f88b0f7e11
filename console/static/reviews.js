// 待审 by keyboard: J/K move between items, A approves, R goes to the reason (Enter rejects).
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll("article.review"));
  var at = 0;
  function focus(n) {
    if (!items.length) return;
    at = Math.max(0, Math.min(items.length - 1, n));
    items.forEach(function (el, i) { el.classList.toggle("current", i === at); });
    items[at].focus();
    items[at].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (e) {
    if (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) {
      if (e.target.classList.contains("reason") && e.key === "Enter") {
        e.preventDefault();
        e.target.form.querySelector("button.reject").click();
      }
      return;
    }
    var key = e.key.toLowerCase();
    if (key === "j") { focus(at + 1); e.preventDefault(); }
    else if (key === "k") { focus(at - 1); e.preventDefault(); }
    else if (key === "a" && items.length) { items[at].querySelector("button.accept").click(); e.preventDefault(); }
    else if (key === "r" && items.length) { items[at].querySelector("input.reason").focus(); e.preventDefault(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("select.autosubmit"), function (el) {
    if (el.dataset.bound) return;
    el.dataset.bound = "1";
    el.addEventListener("change", function () { el.form.submit(); });
  });
  focus(0);
})();
