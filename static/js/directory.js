// The directory's filter form (templates/organisations/directory.html). htmx does the work, from the
// form's hx-* attributes: a changed filter, or a pause in typing the search, fetches only the result
// list and keeps the filters in the address bar. This file only keeps that address short.
(function () {
  "use strict";
  document.body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.closest || !elt.closest("form[data-drop-empty]")) { return; }
    // Unset filters stay out of the URL (?kind=sme rather than ?q=&kind=sme&subtype=&…).
    var data = event.detail.formData;
    var empty = [];
    data.forEach(function (value, key) { if (value === "") { empty.push(key); } });
    empty.forEach(function (key) { data.delete(key); });
  });
})();
