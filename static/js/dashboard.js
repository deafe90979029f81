// The KPI dashboards (templates/councils/dashboard/): draws each <canvas data-chart="ID"> with Chart.js
// from the JSON data island <script type="application/json" id="ID"> (json_script). No inline script
// (CSP). Each chart has a table next to it as its text alternative, so the canvas is only a picture.
//
// A data island: {"type": "bar", "labels": [...], "datasets": [{"label", "data", "type"?}],
//                 "stacked"?: true, "horizontal"?: true, "percent"?: true}
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  // Okabe–Ito colours: told apart with the common colour-vision deficiencies.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var locale = document.documentElement.lang || undefined;

  function read(id) {
    var island = document.getElementById(id);
    if (!island) { return null; }
    try { return JSON.parse(island.textContent); } catch (error) { return null; }
  }

  function draw(canvas) {
    var data = read(canvas.dataset.chart);
    if (!data) { return; }
    var datasets = data.datasets.map(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length];
      var line = dataset.type === "line";
      return {
        type: dataset.type || data.type,
        label: dataset.label,
        data: dataset.data,
        backgroundColor: line ? colour : colour + "cc",
        borderColor: colour,
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 3 : 0,
        tension: 0,
        order: line ? 0 : 1
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: Boolean(data.stacked),
      ticks: { precision: 0 }
    };
    if (data.percent) {
      valueAxis.max = 100;
      valueAxis.ticks = { callback: function (value) { return value + " %"; } };
    }
    var categoryAxis = { stacked: Boolean(data.stacked), ticks: { autoSkip: true } };
    var horizontal = Boolean(data.horizontal);
    new Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 400 },
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
