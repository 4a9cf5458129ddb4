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
