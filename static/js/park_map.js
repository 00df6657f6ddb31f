/* The small maps of the park pages: the park list, a park's page, a concept's page and the comparison.
 *
 * QalaParkMap.create(element, config) draws a map from a page's JSON config (parks.views.map_base): the
 * base map, the reference layers under everything (static/js/reference_layers.js), the district outlines,
 * and returns {map, draw(features), fit(bounds)}. Each feature carries its own Leaflet style (the registry's
 * park and zone styles, parks.layers), a kind ("park", "entrance", "zone") that becomes a class of its
 * shape (qala-park-zone...), and a popup with its title, a link and a few details. A point is a round
 * marker. An element with data-park-map="<config id>" is drawn at once and fitted to config.bounds, or to
 * what it draws. The page's tables say in words what each map shows. */
(function () {
  "use strict";

  function popupContent(properties) {
    var content = document.createElement("div");
    var title = document.createElement("strong");
    if (properties.url) {
      var link = document.createElement("a");
      link.href = properties.url;
      link.textContent = properties.title;
      title.appendChild(link);
    } else {
      title.textContent = properties.title;
    }
    content.appendChild(title);
    (properties.details || []).forEach(function (text) {
      var line = document.createElement("div");
      line.className = "qala-popup-kind";
      line.textContent = text;
      content.appendChild(line);
    });
    return content;
  }

  function toBounds(pairs) {
    return pairs ? L.latLngBounds(pairs) : null;
  }

  function create(element, config) {
    var strings = config.strings || {};
    var map = L.map(element, {
      center: config.center || [0, 0],
      zoom: config.zoom || 12,
      zoomControl: false
    });
    L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
    L.control.scale({imperial: false, metric: true}).addTo(map);
    L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
    if (window.QalaReference) {
      QalaReference.add(map, config.reference);
    }
    var outlines = L.geoJSON(config.outlines || [], {
      className: "qala-district-outline",
      interactive: false,
      style: {color: "#5b4a9e", weight: 2, opacity: 0.9, fillColor: "#8c7bd1", fillOpacity: 0.06, dashArray: "6 4"}
    }).addTo(map);

    function draw(features) {
      return L.geoJSON(features || [], {
        className: "qala-park-feature",
        style: function (feature) {
          return Object.assign({lineCap: "round"}, feature.properties.style || {});
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, Object.assign({radius: 6, className: "qala-park-feature"}, feature.properties.style));
        },
        onEachFeature: function (feature, layer) {
          var kind = feature.properties.kind;
          if (kind) {
            layer.on("add", function () {
              var shape = layer.getElement && layer.getElement();
              if (shape) {
                shape.classList.add("qala-park-" + kind);
                if (feature.properties.purpose) {
                  shape.setAttribute("data-purpose", feature.properties.purpose);
                }
              }
            });
          }
          if (feature.properties.title) {
            layer.bindPopup(function () {
              return popupContent(feature.properties);
            });
          }
        }
      }).addTo(map);
    }

    function fit(bounds) {
      if (bounds && bounds.isValid()) {
        map.fitBounds(bounds, {maxZoom: 17, padding: [16, 16], animate: false});
      } else if (outlines.getLayers().length) {
        map.fitBounds(outlines.getBounds(), {padding: [12, 12], animate: false});
      }
    }

    return {map: map, draw: draw, fit: fit, outlines: outlines};
  }

  // Draws a config's features and fits the map to its bounds, or else to what it drew.
  function show(element, config) {
    var drawn = create(element, config);
    var features = drawn.draw(config.features);
    var bounds = toBounds(config.bounds);
    drawn.fit(bounds || (features.getLayers().length ? features.getBounds() : null));
    drawn.features = features;
    return drawn;
  }

  window.QalaParkMap = {create: create, show: show};

  Array.prototype.forEach.call(document.querySelectorAll("[data-park-map]"), function (element) {
    var configElement = document.getElementById(element.dataset.parkMap);
    if (!configElement || !window.L) {
      return;
    }
    element.qalaMap = show(element, JSON.parse(configElement.textContent));
  });
})();
