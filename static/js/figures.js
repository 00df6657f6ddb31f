/* The yearly figures chart: one figure per year as bars (vendored Chart.js), chosen with a select.
 * The numbers come from the page's "figures-config" JSON, the same ones as the table, which stays the
 * accessible source: the canvas is an image whose label names the figure and the place shown. */
(function () {
  "use strict";

  var configElement = document.getElementById("figures-config");
  var canvas = document.getElementById("figures-chart");
  var select = document.getElementById("figures-chart-figure");
  if (!configElement || !canvas || !select || !window.Chart) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var language = document.documentElement.lang || "en";
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var options = {
    locale: language,
    responsive: true,
    maintainAspectRatio: false,
    plugins: {
      legend: {display: false},
      title: {display: true, text: "", color: "#1c2421", font: {size: 15, weight: "600"}}
    },
    scales: {
      x: {ticks: {color: "#1c2421"}, grid: {display: false}},
      y: {beginAtZero: true, ticks: {color: "#1c2421"}}
    }
  };
  if (reduceMotion) {
    options.animation = false;
  }

  var chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: config.years.map(String),
      // The accent green of the site: 7:1 on white, so the bars read against the page.
      datasets: [{label: "", data: [], backgroundColor: "#166534", borderRadius: 3, maxBarThickness: 56}]
    },
    options: options
  });

  function show(key) {
    var series = config.series.filter(function (item) {
      return item.key === key;
    })[0] || config.series[0];
    chart.data.datasets[0].label = series.label;
    chart.data.datasets[0].data = series.values;
    chart.options.plugins.title.text = series.label;
    chart.update();
    canvas.setAttribute(
      "aria-label",
      strings.chartLabel.replace("%(figure)s", series.label).replace("%(place)s", strings.place)
    );
    canvas.dataset.figure = series.key;
  }

  select.addEventListener("change", function () {
    show(select.value);
  });
  select.closest(".chart-controls").hidden = false;
  show(select.value);
})();
