/* The small map of an event's page: the venue, a round marker over the city's reference layers and the
 * outline of its district, so that it reads even when the base-map tiles cannot be loaded. Everything it
 * draws and says comes from the page's "event-map-config" JSON (participation.event_views.venue_map);
 * the address is written on the page above the map. */
(function () {
  "use strict";

  var element = document.getElementById("event-map");
  var configElement = document.getElementById("event-map-config");
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
  L.geoJSON(config.outlines || [], {
    className: "qala-district-outline",
    interactive: false,
    style: {color: "#5b4a9e", weight: 2, opacity: 0.9, fillColor: "#8c7bd1", fillOpacity: 0.06, dashArray: "6 4"}
  }).addTo(map);

  var colour = config.feature.properties.colour;
  var venue = L.geoJSON(config.feature, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        radius: 10, color: "#ffffff", weight: 3, fillColor: colour, fillOpacity: 1, className: "event-venue-marker"
      });
    }
  }).addTo(map);
  venue.eachLayer(function (layer) {
    layer.bindTooltip(config.feature.properties.title);
  });
  map.setView(venue.getBounds().getCenter(), 16, {animate: false});
  element.qalaMap = map;
})();
