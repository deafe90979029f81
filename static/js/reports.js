// The reports page: progress bars, the live announcement of finished reports, and the "Show its
// options" button that only browsers without JavaScript need. No inline scripts or styles (CSP):
// a progress bar's width is set here from its data-progress attribute.
(function () {
  "use strict";

  function setUp(root) {
    root.querySelectorAll(".progress-bar[data-progress]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });
    root.querySelectorAll("[data-js-hide]").forEach(function (element) {
      element.hidden = true;
    });
  }

  // htmx.onLoad runs for the page and for every piece htmx swaps in (each polled row).
  if (window.htmx) {
    htmx.onLoad(setUp);
  } else {
    setUp(document);
  }

  // A polled row that finished sends "reportFinished" (HX-Trigger): say so to screen readers.
  document.body.addEventListener("reportFinished", function (event) {
    var status = document.getElementById("reports-status");
    if (status && event.detail && event.detail.message) {
      status.textContent = event.detail.message;
    }
  });
})();
