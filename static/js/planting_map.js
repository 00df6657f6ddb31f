/* The maps of the planting pages: the list's plantings, and one planting with the place where the trees it
 * replaces were felled.
 *
 * An element with data-planting-map="<config id>" is drawn from the page's JSON config
 * (parks.planting_views.map_config): the base map, the reference layers under everything
 * (static/js/reference_layers.js) and the districts' outlines, then the config's features, each in its own Leaflet style, a point as a
 * circle, with a popup of its title (a link) and a few details. The page's tables are the text alternative. */
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

  function draw(element, config) {
    var strings = config.strings || {};
    var map = L.map(element, {center: config.center, zoom: config.zoom, zoomControl: false});
    L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
    L.control.scale({imperial: false, metric: true}).addTo(map);
    L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
    if (window.QalaReference) {
      QalaReference.add(map, config.reference);
    }
    var outlines = L.geoJSON(config.outlines || [], {
      className: "planting-district-outline",
      interactive: false,
      style: {color: "#5b4a9e", weight: 2, opacity: 0.9, fillColor: "#8c7bd1", fillOpacity: 0.06, dashArray: "6 4"}
    }).addTo(map);
    var features = L.geoJSON(config.features || [], {
      className: "planting-feature",
      style: function (feature) {
        return Object.assign({lineCap: "round"}, feature.properties.style || {});
      },
      pointToLayer: function (feature, latlng) {
        var style = feature.properties.style || {};
        var options = Object.assign({}, style, {radius: style.radius || 6});
        if (feature.properties.kind) {
          options.className = "planting-" + feature.properties.kind;
        }
        return L.circleMarker(latlng, options);
      },
      onEachFeature: function (feature, layer) {
        if (feature.properties.title) {
          layer.bindPopup(function () {
            return popupContent(feature.properties);
          });
        }
      }
    }).addTo(map);
    var bounds = features.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, {maxZoom: 16, padding: [24, 24]});
    } else if (outlines.getLayers().length) {
      map.fitBounds(outlines.getBounds(), {padding: [12, 12]});
    } else if (config.bounds) {
      map.fitBounds(config.bounds);
    }
    return map;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-planting-map]"), function (element) {
    var configElement = document.getElementById(element.dataset.plantingMap);
    if (!configElement || !window.L) {
      return;
    }
    draw(element, JSON.parse(configElement.textContent));
  });
})();
