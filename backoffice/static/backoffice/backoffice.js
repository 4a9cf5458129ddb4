// Buttons that print the page: declared with data-print (no inline handlers under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
