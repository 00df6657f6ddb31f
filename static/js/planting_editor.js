/* The planting editor's map: the planting (a point, or a line for a row of trees) drawn and edited with
 * Leaflet-Geoman, and the place where the trees it replaces were felled, a point marked by a click.
 *
 * The form's two GeoJSON textareas (#id_geom, #id_felled_place) are the one source of truth: every change
 * on the map writes them, and a change typed in them (the keyboard path) redraws the map. A planting is
 * one shape: drawing a new one replaces the old. "What the map draws" switches a click on the map to
 * marking the felled place; it is offered, like the felling's fields, only for a compensation (the felling's
 * inputs are disabled for another reason, so they are not sent). Every text comes from the "editor-config"
 * JSON the page embeds. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var plantingText = document.getElementById("id_geom");
  var felledText = document.getElementById("id_felled_place");
  var status = document.getElementById("editor-status");
  var targetBox = document.getElementById("planting-target");
  var felledOption = document.getElementById("planting-target-felled");
  var felledFields = document.getElementById("felled-fields");
  var reasons = document.querySelectorAll("input[name='reason']");

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
  L.geoJSON(config.outlines || [], {
    pmIgnore: true,
    snapIgnore: true,
    interactive: false,
    className: "editor-district",
    style: {color: "#4a5550", weight: 1.5, dashArray: "4 4", fill: false}
  }).addTo(map);

  var drawn = L.featureGroup().addTo(map);
  var felled = L.featureGroup().addTo(map);
  map.pm.setGlobalOptions({layerGroup: drawn, snappable: true, snapDistance: 15});

  function isFelled(layer) {
    return felled.hasLayer(layer);
  }

  function geometryOf(group) {
    var parts = group.getLayers().map(function (layer) {
      return layer.toGeoJSON().geometry;
    });
    if (!parts.length) {
      return null;
    }
    // More than one shape is sent as it is: the server says why a planting is one point or one line.
    return parts.length === 1 ? parts[0] : {type: "GeometryCollection", geometries: parts};
  }

  function writePlanting(message) {
    var value = geometryOf(drawn);
    plantingText.value = value ? JSON.stringify(value) : "";
    announce(message || (value ? strings.updated : strings.emptied));
  }

  function writeFelled(message) {
    var value = geometryOf(felled);
    felledText.value = value ? JSON.stringify(value) : "";
    announce(message || (value ? strings.felledSet : strings.felledEmptied));
  }

  function watch(layer) {
    layer.on("pm:edit pm:dragend", function () {
      if (isFelled(layer)) {
        writeFelled();
      } else {
        writePlanting();
      }
    });
  }

  function felledMarker(latlng) {
    var marker = L.circleMarker(latlng, Object.assign({}, config.styles.felled, {className: "planting-felled"}));
    marker.bindTooltip(strings.felledTitle);
    return marker;
  }

  // Layers for a GeoJSON geometry or Feature; what is not a point or a line is still shown, for the server to refuse.
  function layersFor(object, asFelled) {
    if (!object || typeof object !== "object") {
      throw new Error("not a geometry");
    }
    var coords = object.coordinates;
    switch (object.type) {
      case "Feature":
        return layersFor(object.geometry, asFelled);
      case "GeometryCollection":
        return [].concat.apply([], object.geometries.map(function (g) { return layersFor(g, asFelled); }));
      case "Point":
        return [asFelled ? felledMarker(L.GeoJSON.coordsToLatLng(coords)) : L.marker(L.GeoJSON.coordsToLatLng(coords))];
      case "LineString":
        return [L.polyline(L.GeoJSON.coordsToLatLngs(coords, 0))];
      case "MultiPoint":
        return coords.map(function (c) { return L.marker(L.GeoJSON.coordsToLatLng(c)); });
      case "MultiLineString":
        return coords.map(function (c) { return L.polyline(L.GeoJSON.coordsToLatLngs(c, 0)); });
      case "Polygon":
        return [L.polygon(L.GeoJSON.coordsToLatLngs(coords, 1))];
      default:
        throw new Error("not a geometry");
    }
  }

  // Draw a textarea's GeoJSON into its group; false (and the map left as it was) when it cannot be read.
  function load(textarea, group, asFelled) {
    var text = textarea.value.trim();
    var layers = [];
    if (text) {
      try {
        layers = layersFor(JSON.parse(text), asFelled);
      } catch (error) {
        return false;
      }
    }
    group.clearLayers();
    layers.forEach(function (layer) {
      group.addLayer(layer);
      watch(layer);
    });
    return true;
  }

  function fit() {
    var bounds = L.latLngBounds([]);
    [drawn, felled].forEach(function (group) {
      if (map.hasLayer(group) && group.getLayers().length) {
        bounds.extend(group.getBounds());
      }
    });
    if (bounds.isValid()) {
      // Room on the left for the zoom buttons and Geoman's toolbar, which would hide a point under them.
      map.fitBounds(bounds, {maxZoom: 17, paddingTopLeft: [64, 32], paddingBottomRight: [32, 32]});
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

  map.pm.setLang(language, config.geoman, "en");
  map.pm.addControls({
    position: "topleft",
    drawMarker: true,
    drawPolyline: true,
    drawPolygon: false,
    drawRectangle: false,
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

  // What a click on the map does: nothing of its own (Geoman's tools draw the planting), or mark the felled place.
  function target() {
    var checked = targetBox.querySelector("input[name='map_target']:checked");
    return checked ? checked.value : "planting";
  }

  function setTarget(value) {
    targetBox.querySelectorAll("input[name='map_target']").forEach(function (input) {
      input.checked = input.value === value;
    });
    map.getContainer().classList.toggle("editor-picking", value === "felled");
  }

  targetBox.hidden = false;
  targetBox.addEventListener("change", function () {
    if (target() === "felled") {
      map.pm.disableDraw();
      map.getContainer().classList.add("editor-picking");
      announce(strings.drawFelled);
    } else {
      map.getContainer().classList.remove("editor-picking");
      announce(strings.drawPlanting);
    }
  });

  map.on("pm:drawstart", function () {
    setTarget("planting");
  });

  map.on("click", function (event) {
    if (target() !== "felled" || map.pm.globalDrawModeEnabled()) {
      return;
    }
    felled.clearLayers();
    var marker = felledMarker(event.latlng);
    felled.addLayer(marker);
    watch(marker);
    writeFelled();
  });

  map.on("pm:create", function (event) {
    var replaced = false;
    drawn.getLayers().forEach(function (layer) {
      if (layer !== event.layer) {
        drawn.removeLayer(layer);
        replaced = true;
      }
    });
    if (!drawn.hasLayer(event.layer)) {
      drawn.addLayer(event.layer);
    }
    watch(event.layer);
    writePlanting(replaced ? strings.replaced : null);
  });

  map.on("pm:remove", function (event) {
    if (felled.hasLayer(event.layer)) {
      felled.removeLayer(event.layer);
      writeFelled();
    } else {
      drawn.removeLayer(event.layer);
      writePlanting();
    }
  });

  plantingText.addEventListener("change", function () {
    if (load(plantingText, drawn, false)) {
      fit();
      announce(plantingText.value.trim() ? strings.updated : strings.emptied);
    } else {
      announce(strings.unreadable);
    }
  });

  felledText.addEventListener("change", function () {
    if (load(felledText, felled, true)) {
      fit();
      announce(felledText.value.trim() ? strings.felledSet : strings.felledEmptied);
    } else {
      announce(strings.unreadable);
    }
  });

  // The felling belongs to a compensation only: for another reason its inputs are disabled (not sent) and hidden.
  function compensation() {
    var checked = document.querySelector("input[name='reason']:checked");
    return !checked || checked.value === "compensation";
  }

  function showReason() {
    var shown = compensation();
    felledFields.hidden = !shown;
    felledFields.querySelectorAll("input, textarea, select").forEach(function (input) {
      input.disabled = !shown;
    });
    felledText.disabled = !shown;
    felledOption.hidden = !shown;
    if (shown) {
      felled.addTo(map);
    } else {
      map.removeLayer(felled);
      if (target() === "felled") {
        setTarget("planting");
      }
    }
  }

  reasons.forEach(function (input) {
    input.addEventListener("change", showReason);
  });

  load(plantingText, drawn, false);
  load(felledText, felled, true);
  showReason();
  // A new planting starts at the city's centre, at the zoom a street is drawn at; a saved one is shown whole.
  fit();
})();
