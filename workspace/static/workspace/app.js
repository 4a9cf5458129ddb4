// Behaviour the templates declare with data- attributes: the Content-Security-Policy allows no inline
// event handlers, and htmx runs with allowEval off (no hx-on).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
    return;
  }
  // "Cancel" on a form htmx opened inside the page: close the form instead of reloading the page.
  var dismiss = event.target.closest("[data-dismiss-form]");
  var form = dismiss && dismiss.closest("form");
  if (form) {
    event.preventDefault();
    form.remove();
  }
});

// Lists that refresh themselves ([data-refresh-on-return], with hx-trigger "refresh"): every minute
// while the tab is shown, and at once when the person comes back to it; never while it is hidden or
// being closed.
function refreshLists() {
  if (document.visibilityState !== "visible" || !window.htmx) {
    return;
  }
  document.querySelectorAll("[data-refresh-on-return]").forEach(function (element) {
    window.htmx.trigger(element, "refresh");
  });
}
document.addEventListener("visibilitychange", refreshLists);
setInterval(refreshLists, 60000);
