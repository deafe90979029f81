// The portal's own behaviour. Loaded on every page; no inline scripts (CSP).
(function () {
  "use strict";
  // htmx sends Django's CSRF token with every non-GET request.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var cookie = document.cookie.split("; ").find(function (row) { return row.startsWith("csrftoken="); });
    if (cookie) { event.detail.headers["X-CSRFToken"] = cookie.split("=")[1]; }
  });
})();
