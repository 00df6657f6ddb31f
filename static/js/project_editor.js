/* The project editor's map: the districts underneath, the project's geometry, and Leaflet-Geoman's
 * toolbar to draw points, lines and polygons, edit their vertices, move and remove them.
 *
 * The form's GeoJSON textarea (#id_geom) is the one source of truth: every change on the map writes
 * it, and a change typed in it (the keyboard path) redraws the map. Several shapes of one kind become
 * a MultiPoint, MultiLineString or MultiPolygon. Every URL and text comes from the "editor-config"
 * JSON the page embeds. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var textarea = document.getElementById("id_geom");
  var category = document.getElementById("id_category");
  var hint = document.getElementById("editor-hint");
  var status = document.getElementById("editor-status");
  var KINDS = ["Point", "LineString", "Polygon"];

  function announce(text) {
    status.textContent = text || "";
  }

  var map = L.map("editor-map", {center: config.center, zoom: config.zoom, zoomControl: false});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  if (window.QalaReference) {
    QalaReference.add(map, config.reference);
  }

  // The districts are a reference under the drawing, never edited or snapped to.
  var districts = L.geoJSON(null, {
    pmIgnore: true,
    snapIgnore: true,
    interactive: false,
    className: "editor-district",
    style: {color: "#4a5550", weight: 1.5, dashArray: "4 4", fill: false}
  }).addTo(map);
  fetch(config.districts, {headers: {Accept: "application/geo+json"}})
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (data) {
      districts.addData(data);
      districts.bringToBack();
    })
    .catch(function () {
      announce(strings.districtsFailed);
    });

  // What the project is made of: one Leaflet layer per point, line or polygon.
  var drawn = L.featureGroup().addTo(map);
  map.pm.setGlobalOptions({layerGroup: drawn, snappable: true, snapDistance: 15});

  function kindOf(layer) {
    if (layer instanceof L.Marker || layer instanceof L.CircleMarker) {
      return "Point";
    }
    if (layer instanceof L.Polygon) {  // before Polyline: a polygon is a closed polyline
      return "Polygon";
    }
    if (layer instanceof L.Polyline) {
      return "LineString";
    }
    return null;
  }

  function shapes() {
    return drawn.getLayers().filter(function (layer) {
      return kindOf(layer) !== null;
    });
  }

  // One geometry for all the shapes: the single one, or the Multi type of their kind.
  function geometry() {
    var layers = shapes();
    if (!layers.length) {
      return null;
    }
    var kind = kindOf(layers[0]);
    var parts = [];
    layers.forEach(function (layer) {
      var part = layer.toGeoJSON().geometry;
      if (part.type === kind) {
        parts.push(part.coordinates);
      } else if (part.type === "Multi" + kind) {
        parts = parts.concat(part.coordinates);
      }
    });
    return parts.length === 1 ? {type: kind, coordinates: parts[0]} : {type: "Multi" + kind, coordinates: parts};
  }

  function write(message) {
    var value = geometry();
    textarea.value = value ? JSON.stringify(value) : "";
    announce(message || (value ? strings.updated : strings.emptied));
  }

  function watch(layer) {
    layer.on("pm:edit pm:dragend pm:rotateend", function () {
      write();
    });
  }

  // Layers for a GeoJSON geometry or Feature, one per part, so each part is edited on its own.
  function layersFor(object) {
    if (!object || typeof object !== "object") {
      throw new Error("not a geometry");
    }
    var coords = object.coordinates;
    switch (object.type) {
      case "Feature":
        return layersFor(object.geometry);
      case "GeometryCollection":
        return [].concat.apply([], object.geometries.map(layersFor));
      case "Point":
        return [L.marker(L.GeoJSON.coordsToLatLng(coords))];
      case "MultiPoint":
        return coords.map(function (c) { return L.marker(L.GeoJSON.coordsToLatLng(c)); });
      case "LineString":
        return [L.polyline(L.GeoJSON.coordsToLatLngs(coords, 0))];
      case "MultiLineString":
        return coords.map(function (c) { return L.polyline(L.GeoJSON.coordsToLatLngs(c, 0)); });
      case "Polygon":
        // GeoJSON repeats the first position at the end of a ring; Leaflet closes rings itself.
        return [L.polygon(L.GeoJSON.coordsToLatLngs(coords, 1))];
      case "MultiPolygon":
        return coords.map(function (c) { return L.polygon(L.GeoJSON.coordsToLatLngs(c, 1)); });
      default:
        throw new Error("not a geometry");
    }
  }

  // Draw the textarea's GeoJSON; false (and the map left as it was) when it cannot be read.
  function load(fit) {
    var text = textarea.value.trim();
    var layers = [];
    if (text) {
      try {
        // L.latLng throws on a position that is not two numbers, so a bad one ends here too.
        layers = layersFor(JSON.parse(text));
      } catch (error) {
        return false;
      }
    }
    drawn.clearLayers();
    layers.forEach(function (layer) {
      drawn.addLayer(layer);
      watch(layer);
    });
    var bounds = drawn.getBounds();
    if (fit && bounds.isValid()) {
      map.fitBounds(bounds, {maxZoom: 17, padding: [24, 24]});
    }
    return true;
  }

  // The toolbar offers the kinds of shape the category allows (a bike lane is a line, a square a polygon).
  function allowedKinds() {
    var types = config.categories[category ? category.value : ""];
    if (!types) {
      return KINDS;
    }
    return KINDS.filter(function (kind) {
      return types.indexOf(kind) >= 0 || types.indexOf("Multi" + kind) >= 0;
    });
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

  function showTools() {
    var kinds = allowedKinds();
    map.pm.addControls({
      position: "topleft",
      drawMarker: kinds.indexOf("Point") >= 0,
      drawPolyline: kinds.indexOf("LineString") >= 0,
      drawPolygon: kinds.indexOf("Polygon") >= 0,
      drawRectangle: kinds.indexOf("Polygon") >= 0,
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
    if (kinds.length === 1) {
      hint.textContent = {Point: strings.drawPoints, LineString: strings.drawLines, Polygon: strings.drawPolygons}[kinds[0]];
    } else {
      hint.textContent = strings.drawAny;
    }
  }

  map.on("pm:create", function (event) {
    var kind = kindOf(event.layer);
    var replaced = false;
    // A project's shapes are all of one kind: a new kind replaces the shapes of the others.
    shapes().forEach(function (layer) {
      if (layer !== event.layer && kindOf(layer) !== kind) {
        drawn.removeLayer(layer);
        replaced = true;
      }
    });
    if (!drawn.hasLayer(event.layer)) {
      drawn.addLayer(event.layer);
    }
    watch(event.layer);
    write(replaced ? strings.replaced : null);
  });

  map.on("pm:remove", function (event) {
    drawn.removeLayer(event.layer);
    write();
  });

  textarea.addEventListener("change", function () {
    if (load(true)) {
      announce(textarea.value.trim() ? strings.updated : strings.emptied);
    } else {
      announce(strings.unreadable);
    }
  });

  if (category) {
    category.addEventListener("change", showTools);
  }

  // Geoman's own catalogue has no Kazakh, and its English is not ours: the page gives every text.
  map.pm.setLang(language, config.geoman, "en");
  showTools();
  if (!load(true) && config.bounds) {
    map.fitBounds(config.bounds);
  }
})();
