// Councils' success-factor forms: a search box above each long multi-select
// (<select multiple data-searchable>) that hides the options not matching what is typed.
// Without JavaScript the select works as it is; chosen options always stay visible.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/ı/g, "i").toLowerCase();
  }
  document.querySelectorAll("select[multiple][data-searchable]").forEach(function (select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control mb-2";
    input.id = select.id + "_search";
    input.setAttribute("aria-controls", select.id);
    // The translated texts come from the form (data-search-label, data-search-placeholder).
    input.setAttribute("aria-label", select.dataset.searchLabel || "");
    input.placeholder = select.dataset.searchPlaceholder || "";
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(status, select.nextSibling);
    input.addEventListener("input", function () {
      var terms = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = fold(option.textContent);
        var match = option.selected || terms.every(function (term) { return text.indexOf(term) !== -1; });
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = shown + " / " + select.options.length;
    });
  });
})();
