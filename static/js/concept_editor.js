/* The zone editor's map: the park's boundary (dashed), the plan's other zones in their purpose's colour,
 * and the zone being drawn or edited, with Leaflet-Geoman's toolbar (polygon, rectangle, line, point).
 *
 * The form's GeoJSON textarea (#id_geom) is the one source of truth: every change on the map writes
 * it, and a change typed in it (the keyboard path) redraws the map. A zone is one shape: drawing a new
 * one replaces the old. The zone takes the colour of the purpose chosen in #id_purpose. Clicking
 * another zone opens it for editing (the table under the map does the same by keyboard). Every URL
 * and text comes from the "editor-config" JSON the page embeds. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var textarea = document.getElementById("id_geom");
  var purpose = document.getElementById("id_purpose");
  var status = document.getElementById("editor-status");

  function announce(text) {
    status.textContent = text || "";
  }

  function colourOf(value) {
    return config.colours[value] || config.zoneStyle.color;
  }

  function styleFor(value) {
    var colour = colourOf(value);
    return Object.assign({}, config.zoneStyle, {color: colour, fillColor: colour});
  }

  var map = L.map("editor-map", {zoomControl: false, zoomSnap: 0.5});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  map.fitBounds(config.bounds, {padding: [16, 16]});

  // The park: a reference to draw inside and to snap to, never edited here.
  var park = L.geoJSON(config.park, {
    pmIgnore: true,
    interactive: false,
    className: "editor-park",
    style: config.parkStyle
  }).addTo(map);

  // The plan's other zones, in their purpose's colour; a click opens one for editing.
  var others = L.geoJSON(config.zones, {
    pmIgnore: true,
    className: "editor-other-zone",
    style: function (feature) {
      return styleFor(feature.properties.purpose);
    },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, Object.assign({className: "editor-other-zone"}, styleFor(feature.properties.purpose)));
    },
    onEachFeature: function (feature, layer) {
      var props = feature.properties;
      var text = props.label + " · " + props.purposeLabel + (props.measure !== "—" ? " · " + props.measure : "");
      layer.bindTooltip(text, {sticky: true});
      layer.on("click", function () {
        if (!map.pm.globalDrawModeEnabled()) {
          window.location.assign(props.edit);
        }
      });
    }
  }).addTo(map);
  var overlays = {};
  overlays[strings.park] = park;
  overlays[strings.otherZones] = others;
  L.control.layers(null, overlays, {collapsed: window.innerWidth < 640}).addTo(map);

  // The zone: one Leaflet layer (several only while a refused GeoJSON is shown again).
  var drawn = L.featureGroup().addTo(map);
  map.pm.setGlobalOptions({layerGroup: drawn, snappable: true, snapDistance: 15});

  function paint() {
    var style = styleFor(purpose ? purpose.value : "");
    drawn.getLayers().forEach(function (layer) {
      if (layer.setStyle) {
        layer.setStyle(style);
      }
    });
    map.pm.setPathOptions(style);
  }

  function geometry() {
    var parts = drawn.getLayers().map(function (layer) {
      return layer.toGeoJSON().geometry;
    });
    if (!parts.length) {
      return null;
    }
    if (parts.length === 1) {
      return parts[0];
    }
    // Sent as it is: the server says why a zone cannot be several shapes.
    return {type: "GeometryCollection", geometries: parts};
  }

  function write(message) {
    var value = geometry();
    textarea.value = value ? JSON.stringify(value) : "";
    announce(message || (value ? strings.updated : strings.emptied));
  }

  function watch(layer) {
    layer.on("pm:edit pm:dragend", function () {
      write();
    });
  }

  // Layers for a GeoJSON geometry or Feature; what a zone cannot be is still shown, for the server to refuse.
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
  function load() {
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
    paint();
    return true;
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
    drawPolyline: true,
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
    paint();
    write(replaced ? strings.replaced : null);
  });

  map.on("pm:remove", function (event) {
    drawn.removeLayer(event.layer);
    write();
  });

  textarea.addEventListener("change", function () {
    if (load()) {
      announce(textarea.value.trim() ? strings.updated : strings.emptied);
    } else {
      announce(strings.unreadable);
    }
  });

  if (purpose) {
    purpose.addEventListener("change", paint);
  }

  load();
})();
