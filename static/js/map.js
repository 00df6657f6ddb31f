/* The map page: the base map, the relief of the city's elevation model, the layers of the registry
 * loaded by bounding box, and a layer control with the legend and each layer's filters. Everything
 * it draws is described by the "map-config" JSON that the page embeds (its layers are the same data
 * as /layers/), so a new layer needs no change here. The chosen filters are kept in the URL's hash
 * (#projects.status=planned), so a filtered map can be shared. A large layer (one whose catalogue entry
 * has a "clusters" URL) is asked for with the zoom too: the server counts its features on a grid and
 * sends round count markers, which zoom in when pressed, and the features themselves where few are left. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var SVG = "http://www.w3.org/2000/svg";  // the SVG namespace, not a request

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // The value of a property in the page's language: "title_ru", else "title", else "title_en", else any.
  function localized(properties, prefix) {
    return properties[prefix + "_" + language] || properties[prefix] || properties[prefix + "_en"] ||
      properties[prefix + "_ru"] || properties[prefix + "_kk"] || "";
  }

  function matchingVariants(spec, properties) {
    return spec.variants.filter(function (variant) {
      return properties[variant.attribute] === variant.value;
    });
  }

  // Every matching variant applies, in order: a project takes its category's colour, then its status's strokes.
  function styleFor(spec, properties) {
    var style = Object.assign({}, spec.style);
    matchingVariants(spec, properties).forEach(function (variant) {
      Object.assign(style, variant.style);
    });
    return style;
  }

  // A URL template of the catalogue ("/projects/{id}/", "/media/{thumbnail}") filled from a feature;
  // null when a value it needs is missing.
  function fillTemplate(template, feature) {
    var missing = false;
    var url = template.replace(/\{(\w+)\}/g, function (whole, key) {
      var value = key === "id" ? feature.id : feature.properties[key];
      if (value === null || value === undefined || value === "") {
        missing = true;
        return "";
      }
      return String(value).split("/").map(encodeURIComponent).join("/");
    });
    return missing ? null : url;
  }

  // A viewpoint: a dot, and a cone looking along the bearing (degrees clockwise from north) when there is one.
  function viewpointPicture(style, bearing, size) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("viewBox", "0 0 28 28");
    svg.setAttribute("aria-hidden", "true");
    var colour = style.color || "#3388ff";
    if (bearing !== null && bearing !== undefined) {
      var cone = document.createElementNS(SVG, "path");
      cone.setAttribute("d", "M14 14 L7.5 2.7 A13 13 0 0 1 20.5 2.7 Z");
      cone.setAttribute("fill", colour);
      cone.setAttribute("fill-opacity", "0.45");
      cone.setAttribute("stroke", colour);
      cone.setAttribute("stroke-width", "1.5");
      svg.appendChild(cone);
      svg.dataset.bearing = String(bearing);
      svg.style.transform = "rotate(" + Number(bearing) + "deg)";
    }
    var dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", "14");
    dot.setAttribute("cy", "14");
    dot.setAttribute("r", String(Math.min(style.radius || 5, 7)));
    dot.setAttribute("fill", style.fillColor || colour);
    dot.setAttribute("stroke", "#ffffff");
    dot.setAttribute("stroke-width", "2");
    svg.appendChild(dot);
    return svg;
  }

  // A cluster's count on its marker: 12 345 in full below ten thousand, "12K" above (in the page's language),
  // with ordinary spaces so that a long form ("12 тыс.") may wrap inside its disc.
  function shortCount(count) {
    if (count < 10000) {
      return count.toLocaleString(language);
    }
    return new Intl.NumberFormat(language, {notation: "compact", maximumFractionDigits: 0}).format(count)
      .replace(/[\u00a0\u202f]/g, " ");
  }

  // Zooms to the members of a cluster, at least one level in, so that pressing a cluster always opens it.
  function zoomToCluster(feature) {
    var box = feature.properties.bbox;
    var bounds = L.latLngBounds([box[1], box[0]], [box[3], box[2]]);
    var zoom = Math.max(map.getBoundsZoom(bounds.pad(0.2)), map.getZoom() + 1);
    map.setView(bounds.getCenter(), Math.min(zoom, map.getMaxZoom()));
  }

  // A round count marker: a focusable button (Leaflet gives a marker role="button" and tabindex="0")
  // named "Residents' proposals: 12 — zoom in"; a click, Enter or Space zooms in to its members.
  function clusterMarker(spec, feature, latlng, pane, className) {
    var count = feature.properties.count;
    var label = strings.cluster.replace("{title}", spec.title).replace("{count}", count.toLocaleString(language));
    var text = shortCount(count);
    // The disc grows with its text; a long text gets a smaller type (see .qala-cluster-count-long).
    var size = text.length <= 2 ? 34 : text.length === 3 ? 40 : text.length <= 5 ? 46 : 54;
    var disc = document.createElement("span");
    disc.className = "qala-cluster-count" + (text.length > 5 ? " qala-cluster-count-long" : "");
    disc.textContent = text;
    disc.style.backgroundColor = spec.style.color || "#3388ff";
    var marker = L.marker(latlng, {
      pane: pane,
      icon: L.divIcon({
        className: "qala-cluster " + className,
        html: disc,
        iconSize: [size, size],
        iconAnchor: [size / 2, size / 2]
      }),
      title: label,
      riseOnHover: true
    });
    marker.on("add", function () {
      var element = marker.getElement();
      element.setAttribute("aria-label", label);
      element.dataset.count = String(count);
      element.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          zoomToCluster(feature);
          // The marker goes with the old view: the map keeps the focus, so Tab leads to the new markers.
          map.getContainer().focus({preventScroll: true});
        }
      });
    });
    marker.on("click", function () {
      zoomToCluster(feature);
    });
    return marker;
  }

  function isCluster(feature) {
    return Boolean(feature.properties && feature.properties.cluster);
  }

  function popupContent(spec, feature, layer) {
    var properties = feature.properties;
    var content = document.createElement("div");
    var imageUrl = spec.image ? fillTemplate(spec.image, feature) : null;
    if (imageUrl) {
      var image = document.createElement("img");
      image.className = "qala-popup-image";
      image.src = imageUrl;
      // The caption under it says what the picture shows.
      image.alt = "";
      image.addEventListener("load", function () {
        layer.getPopup().update();
      });
      content.appendChild(image);
    }
    var name = localized(properties, spec.label);
    var title = document.createElement("strong");
    var href = spec.link ? fillTemplate(spec.link, feature) : null;
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = name || spec.title;
      title.appendChild(link);
    } else {
      title.textContent = name || spec.title;
    }
    content.appendChild(title);
    var kinds = matchingVariants(spec, properties).map(function (variant) { return variant.title; });
    if (kinds.length) {
      var kind = document.createElement("div");
      kind.className = "qala-popup-kind";
      kind.textContent = kinds.join(" · ");
      content.appendChild(kind);
    }
    if (name) {
      var layerName = document.createElement("div");
      layerName.className = "qala-popup-layer";
      layerName.textContent = spec.title;
      content.appendChild(layerName);
    }
    return content;
  }

  // The filters chosen in the URL's hash: "projects.status=planned&projects.year=2024".
  var sharedFilters = new URLSearchParams(window.location.hash.slice(1));

  function initialFilters(spec) {
    var chosen = {};
    (spec.filters || []).forEach(function (filter) {
      var value = sharedFilters.get(spec.name + "." + filter.name);
      var known = filter.choices.some(function (choice) { return choice[0] === value; });
      if (value && known) {
        chosen[filter.name] = value;
      }
    });
    return chosen;
  }

  function filterQuery(overlay) {
    return Object.keys(overlay.filters).filter(function (name) {
      return overlay.filters[name];
    }).map(function (name) {
      return "&" + encodeURIComponent(name) + "=" + encodeURIComponent(overlay.filters[name]);
    }).join("");
  }

  var map = L.map("map", {
    center: config.center,
    zoom: config.zoom,
    zoomControl: false,
    attributionControl: false
  });
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  // The attribution control goes on before any layer, so each layer's attribution is counted in.
  L.control.attribution({
    prefix: L.Control.Attribution.prototype.options.prefix +
      ' | <a href="#data-sources" data-open-dialog="data-sources">' + escapeHtml(strings.dataSources) + "</a>"
  }).addTo(map);

  var baseLayer = L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19});
  baseLayer.addTo(map);

  var status = null;  // the control's live region, set when the control is drawn
  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // The rasters (the relief) lie in their own panes between the base map (Leaflet's tilePane, 200)
  // and the vector layers (400 and up), so they read even when the tile server is out of reach.
  var rasters = (config.rasters || []).map(function (spec, index) {
    var pane = "qala-raster-" + spec.name;
    map.createPane(pane).style.zIndex = String(250 + index);
    var image = L.imageOverlay(spec.url, spec.bounds, {
      pane: pane,
      className: "qala-raster qala-raster-" + spec.name,
      alt: "",
      attribution: escapeHtml(spec.attribution)
    });
    return {spec: spec, image: image, on: spec.default_on};
  });

  function showRaster(raster) {
    if (raster.on) {
      map.addLayer(raster.image);
    } else {
      map.removeLayer(raster.image);
    }
  }

  // One pane per layer keeps the drawing order of the registry whatever the user toggles.
  var overlays = config.layers.map(function (spec, index) {
    var pane = "qala-" + spec.name;
    map.createPane(pane).style.zIndex = String(401 + index);
    var className = "qala-feature qala-layer-" + spec.name;
    var group = L.geoJSON(null, {
      pane: pane,
      className: className,
      attribution: escapeHtml(spec.attribution),
      style: function (feature) {
        return styleFor(spec, feature.properties);
      },
      pointToLayer: function (feature, latlng) {
        if (isCluster(feature)) {
          return clusterMarker(spec, feature, latlng, pane, className);
        }
        var style = styleFor(spec, feature.properties);
        if (spec.direction) {
          var bearing = feature.properties[spec.direction];
          return L.marker(latlng, {
            pane: pane,
            icon: L.divIcon({
              className: "qala-viewpoint " + className,
              html: viewpointPicture(style, bearing, 36),
              iconSize: [36, 36],
              iconAnchor: [18, 18],
              popupAnchor: [0, -12]
            }),
            // Leaflet makes a marker a focusable button; its title is the button's name.
            title: localized(feature.properties, spec.label) || spec.title
          });
        }
        return L.circleMarker(latlng, Object.assign({pane: pane, className: className}, style));
      },
      onEachFeature: function (feature, layer) {
        if (isCluster(feature)) {
          return;
        }
        layer.bindPopup(function () {
          return popupContent(spec, feature, layer);
        });
      }
    });
    return {
      spec: spec, group: group, on: spec.default_on, loaded: null, loadedZoom: null, request: null, row: null,
      filters: initialFilters(spec)
    };
  });

  function inZoomRange(overlay) {
    var zoom = map.getZoom();
    return zoom >= overlay.spec.min_zoom && zoom <= overlay.spec.max_zoom;
  }

  // The bbox is widened to a grid that depends on the zoom, so that nearby views ask for the same
  // URL (and hit the HTTP cache) and a small pan needs no new request.
  function snappedBounds(bounds, zoom) {
    var step = 180 / Math.pow(2, zoom);
    function clamp(value, limit) {
      return Math.max(-limit, Math.min(limit, value));
    }
    return L.latLngBounds(
      [clamp(Math.floor(bounds.getSouth() / step) * step, 90), clamp(Math.floor(bounds.getWest() / step) * step, 180)],
      [clamp(Math.ceil(bounds.getNorth() / step) * step, 90), clamp(Math.ceil(bounds.getEast() / step) * step, 180)]
    );
  }

  function load(overlay, bounds, zoom) {
    if (overlay.request) {
      overlay.request.abort();
    }
    var controller = new AbortController();
    overlay.request = controller;
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (value) { return value.toFixed(6); }).join(",");
    var query = filterQuery(overlay);
    // A clustered layer's answer depends on the zoom (the grid's cells are so many pixels wide).
    var url = overlay.spec.clusters ?
      overlay.spec.clusters + "?bbox=" + bbox + "&zoom=" + zoom + query :
      overlay.spec.geojson + "?bbox=" + bbox + query;
    fetch(url, {signal: controller.signal, headers: {Accept: "application/geo+json"}})
      .then(function (response) {
        if (!response.ok) {
          var failure = new Error(String(response.status));
          // A 400 with filters: a value the server no longer offers (an old shared link, say).
          failure.badFilters = response.status === 400 && query !== "";
          throw failure;
        }
        return response.json();
      })
      .then(function (data) {
        overlay.group.clearLayers();
        overlay.group.addData(data);
        overlay.loaded = bounds;
        overlay.loadedZoom = zoom;
        overlay.request = null;
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          overlay.request = null;
          announce(error.badFilters ? strings.filterFailed : strings.loadFailed);
        }
      });
  }

  function refresh() {
    var view = map.getBounds();
    // The zoom on the container lets styles and tests follow the map.
    map.getContainer().dataset.zoom = String(map.getZoom());
    overlays.forEach(function (overlay) {
      var wanted = overlay.on && inZoomRange(overlay);
      if (!wanted) {
        if (overlay.request) {
          overlay.request.abort();
          overlay.request = null;
        }
        map.removeLayer(overlay.group);
      } else {
        map.addLayer(overlay.group);
        var zoomChanged = overlay.spec.clusters && overlay.loadedZoom !== map.getZoom();
        if (!overlay.loaded || !overlay.loaded.contains(view) || zoomChanged) {
          load(overlay, snappedBounds(view, map.getZoom()), map.getZoom());
        }
      }
      if (overlay.row) {
        overlay.row.hint.hidden = inZoomRange(overlay);
      }
    });
  }

  // The empty 24 × 16 picture a legend swatch is drawn in; screen readers skip it.
  function swatchPicture() {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "qala-swatch");
    svg.setAttribute("width", "24");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 24 16");
    svg.setAttribute("aria-hidden", "true");
    return svg;
  }

  // The strokes of a style on a shape of a swatch, thinner where the shape is small.
  function stroke(shape, style, widest) {
    shape.setAttribute("stroke", style.color || "#3388ff");
    shape.setAttribute("stroke-width", String(Math.min(style.weight === undefined ? 3 : style.weight, widest)));
    shape.setAttribute("stroke-opacity", String(style.opacity === undefined ? 1 : style.opacity));
    if (style.dashArray) {
      shape.setAttribute("stroke-dasharray", style.dashArray);
    }
  }

  // An area and a dot, for a layer of points, lines and areas.
  function mixedSwatch(style) {
    var svg = swatchPicture();
    var fill = style.fillColor || style.color || "#3388ff";
    var area = document.createElementNS(SVG, "rect");
    area.setAttribute("x", "2");
    area.setAttribute("y", "3");
    area.setAttribute("width", "11");
    area.setAttribute("height", "10");
    area.setAttribute("fill", fill);
    area.setAttribute("fill-opacity", String(Math.max(style.fillOpacity === undefined ? 0.2 : style.fillOpacity, 0.3)));
    stroke(area, style, 3);
    var dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", "19");
    dot.setAttribute("cy", "8");
    dot.setAttribute("r", "3.5");
    dot.setAttribute("fill", fill);
    dot.setAttribute("fill-opacity", String(Math.max(style.fillOpacity === undefined ? 0.2 : style.fillOpacity, 0.3)));
    stroke(dot, style, 2);
    svg.appendChild(area);
    svg.appendChild(dot);
    return svg;
  }

  // A viewpoint looking north: the cone above, the dot at the bottom.
  function viewpointSwatch(style) {
    var svg = swatchPicture();
    var colour = style.color || "#3388ff";
    var cone = document.createElementNS(SVG, "path");
    cone.setAttribute("d", "M12 12 L6.5 1.5 A12 12 0 0 1 17.5 1.5 Z");
    cone.setAttribute("fill", colour);
    cone.setAttribute("fill-opacity", "0.45");
    cone.setAttribute("stroke", colour);
    cone.setAttribute("stroke-width", "1");
    var dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", "12");
    dot.setAttribute("cy", "12");
    dot.setAttribute("r", "3.5");
    dot.setAttribute("fill", style.fillColor || colour);
    dot.setAttribute("stroke", "#ffffff");
    dot.setAttribute("stroke-width", "1");
    svg.appendChild(cone);
    svg.appendChild(dot);
    return svg;
  }

  function legendSwatch(spec, style) {
    if (spec.direction) {
      return viewpointSwatch(style);
    }
    return swatch(spec.legend, style);
  }

  function swatch(kind, style) {
    if (kind === "mixed") {
      return mixedSwatch(style);
    }
    var svg = swatchPicture();
    var shape;
    if (kind === "area") {
      shape = document.createElementNS(SVG, "rect");
      shape.setAttribute("x", "2");
      shape.setAttribute("y", "2");
      shape.setAttribute("width", "20");
      shape.setAttribute("height", "12");
      shape.setAttribute("fill", style.fillColor || style.color || "#3388ff");
      // Faint fills are drawn a little stronger, or the swatch would not show its colour.
      shape.setAttribute("fill-opacity", String(Math.max(style.fillOpacity === undefined ? 0.2 : style.fillOpacity, 0.3)));
    } else if (kind === "point") {
      shape = document.createElementNS(SVG, "circle");
      shape.setAttribute("cx", "12");
      shape.setAttribute("cy", "8");
      shape.setAttribute("r", String(Math.min(style.radius || 5, 6)));
      shape.setAttribute("fill", style.fillColor || style.color || "#3388ff");
      shape.setAttribute("fill-opacity", String(style.fillOpacity === undefined ? 0.2 : style.fillOpacity));
    } else {
      shape = document.createElementNS(SVG, "line");
      shape.setAttribute("x1", "1");
      shape.setAttribute("y1", "8");
      shape.setAttribute("x2", "23");
      shape.setAttribute("y2", "8");
    }
    stroke(shape, style, 4);
    svg.appendChild(shape);
    return svg;
  }

  // A hill lit from the north-west, as the relief is drawn: its sunny side pale, its far side grey.
  function reliefSwatch() {
    var svg = swatchPicture();
    [
      ["13,14 18,6 19,14", "#d4d4d4"],
      ["18,6 23,14 19,14", "#8c8c8c"],
      ["1,14 9,3 10,14", "#c4c4c4"],
      ["9,3 17,14 10,14", "#6e6e6e"]
    ].forEach(function (face) {
      var shape = document.createElementNS(SVG, "polygon");
      shape.setAttribute("points", face[0]);
      shape.setAttribute("fill", face[1]);
      svg.appendChild(shape);
    });
    return svg;
  }

  function checkboxRow(list, id, title, checked, onChange) {
    var item = L.DomUtil.create("li", "qala-layer", list);
    var input = L.DomUtil.create("input", "", item);
    input.type = "checkbox";
    input.id = id;
    input.checked = checked;
    var label = L.DomUtil.create("label", "", item);
    label.htmlFor = id;
    label.appendChild(title);
    input.addEventListener("change", function () {
      onChange(input.checked);
    });
    return item;
  }

  function shareFilters() {
    var params = new URLSearchParams();
    overlays.forEach(function (overlay) {
      Object.keys(overlay.filters).forEach(function (name) {
        if (overlay.filters[name]) {
          params.set(overlay.spec.name + "." + name, overlay.filters[name]);
        }
      });
    });
    var hash = params.toString();
    // replaceState: choosing filters is not a step the Back button should undo one by one.
    window.history.replaceState(null, "", window.location.pathname + window.location.search + (hash ? "#" + hash : ""));
  }

  // The filters of a layer, as labelled select boxes; a change reloads the layer.
  function filterGroup(item, overlay) {
    var spec = overlay.spec;
    var group = L.DomUtil.create("fieldset", "qala-filters", item);
    var legend = L.DomUtil.create("legend", "", group);
    legend.textContent = strings.filters;
    var context = L.DomUtil.create("span", "visually-hidden", legend);
    context.textContent = " — " + spec.title;
    spec.filters.forEach(function (filter) {
      var row = L.DomUtil.create("div", "qala-filter", group);
      var id = "qala-filter-" + spec.name + "-" + filter.name;
      var label = L.DomUtil.create("label", "", row);
      label.htmlFor = id;
      label.textContent = filter.label;
      var select = L.DomUtil.create("select", "", row);
      select.id = id;
      select.name = filter.name;
      filter.choices.forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice[0];
        option.textContent = choice[1];
        select.appendChild(option);
      });
      select.value = overlay.filters[filter.name] || "";
      select.addEventListener("change", function () {
        overlay.filters[filter.name] = select.value;
        overlay.loaded = null;
        announce("");
        shareFilters();
        refresh();
      });
    });
  }

  var LayerControl = L.Control.extend({
    options: {position: "topright"},

    onAdd: function () {
      var root = L.DomUtil.create("div", "leaflet-control qala-layers");
      L.DomEvent.disableClickPropagation(root);
      L.DomEvent.disableScrollPropagation(root);

      var toggle = L.DomUtil.create("button", "qala-layers-toggle", root);
      toggle.type = "button";
      toggle.textContent = strings.layers;
      toggle.title = strings.showLayers;
      toggle.setAttribute("aria-controls", "qala-layers-panel");

      var panel = L.DomUtil.create("div", "qala-layers-panel", root);
      panel.id = "qala-layers-panel";
      panel.setAttribute("role", "group");
      panel.setAttribute("aria-label", strings.layers);

      var list = L.DomUtil.create("ul", "qala-layer-list", panel);
      overlays.forEach(function (overlay) {
        var spec = overlay.spec;
        var title = document.createDocumentFragment();
        title.appendChild(legendSwatch(spec, spec.style));
        title.appendChild(document.createTextNode(spec.title));
        var item = checkboxRow(list, "qala-layer-" + spec.name, title, overlay.on, function (checked) {
          overlay.on = checked;
          refresh();
        });
        item.dataset.layer = spec.name;
        var hint = L.DomUtil.create("span", "qala-layer-hint", item);
        hint.id = "qala-layer-" + spec.name + "-hint";
        hint.textContent = strings.zoomInToSee;
        item.querySelector("input").setAttribute("aria-describedby", hint.id);
        if (spec.filters && spec.filters.length) {
          filterGroup(item, overlay);
        }
        if (spec.variants.length) {
          var variants = L.DomUtil.create("ul", "qala-variants", item);
          spec.variants.forEach(function (variant) {
            var entry = L.DomUtil.create("li", "", variants);
            entry.appendChild(legendSwatch(spec, Object.assign({}, spec.style, variant.style)));
            entry.appendChild(document.createTextNode(variant.title));
          });
        }
        overlay.row = {item: item, hint: hint};
      });

      // Listed between the vector layers and the base map, as they are drawn.
      rasters.forEach(function (raster) {
        var title = document.createDocumentFragment();
        title.appendChild(reliefSwatch());
        title.appendChild(document.createTextNode(raster.spec.title));
        checkboxRow(list, "qala-raster-" + raster.spec.name, title, raster.on, function (checked) {
          raster.on = checked;
          showRaster(raster);
        }).dataset.layer = raster.spec.name;
      });

      var baseTitle = document.createDocumentFragment();
      baseTitle.appendChild(document.createTextNode(strings.baseMap));
      checkboxRow(list, "qala-layer-base", baseTitle, true, function (checked) {
        if (checked) {
          baseLayer.addTo(map);
        } else {
          map.removeLayer(baseLayer);
        }
      }).classList.add("qala-layer-base");

      var sources = L.DomUtil.create("button", "qala-sources-button", panel);
      sources.type = "button";
      sources.textContent = strings.dataSources;
      sources.dataset.openDialog = "data-sources";

      status = L.DomUtil.create("p", "qala-layers-status", panel);
      status.setAttribute("role", "status");

      function setOpen(open) {
        panel.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
      }
      toggle.addEventListener("click", function () {
        setOpen(panel.hidden);
      });
      root.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && !panel.hidden) {
          setOpen(false);
          toggle.focus();
        }
      });
      // Open on a wide screen; on a phone the panel would cover the map.
      setOpen(window.matchMedia("(min-width: 48em)").matches);
      return root;
    }
  });
  new LayerControl().addTo(map);

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog && !dialog.open) {
        event.preventDefault();
        dialog.showModal();
      }
    }
  });

  rasters.forEach(showRaster);
  map.on("moveend", refresh);
  refresh();
})();
