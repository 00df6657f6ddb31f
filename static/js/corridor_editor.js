/* The segment editor's map: the corridor's other segments (dashed) over the reference layers (parks,
 * rivers, railways, streets), the segment's line, drawn and edited with Leaflet-Geoman, and the
 * trajectory suggestion, whose line becomes the editable draft.
 *
 * The form's GeoJSON textarea (#id_geom) is the one source of truth: every change on the map writes
 * it, and a change typed in it (the keyboard path) redraws the map. A segment is one line: drawing a
 * new one replaces the old. The suggestion asks corridors:suggest for a line from a populated place
 * or a point picked on the map to a park or a point, and announces what came back in an aria-live
 * region. The cost surface behind the suggestions is an optional overlay in the layer control.
 * Every URL and text comes from the "editor-config" JSON the page embeds. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var textarea = document.getElementById("id_geom");
  var status = document.getElementById("editor-status");

  function announce(text) {
    status.textContent = text || "";
  }

  // The texts come from Django's catalogues, with Python's %(name)s placeholders and %% for a percent sign.
  function format(template, values) {
    return template.replace(/%\((\w+)\)s|%%/g, function (match, key) {
      return key ? String(values[key]) : "%";
    });
  }

  function number(value, digits) {
    return Number(value).toLocaleString(language, {maximumFractionDigits: digits || 0});
  }

  var map = L.map("editor-map", {center: config.center, zoom: config.zoom, zoomControl: false});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  if (window.QalaReference) {
    QalaReference.add(map, config.reference);
  }

  // The corridor's other segments: a reference to join up with (snapping works on them), never edited here.
  var others = L.geoJSON(config.others, {
    pmIgnore: true,
    interactive: false,
    className: "editor-other-segment",
    style: {color: "#14532d", weight: 4, opacity: 0.8, dashArray: "8 6"}
  }).addTo(map);
  var overlays = {};
  overlays[strings.otherSegments] = others;
  if (config.costSurface) {
    overlays[strings.costSurface] = L.imageOverlay(config.costSurface.url, config.costSurface.bounds, {
      opacity: 0.55,
      interactive: false,
      pmIgnore: true,
      alt: strings.costSurface,
      className: "editor-cost-surface"
    });
  }
  L.control.layers(null, overlays, {collapsed: window.innerWidth < 640}).addTo(map);

  // The segment's line: one Leaflet polyline (several only while a refused GeoJSON is shown again).
  var drawn = L.featureGroup().addTo(map);
  map.pm.setGlobalOptions({layerGroup: drawn, snappable: true, snapDistance: 15});

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
    // Sent as it is: the server says why a segment cannot be several lines.
    return {type: "MultiLineString", coordinates: parts.map(function (part) { return part.coordinates; })};
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

  // Layers for a GeoJSON geometry or Feature; what is not a line is still shown, for the server to refuse.
  function layersFor(object) {
    if (!object || typeof object !== "object") {
      throw new Error("not a geometry");
    }
    var coords = object.coordinates;
    switch (object.type) {
      case "Feature":
        return layersFor(object.geometry);
      case "LineString":
        return [L.polyline(L.GeoJSON.coordsToLatLngs(coords, 0))];
      case "MultiLineString":
        return coords.map(function (c) { return L.polyline(L.GeoJSON.coordsToLatLngs(c, 0)); });
      case "Point":
        return [L.circleMarker(L.GeoJSON.coordsToLatLng(coords))];
      case "Polygon":
        return [L.polygon(L.GeoJSON.coordsToLatLngs(coords, 1))];
      default:
        throw new Error("not a line");
    }
  }

  function show(layers, fit) {
    drawn.clearLayers();
    layers.forEach(function (layer) {
      drawn.addLayer(layer);
      watch(layer);
    });
    var bounds = drawn.getBounds();
    if (fit && bounds.isValid()) {
      map.fitBounds(bounds, {maxZoom: 17, padding: [24, 24]});
    }
  }

  // Draw the textarea's GeoJSON; false (and the map left as it was) when it cannot be read.
  function load(fit) {
    var text = textarea.value.trim();
    var layers = [];
    if (text) {
      try {
        layers = layersFor(JSON.parse(text));
      } catch (error) {
        return false;
      }
    }
    show(layers, fit);
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

  map.pm.setLang(language, config.geoman, "en");
  map.pm.addControls({
    position: "topleft",
    drawMarker: false,
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

  var shown = load(true);
  if ((!shown || !drawn.getLayers().length) && others.getBounds().isValid()) {
    map.fitBounds(others.getBounds(), {maxZoom: 16, padding: [24, 24]});
  } else if (!shown && config.bounds) {
    map.fitBounds(config.bounds);
  }

  // Suggest a trajectory --------------------------------------------------------------------------------

  var panel = document.getElementById("suggest");
  if (!panel) {
    return;
  }
  var said = document.getElementById("suggest-status");
  var run = document.getElementById("suggest-run");
  var ends = {
    from: {
      select: document.getElementById("suggest-from"),
      button: document.getElementById("suggest-pick-from"),
      text: document.getElementById("suggest-from-point"),
      ask: strings.pickStart,
      picked: strings.startPicked,
      title: strings.startMarker,
      point: null,
      marker: null
    },
    to: {
      select: document.getElementById("suggest-to"),
      button: document.getElementById("suggest-pick-to"),
      text: document.getElementById("suggest-to-point"),
      ask: strings.pickEnd,
      picked: strings.endPicked,
      title: strings.endMarker,
      point: null,
      marker: null
    }
  };
  var picking = null;

  function say(text) {
    said.textContent = text || "";
  }

  function pick(which) {
    picking = which;
    map.pm.disableDraw();
    map.getContainer().classList.add("editor-picking");
    Object.keys(ends).forEach(function (key) {
      ends[key].button.setAttribute("aria-pressed", String(key === which));
    });
    say(ends[which].ask);
  }

  // The start or end on the map: the place or park chosen in the list, else the point picked.
  function mark(which, latlng) {
    var end = ends[which];
    if (end.marker) {
      map.removeLayer(end.marker);
      end.marker = null;
    }
    if (!latlng) {
      return;
    }
    end.marker = L.circleMarker(latlng, {
      radius: 8,
      weight: 3,
      color: which === "from" ? "#1d4ed8" : "#166534",
      fillColor: "#ffffff",
      fillOpacity: 1,
      pmIgnore: true,
      snapIgnore: true,
      interactive: false,
      className: "suggest-marker suggest-marker-" + which
    }).addTo(map);
  }

  function chosen(which) {
    var option = ends[which].select.selectedOptions[0];
    if (option && option.value && option.dataset.lat) {
      return L.latLng(Number(option.dataset.lat), Number(option.dataset.lon));
    }
    return ends[which].point;
  }

  function place(which, latlng) {
    var end = ends[which];
    end.point = latlng;
    end.select.value = "";
    mark(which, latlng);
    end.text.textContent = format(end.picked, {lat: number(latlng.lat, 5), lon: number(latlng.lng, 5)});
    say(end.text.textContent);
  }

  function stopPicking() {
    if (!picking) {
      return null;
    }
    var which = picking;
    picking = null;
    map.getContainer().classList.remove("editor-picking");
    ends[which].button.setAttribute("aria-pressed", "false");
    return which;
  }

  map.on("click", function (event) {
    var which = stopPicking();
    if (which) {
      place(which, event.latlng);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && stopPicking()) {
      say("");
    }
  });

  Object.keys(ends).forEach(function (which) {
    ends[which].button.addEventListener("click", function () {
      pick(which);
    });
    ends[which].select.addEventListener("change", function () {
      mark(which, chosen(which));
    });
  });

  function endParameter(which, params, name, placeName) {
    var end = ends[which];
    if (end.select.value) {
      params.set(placeName, end.select.value);
      return true;
    }
    if (end.point) {
      params.set(name, end.point.lng.toFixed(6) + "," + end.point.lat.toFixed(6));
      return true;
    }
    return false;
  }

  // The suggested line becomes the segment's line, its vertices ready to be dragged.
  function draft(feature) {
    show(layersFor(feature), true);
    drawn.getLayers().forEach(function (layer) {
      layer.pm.enable({snappable: true});
    });
    write();
    var properties = feature.properties || {};
    say(properties.message || format(strings.suggested, {
      length: number(properties.length_m),
      share: number(100 * (properties.follows_share || 0)),
      climb: number(properties.climb_m || 0)
    }));
  }

  run.addEventListener("click", function () {
    var params = new URLSearchParams();
    if (!endParameter("from", params, "from", "from_place")) {
      say(strings.noStart);
      ends.from.select.focus();
      return;
    }
    if (!endParameter("to", params, "to", "to_park")) {
      say(strings.noEnd);
      ends.to.select.focus();
      return;
    }
    run.disabled = true;
    panel.setAttribute("aria-busy", "true");
    say(strings.searching);
    fetch(config.suggest + "?" + params.toString(), {
      credentials: "same-origin",
      headers: {Accept: "application/geo+json, application/json"}
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return {ok: response.ok, data: data};
        });
      })
      .then(function (answer) {
        if (!answer.ok || !answer.data || answer.data.type !== "Feature") {
          say((answer.data && answer.data.error) || strings.suggestFailed);
          return;
        }
        draft(answer.data);
      })
      .catch(function () {
        say(strings.suggestFailed);
      })
      .then(function () {
        run.disabled = false;
        panel.removeAttribute("aria-busy");
      });
  });
})();
