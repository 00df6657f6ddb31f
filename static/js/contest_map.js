/* The maps of contest pages: the entries with a place, as round markers with a popup (the beginning of the
 * idea, a link to the entry, its author), over the base map and the city's reference layers.
 *
 * An element with data-contest-map="<config id>" is drawn from that JSON config (participation.contest_views
 * map_config: gis_data.maps.map_base plus "features" and "colour") and fitted to what it draws, or to the
 * city. Texts come from the config; what a resident wrote is put in as text, never as HTML. The page lists
 * the same entries in words under the map. */
(function () {
  "use strict";

  function popupContent(properties) {
    var content = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.title;
    content.appendChild(link);
    (properties.details || []).forEach(function (text) {
      var line = document.createElement("div");
      line.className = "qala-popup-kind";
      line.textContent = text;
      content.appendChild(line);
    });
    return content;
  }

  function show(element, config) {
    var strings = config.strings || {};
    var map = L.map(element, {center: config.center, zoom: config.zoom, zoomControl: false});
    L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
    L.control.scale({imperial: false, metric: true}).addTo(map);
    L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
    if (window.QalaReference) {
      QalaReference.add(map, config.reference);
    }

    // The district outlines under everything: the map still reads when the base-map tiles cannot be loaded.
    L.geoJSON(config.outlines || [], {
      interactive: false,
      className: "qala-district-outline",
      style: {color: "#5b4a9e", weight: 2, opacity: 0.9, fillColor: "#8c7bd1", fillOpacity: 0.06, dashArray: "6 4"}
    }).addTo(map);
    var entries = L.geoJSON(config.features || [], {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 8,
          color: "#ffffff",
          weight: 2,
          fillColor: config.colour,
          fillOpacity: 0.95,
          className: "contest-entry-marker"
        });
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () {
          return popupContent(feature.properties);
        });
      }
    }).addTo(map);
    if (entries.getLayers().length) {
      map.fitBounds(entries.getBounds(), {maxZoom: 16, padding: [24, 24], animate: false});
    } else if (config.bounds) {
      map.fitBounds(config.bounds, {animate: false});
    }
    return {map: map, entries: entries};
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-contest-map]"), function (element) {
    var configElement = document.getElementById(element.dataset.contestMap);
    if (!configElement || !window.L) {
      return;
    }
    element.qalaMap = show(element, JSON.parse(configElement.textContent));
  });
})();
