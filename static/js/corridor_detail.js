/* A corridor's page: its elevation profile as a line chart (static/js/corridor_map.js draws it, the map too).
 * The distances and elevations come from the page's "profile-config" JSON, the same as the table under
 * the chart; the sentence that labels the canvas says what the chart shows. */
(function () {
  "use strict";

  var configElement = document.getElementById("profile-config");
  var canvas = document.getElementById("profile-chart");
  if (!configElement || !canvas || !window.Chart || !window.QalaCorridorMap) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  QalaCorridorMap.profileChart(canvas, config, config.strings);
  canvas.dataset.points = String(config.distances.length);
})();
