// The error summary of a refused form (pages/templates/app_error.html): it takes the focus
// when the page opens, so a screen reader reads it first, and each of its links moves the
// focus into the field it names (a plain #anchor only scrolls). Without script the links
// still scroll to the field.
(function () {
  "use strict";
  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) { return false; }
    var label = document.querySelector('label[for="' + id + '"]');
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
    return true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-field]");
      if (link && focusField(link.getAttribute("data-field"))) {
        event.preventDefault();
        history.replaceState(null, "", "#" + link.getAttribute("data-field"));
      }
    });
  });
})();
