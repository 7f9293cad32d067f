// The insight dashboard's charts (Chart.js, vendored in static/vendor/chart.js).
// The figures come from the page's json_script block; every chart's figures are
// also in a table beside it, so the page is complete without this script.
(function () {
  "use strict";

  var source = document.getElementById("insights-data");
  if (!source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var currency = data.currency;

  var COLOURS = ["#0b5cad", "#a4161a", "#176639", "#b06000", "#5b3e96", "#00727a", "#6b7280", "#8a5a00", "#1f6feb"];
  var VOIDED = "#c9ced6";

  function moneyText(value) {
    return Number(value).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " " + currency;
  }

  function config(chart) {
    var horizontal = chart.kind === "horizontal" || chart.kind === "percent";
    var stacked = chart.kind === "stacked";
    var money = chart.series.some(function (series) { return series.money; });
    var datasets = chart.series.map(function (series, index) {
      var single = chart.series.length === 1 && chart.kind !== "stacked";
      return {
        label: series.label,
        data: series.values.map(Number),
        backgroundColor: single ? chart.labels.map(function (_, i) { return COLOURS[i % COLOURS.length]; })
          : (series.key === "voided" ? VOIDED : COLOURS[index % COLOURS.length]),
        borderWidth: 0,
        maxBarThickness: 36,
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: stacked,
      ticks: {
        precision: money ? undefined : 0,
        callback: function (value) { return chart.kind === "percent" ? value + "%" : Number(value).toLocaleString(); },
      },
    };
    if (chart.kind === "percent") valueAxis.suggestedMax = 100;
    // Long playbook and category names are shortened on the axis; the tooltip and the table have them in full.
    var categoryAxis = {
      stacked: stacked,
      ticks: {
        autoSkip: !horizontal,
        callback: function (value) {
          var label = String(this.getLabelForValue(value));
          return label.length > 30 ? label.slice(0, 29) + "\u2026" : label;
        },
      },
    };
    return {
      type: "bar",
      data: { labels: chart.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { display: chart.series.length > 1 },
          tooltip: {
            callbacks: {
              label: function (item) {
                var series = chart.series[item.datasetIndex];
                var raw = series.values[item.dataIndex];
                var text = series.money ? moneyText(raw) : (chart.kind === "percent" ? raw + "%" : raw);
                return series.label + ": " + text;
              },
            },
          },
        },
      },
    };
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = data.charts[canvas.dataset.chart];
    if (!chart || chart.labels.length === 0) {
      canvas.closest(".chart-box").classList.add("chart-empty");
      return;
    }
    new window.Chart(canvas, config(chart));
  });

  // Charts redraw at the paper's width before printing.
  window.addEventListener("beforeprint", function () {
    Object.values(window.Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
