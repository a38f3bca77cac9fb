// Small progressive enhancements shared by every page; every page works without them.
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
  });
  // Forms marked data-once disable their submit buttons after the first submit (no double completion).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-once]")) { return; }
    if (form.dataset.submitted) { event.preventDefault(); return; }
    form.dataset.submitted = "1";
  });
})();

// For scripts that call the API with the session cookie: the CSRF token to send as X-CSRFToken.
window.alurCsrfToken = function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
};
