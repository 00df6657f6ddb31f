/* The network page's map: each connected part of the network in its own colour, the gaps between parts as
 * dashed lines numbered by their rank, and optional layers, off until asked for: the cost surface that
 * trajectory suggestions follow (an image over the city) and the registry's urban-blocks and population
 * layers (loaded by bounding box within their zoom range, styled by their variants). Everything comes
 * from the page's "network-map-config" JSON; the lists and tables of the page say the same in words. */
(function () {
  "use strict";

  var element = document.getElementById("network-map");
  var configElement = document.getElementById("network-map-config");
  if (!element || !configElement || !window.L || !window.QalaCorridorMap) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var drawn = QalaCorridorMap.create(element, config);
  var map = drawn.map;

  // The overlays lie under the network (overlayPane, 400) and over the reference layers (350).
  map.createPane("network-overlays").style.zIndex = "380";

  var features = drawn.draw(config.features);
  features.eachLayer(function (layer) {
    var properties = layer.feature.properties;
    if (properties.kind === "gap") {
      layer.bindTooltip(String(properties.rank), {
        permanent: true,
        direction: "center",
        className: "network-gap-rank"
      });
    }
  });
  drawn.fit(features.getLayers().length ? features.getBounds() : null);

  // Every matching variant applies, in order, over the layer's style (as on the main map).
  function styleFor(spec, properties) {
    var style = Object.assign({}, spec.style);
    spec.variants.forEach(function (variant) {
      if (properties[variant.attribute] === variant.value) {
        Object.assign(style, variant.style);
      }
    });
    return style;
  }

  var overlays = [];
  if (config.costSurface) {
    overlays.push({
      name: "cost_surface",
      title: config.costSurface.title,
      description: config.costSurface.description,
      layer: L.imageOverlay(config.costSurface.url, config.costSurface.bounds, {
        pane: "network-overlays",
        opacity: 0.6,
        alt: "",
        className: "network-cost-surface"
      }),
      minZoom: 0,
      maxZoom: 22,
      on: false
    });
  }
  (config.overlays || []).forEach(function (spec) {
    overlays.push({
      name: spec.name,
      title: spec.title,
      spec: spec,
      layer: L.geoJSON(null, {
        pane: "network-overlays",
        interactive: false,
        className: "network-overlay network-overlay-" + spec.name,
        style: function (feature) {
          return styleFor(spec, feature.properties);
        }
      }),
      minZoom: spec.min_zoom,
      maxZoom: spec.max_zoom,
      loaded: null,
      request: null,
      on: false
    });
  });

  function load(overlay) {
    if (overlay.request) {
      overlay.request.abort();
    }
    var controller = new AbortController();
    overlay.request = controller;
    var bounds = map.getBounds().pad(0.3);
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (value) { return value.toFixed(5); }).join(",");
    fetch(overlay.spec.geojson + "?bbox=" + bbox, {signal: controller.signal, headers: {Accept: "application/geo+json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        overlay.layer.clearLayers();
        overlay.layer.addData(data);
        overlay.loaded = bounds;
        overlay.request = null;
      })
      .catch(function () {
        // An overlay is an aid: without it the network's own drawing still stands.
        overlay.request = null;
      });
  }

  function refresh() {
    var zoom = map.getZoom();
    overlays.forEach(function (overlay) {
      var inRange = zoom >= overlay.minZoom && zoom <= overlay.maxZoom;
      if (overlay.hint) {
        overlay.hint.hidden = inRange;
      }
      if (!overlay.on || !inRange) {
        map.removeLayer(overlay.layer);
        return;
      }
      map.addLayer(overlay.layer);
      if (overlay.spec && (!overlay.loaded || !overlay.loaded.contains(map.getBounds()))) {
        load(overlay);
      }
    });
  }

  var fieldset = document.getElementById("network-overlays");
  if (fieldset && overlays.length) {
    var list = fieldset.querySelector("ul");
    overlays.forEach(function (overlay) {
      var item = document.createElement("li");
      item.dataset.overlay = overlay.name;
      var input = document.createElement("input");
      input.type = "checkbox";
      input.id = "network-overlay-" + overlay.name;
      var label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = overlay.title;
      var hint = document.createElement("span");
      hint.className = "network-overlay-hint";
      hint.id = input.id + "-hint";
      hint.textContent = strings.zoomInToSee;
      input.setAttribute("aria-describedby", hint.id);
      input.addEventListener("change", function () {
        overlay.on = input.checked;
        refresh();
      });
      item.appendChild(input);
      item.appendChild(label);
      item.appendChild(hint);
      if (overlay.description) {
        var description = document.createElement("p");
        description.className = "network-overlay-description";
        description.textContent = overlay.description;
        item.appendChild(description);
      }
      // A layer styled by its variants (the population's density bands) lists them as its legend.
      if (overlay.spec && overlay.spec.variants.length) {
        var legend = document.createElement("ul");
        legend.className = "network-overlay-legend";
        overlay.spec.variants.forEach(function (variant) {
          var style = Object.assign({}, overlay.spec.style, variant.style);
          var entry = document.createElement("li");
          var swatch = document.createElement("span");
          swatch.className = "network-overlay-swatch";
          swatch.setAttribute("aria-hidden", "true");
          swatch.style.backgroundColor = style.fillColor || style.color;
          entry.appendChild(swatch);
          entry.appendChild(document.createTextNode(variant.title));
          legend.appendChild(entry);
        });
        item.appendChild(legend);
      }
      list.appendChild(item);
      overlay.hint = hint;
    });
    fieldset.hidden = false;
  }

  map.on("moveend", refresh);
  refresh();
})();
