/* The workshop form's venue map: one point, placed with Leaflet-Geoman's marker button (a new point replaces
 * the old one), dragged to move it, removed with the bin; or put at the map's centre with a button (the
 * keyboard path: the arrow keys move the focused map).
 *
 * The form's GeoJSON textarea (#id_venue) is the one source of truth: every change on the map writes it,
 * and a change typed in it redraws the map. Under the map a sentence says where the venue is, for those who
 * do not see it. Every text comes from the "venue-map-config" JSON the page embeds. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("venue-map-config").textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var text = document.getElementById("id_venue");
  var status = document.getElementById("venue-status");
  var summary = document.getElementById("venue-summary");
  var centre = document.getElementById("venue-centre");

  function format(template, values) {
    return template.replace(/%\((\w+)\)s|%%/g, function (match, key) {
      return key ? String(values[key]) : "%";
    });
  }

  function number(value, digits) {
    return Number(value).toLocaleString(language, {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }

  function announce(message) {
    status.textContent = message || "";
  }

  var map = L.map("venue-map", {center: config.center, zoom: config.zoom, zoomControl: false});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  if (window.QalaReference) {
    QalaReference.add(map, config.reference);
  }

  var venue = L.featureGroup().addTo(map);

  function marker() {
    var layers = venue.getLayers();
    return layers.length ? layers[layers.length - 1] : null;
  }

  function describe() {
    var point = marker();
    if (point) {
      var latlng = point.getLatLng();
      summary.textContent = format(strings.venueAt, {lat: number(latlng.lat, 5), lon: number(latlng.lng, 5)});
      var element = point.getElement && point.getElement();
      if (element) {
        element.setAttribute("title", strings.venueMarker);
        element.setAttribute("alt", strings.venueMarker);
      }
    } else {
      summary.textContent = strings.noVenue;
    }
  }

  function write() {
    var point = marker();
    // Full precision: Leaflet would round to 6 decimals, and a venue no one moved would look changed.
    text.value = point ? JSON.stringify(point.toGeoJSON(false).geometry) : "";
    describe();
    announce(point ? strings.venueUpdated : strings.venueRemoved);
  }

  function keep(point) {
    venue.clearLayers();
    venue.addLayer(point);
    point.on("pm:dragend pm:edit", write);
  }

  function place(latlng) {
    keep(L.marker(latlng, {title: strings.venueMarker, alt: strings.venueMarker}));
    write();
  }

  // Draw the textarea's point; false (and the map left as it was) when it cannot be read.
  function load() {
    var value = text.value.trim();
    if (!value) {
      venue.clearLayers();
      return true;
    }
    try {
      var object = JSON.parse(value);
      var geometry = object && object.type === "Feature" ? object.geometry : object;
      if (!geometry || geometry.type !== "Point") {
        return false;
      }
      keep(L.marker(L.GeoJSON.coordsToLatLng(geometry.coordinates), {title: strings.venueMarker, alt: strings.venueMarker}));
    } catch (error) {
      return false;
    }
    return true;
  }

  map.pm.setLang(language, config.geoman, "en");
  map.pm.addControls({
    position: "topleft",
    drawMarker: true,
    drawPolyline: false,
    drawPolygon: false,
    drawRectangle: false,
    drawCircle: false,
    drawCircleMarker: false,
    drawText: false,
    cutPolygon: false,
    rotateMode: false,
    editMode: false,
    dragMode: true,
    removalMode: true
  });
  map.getContainer().querySelectorAll(".leaflet-pm-toolbar .button-container[title]").forEach(function (box) {
    var button = box.querySelector(".leaflet-buttons-control-button");
    if (button) {
      button.setAttribute("aria-label", box.getAttribute("title"));
    }
  });

  map.on("pm:create", function (event) {
    map.removeLayer(event.layer);
    place(event.layer.getLatLng());
  });

  map.on("pm:remove", function (event) {
    if (venue.hasLayer(event.layer)) {
      venue.removeLayer(event.layer);
      write();
    }
  });

  text.addEventListener("change", function () {
    if (load()) {
      describe();
      var point = marker();
      if (point) {
        map.setView(point.getLatLng(), Math.max(map.getZoom(), 15));
      }
      announce(point ? strings.venueUpdated : strings.venueRemoved);
    } else {
      announce(strings.unreadable);
    }
  });

  centre.hidden = false;
  centre.addEventListener("click", function () {
    place(map.getCenter());
  });

  if (load() && marker()) {
    map.setView(marker().getLatLng(), 16);
  }
  describe();
})();
