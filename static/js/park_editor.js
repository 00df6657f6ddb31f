/* The park editor's map: the parks there are already, green areas, rivers and streets underneath; the
 * park's boundary (polygons) and its entrances (points), drawn and edited with Leaflet-Geoman.
 *
 * The form's two GeoJSON textareas (#id_boundary, #id_entrances) are the one source of truth: every
 * change on the map writes the one it concerns, and a change typed in one (the keyboard path) redraws
 * the map. Several polygons make a MultiPolygon; the entrances are a MultiPoint. Under the map a text
 * says what it shows (the boundary's polygons and vertices, each entrance's position), for those who
 * do not see it. Every URL and text comes from the "editor-config" JSON the page embeds. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var boundaryText = document.getElementById("id_boundary");
  var entranceText = document.getElementById("id_entrances");
  var status = document.getElementById("editor-status");
  var summary = document.getElementById("boundary-summary");
  var entranceList = document.getElementById("entrance-list");
  var noEntrances = document.getElementById("no-entrances");

  function announce(text) {
    status.textContent = text || "";
  }

  // The texts come from Django's catalogues, with Python's %(name)s placeholders.
  function format(template, values) {
    return template.replace(/%\((\w+)\)s|%%/g, function (match, key) {
      return key ? String(values[key]) : "%";
    });
  }

  function number(value, digits) {
    return Number(value).toLocaleString(language, {minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0});
  }

  var map = L.map("editor-map", {center: config.center, zoom: config.zoom, zoomControl: false});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  if (window.QalaReference) {
    QalaReference.add(map, config.reference);
  }

  var boundary = L.featureGroup().addTo(map);
  var entrances = L.featureGroup().addTo(map);
  var BOUNDARY_STYLE = {color: "#14532d", weight: 3, fillColor: "#22c55e", fillOpacity: 0.3};
  map.pm.setGlobalOptions({snappable: true, snapDistance: 15, pathOptions: BOUNDARY_STYLE});

  function isPoint(layer) {
    return layer instanceof L.Marker || layer instanceof L.CircleMarker;
  }

  function isPolygon(layer) {
    return layer instanceof L.Polygon;
  }

  // Full precision: Leaflet would round to 6 decimals, and a boundary no one touched would look changed.
  function boundaryGeometry() {
    var parts = [];
    boundary.getLayers().forEach(function (layer) {
      var geometry = layer.toGeoJSON(false).geometry;
      if (geometry.type === "Polygon") {
        parts.push(geometry.coordinates);
      } else if (geometry.type === "MultiPolygon") {
        parts = parts.concat(geometry.coordinates);
      }
    });
    if (!parts.length) {
      return null;
    }
    return parts.length === 1 ? {type: "Polygon", coordinates: parts[0]} : {type: "MultiPolygon", coordinates: parts};
  }

  function entranceGeometry() {
    var points = entrances.getLayers().map(function (layer) {
      return layer.toGeoJSON(false).geometry.coordinates;
    });
    return points.length ? {type: "MultiPoint", coordinates: points} : null;
  }

  // What the map shows, in words: the boundary's size in polygons and vertices, and every entrance.
  function describe() {
    var geometry = boundaryGeometry();
    if (geometry) {
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      var vertices = 0;
      polygons.forEach(function (polygon) {
        polygon.forEach(function (ring) {
          vertices += ring.length;
        });
      });
      summary.textContent = format(strings.boundarySummary, {polygons: number(polygons.length), vertices: number(vertices)});
    } else {
      summary.textContent = strings.noBoundary;
    }
    entranceList.textContent = "";
    entrances.getLayers().forEach(function (layer, index) {
      var latlng = layer.getLatLng();
      var item = document.createElement("li");
      item.textContent = format(strings.entrance, {number: index + 1, lat: number(latlng.lat, 5), lon: number(latlng.lng, 5)});
      entranceList.appendChild(item);
      if (layer.options && layer.options.title !== undefined) {
        var title = format(strings.entranceMarker, {number: index + 1});
        layer.options.title = title;
        layer.options.alt = title;
        if (layer.getElement && layer.getElement()) {
          layer.getElement().setAttribute("title", title);
          layer.getElement().setAttribute("alt", title);
        }
      }
    });
    noEntrances.hidden = entrances.getLayers().length > 0;
  }

  function writeBoundary() {
    var geometry = boundaryGeometry();
    boundaryText.value = geometry ? JSON.stringify(geometry) : "";
    describe();
    announce(geometry ? strings.boundaryUpdated : strings.boundaryEmptied);
  }

  function writeEntrances() {
    var geometry = entranceGeometry();
    entranceText.value = geometry ? JSON.stringify(geometry) : "";
    describe();
    announce(strings.entrancesUpdated);
  }

  function watch(layer) {
    layer.on("pm:edit pm:dragend", function () {
      if (isPoint(layer)) {
        writeEntrances();
      } else {
        writeBoundary();
      }
    });
  }

  function keep(group, layer) {
    group.addLayer(layer);
    watch(layer);
  }

  // Layers for a GeoJSON geometry or Feature: one per polygon or per point, so each is edited on its own.
  function layersFor(object, kind) {
    if (!object || typeof object !== "object") {
      throw new Error("not a geometry");
    }
    var coords = object.coordinates;
    switch (object.type) {
      case "Feature":
        return layersFor(object.geometry, kind);
      case "Polygon":
        // GeoJSON repeats the first position at the end of a ring; Leaflet closes rings itself.
        return [L.polygon(L.GeoJSON.coordsToLatLngs(coords, 1), BOUNDARY_STYLE)];
      case "MultiPolygon":
        return coords.map(function (c) { return L.polygon(L.GeoJSON.coordsToLatLngs(c, 1), BOUNDARY_STYLE); });
      case "Point":
        return [L.marker(L.GeoJSON.coordsToLatLng(coords))];
      case "MultiPoint":
        return coords.map(function (c) { return L.marker(L.GeoJSON.coordsToLatLng(c)); });
      case "LineString":
        // Shown, for the server to say why a boundary cannot be a line.
        return kind === "boundary" ? [L.polyline(L.GeoJSON.coordsToLatLngs(coords, 0), BOUNDARY_STYLE)] : [];
      default:
        throw new Error("not a geometry");
    }
  }

  // Draw a textarea's GeoJSON into its group; false (and the group left as it was) when it cannot be read.
  function load(textarea, group, kind) {
    var text = textarea.value.trim();
    var layers = [];
    if (text) {
      try {
        // L.latLng throws on a position that is not two numbers, so a bad one ends here too.
        layers = layersFor(JSON.parse(text), kind);
      } catch (error) {
        return false;
      }
    }
    group.clearLayers();
    layers.forEach(function (layer) {
      keep(group, layer);
    });
    return true;
  }

  function fit() {
    var bounds = boundary.getBounds();
    if (entrances.getLayers().length) {
      bounds = bounds.isValid() ? bounds.extend(entrances.getBounds()) : entrances.getBounds();
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, {maxZoom: 17, padding: [24, 24]});
      return true;
    }
    return false;
  }

  function labelButtons() {
    // Geoman puts the title on the button's container; the button itself needs the name.
    map.getContainer().querySelectorAll(".leaflet-pm-toolbar .button-container[title]").forEach(function (box) {
      var button = box.querySelector(".leaflet-buttons-control-button");
      if (button) {
        button.setAttribute("aria-label", box.getAttribute("title"));
      }
    });
  }

  // Geoman's own catalogue has no Kazakh, and its English is not ours: the page gives every text.
  map.pm.setLang(language, config.geoman, "en");
  map.pm.addControls({
    position: "topleft",
    drawMarker: true,
    drawPolyline: false,
    drawPolygon: true,
    drawRectangle: true,
    drawCircle: false,
    drawCircleMarker: false,
    drawText: false,
    cutPolygon: false,
    rotateMode: false,
    editMode: true,
    dragMode: true,
    removalMode: true
  });
  labelButtons();

  map.on("pm:create", function (event) {
    var layer = event.layer;
    if (isPoint(layer)) {
      keep(entrances, layer);
      writeEntrances();
    } else if (isPolygon(layer)) {
      layer.setStyle(BOUNDARY_STYLE);
      keep(boundary, layer);
      writeBoundary();
    }
  });

  map.on("pm:remove", function (event) {
    if (entrances.hasLayer(event.layer)) {
      entrances.removeLayer(event.layer);
      writeEntrances();
    } else if (boundary.hasLayer(event.layer)) {
      boundary.removeLayer(event.layer);
      writeBoundary();
    }
  });

  boundaryText.addEventListener("change", function () {
    if (load(boundaryText, boundary, "boundary")) {
      fit();
      describe();
      announce(boundaryText.value.trim() ? strings.boundaryUpdated : strings.boundaryEmptied);
    } else {
      announce(strings.unreadable);
    }
  });

  entranceText.addEventListener("change", function () {
    if (load(entranceText, entrances, "entrances")) {
      describe();
      announce(strings.entrancesUpdated);
    } else {
      announce(strings.unreadable);
    }
  });

  var shown = load(boundaryText, boundary, "boundary");
  load(entranceText, entrances, "entrances");
  describe();
  if ((!shown || !fit()) && config.bounds && !boundaryText.value.trim()) {
    map.setView(config.center, config.zoom);
  }
})();
