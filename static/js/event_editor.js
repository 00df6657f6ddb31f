/* The venue of an event on the organisers' form: a click (or a tap) on the map puts the venue there, a
 * second click moves it; "Put the venue at the centre of the map" does the same from the keyboard.
 * The form's GeoJSON textarea (#id_venue) is the one source of truth: the map writes it, and a Point typed
 * in it is drawn again. Every text comes from the page's "event-editor-config" JSON. */
(function () {
  "use strict";

  var configElement = document.getElementById("event-editor-config");
  var element = document.getElementById("event-editor-map");
  var text = document.getElementById("id_venue");
  var status = document.getElementById("event-editor-status");
  var centre = document.getElementById("event-venue-centre");
  if (!configElement || !element || !text || !window.L) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings || {};

  function announce(message) {
    status.textContent = message || "";
  }

  var map = L.map(element, {center: config.center, zoom: config.zoom, zoomControl: false});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  if (window.QalaReference) {
    QalaReference.add(map, config.reference);
  }
  if (config.bounds) {
    map.fitBounds(config.bounds, {animate: false});
  }

  var marker = null;

  function show(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.circleMarker(latlng, {
        radius: 10, color: "#ffffff", weight: 3, fillColor: config.colour, fillOpacity: 1,
        className: "event-venue-marker", interactive: false
      }).addTo(map);
    }
  }

  function place(latlng, message) {
    show(latlng);
    var point = {type: "Point", coordinates: [Number(latlng.lng.toFixed(6)), Number(latlng.lat.toFixed(6))]};
    text.value = JSON.stringify(point);
    announce(message);
  }

  // What the textarea holds, drawn; false when it is not a readable Point.
  function load() {
    var value = text.value.trim();
    if (!value) {
      if (marker) {
        map.removeLayer(marker);
        marker = null;
      }
      return true;
    }
    try {
      var object = JSON.parse(value);
      var geometry = object.type === "Feature" ? object.geometry : object;
      if (!geometry || geometry.type !== "Point") {
        return false;
      }
      show(L.GeoJSON.coordsToLatLng(geometry.coordinates));
      return true;
    } catch (error) {
      return false;
    }
  }

  map.on("click", function (event) {
    place(event.latlng, strings.placed);
  });
  if (centre) {
    centre.hidden = false;
    centre.addEventListener("click", function () {
      place(map.getCenter(), strings.centred);
    });
  }
  text.addEventListener("change", function () {
    if (!load()) {
      announce(strings.unreadable);
    } else if (!marker) {
      announce(strings.cleared);
    } else {
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
      announce("");
    }
  });

  if (load() && marker) {
    map.setView(marker.getLatLng(), 16, {animate: false});
  }
  element.qalaMap = map;
})();
