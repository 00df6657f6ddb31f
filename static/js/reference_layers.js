/* The city's reference layers (parks, rivers, roads, streets) drawn under a page's small map, so that
 * the map still reads when the base-map tiles cannot be loaded. Each layer comes from the registry's
 * GeoJSON by bounding box, in its own style, within its zoom range; nothing of it is clickable or
 * editable. Use: QalaReference.add(map, config.reference), where the page's config lists the layers
 * as gis_data.views.reference_layers describes them. Each layer's attribution line shows in the map's
 * attribution control while the layer is drawn; an entry with no "geojson" is only a credit (the district
 * outlines a page draws itself, gis_data.maps.map_base) and shows always. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var element = document.createElement("span");
    element.textContent = text || "";
    return element.innerHTML;
  }

  function add(map, entries) {
    if (!entries || !entries.length) {
      return;
    }
    entries.forEach(function (entry) {
      if (!entry.geojson && entry.attribution && map.attributionControl) {
        map.attributionControl.addAttribution(escapeHtml(entry.attribution));
      }
    });
    var specs = entries.filter(function (entry) { return entry.geojson; });
    if (!specs.length) {
      return;
    }
    // Between the base map (200) and the page's own drawings (overlayPane, 400).
    map.createPane("qala-reference").style.zIndex = "350";
    var layers = specs.map(function (spec) {
      var group = L.geoJSON(null, {
        pane: "qala-reference",
        attribution: escapeHtml(spec.attribution),
        interactive: false,
        pmIgnore: true,
        snapIgnore: true,
        className: "qala-reference qala-reference-" + spec.name,
        style: function () {
          return spec.style;
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, Object.assign({pane: "qala-reference", interactive: false}, spec.style));
        }
      });
      return {spec: spec, group: group, loaded: null, request: null};
    });

    function load(layer, bounds) {
      if (layer.request) {
        layer.request.abort();
      }
      var controller = new AbortController();
      layer.request = controller;
      var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
        .map(function (value) { return value.toFixed(4); }).join(",");
      fetch(layer.spec.geojson + "?bbox=" + bbox, {signal: controller.signal, headers: {Accept: "application/geo+json"}})
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (data) {
          layer.group.clearLayers();
          layer.group.addData(data);
          layer.loaded = bounds;
          layer.request = null;
        })
        .catch(function () {
          // The reference is a backdrop: without it the page's own drawing still stands.
          layer.request = null;
        });
    }

    function refresh() {
      var zoom = map.getZoom();
      var view = map.getBounds();
      layers.forEach(function (layer) {
        if (zoom < layer.spec.min_zoom || zoom > layer.spec.max_zoom) {
          map.removeLayer(layer.group);
          return;
        }
        map.addLayer(layer.group);
        if (!layer.loaded || !layer.loaded.contains(view)) {
          load(layer, view.pad(0.5));
        }
      });
    }

    map.on("moveend", refresh);
    refresh();
  }

  window.QalaReference = {add: add};
})();
