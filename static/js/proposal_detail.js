/* The small map of a proposal's page: the place the resident drew (a point, a line or an area) over
 * the city's reference layers, so that it reads even when the base-map tiles cannot be loaded.
 * Everything it draws and says comes from the page's "proposal-map-config" JSON. */
(function () {
  "use strict";

  var element = document.getElementById("proposal-map");
  var configElement = document.getElementById("proposal-map-config");
  if (!element || !configElement || !window.L) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings || {};

  var map = L.map(element, {center: config.center, zoom: config.zoom, zoomControl: false});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  if (window.QalaReference) {
    QalaReference.add(map, config.reference);
  }

  var colour = config.feature.properties.color;
  var place = L.geoJSON(config.feature, {
    interactive: false,
    className: "proposal-place-shape",
    style: {color: colour, weight: 5, opacity: 0.95, fillColor: colour, fillOpacity: 0.3},
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        radius: 9, color: "#ffffff", weight: 3, fillColor: colour, fillOpacity: 1, interactive: false,
        className: "proposal-place-shape"
      });
    }
  }).addTo(map);

  var bounds = place.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, {maxZoom: 17, padding: [24, 24]});
  }
})();
