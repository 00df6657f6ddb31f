/* The place of a contest entry, picked on a small map: a click or a tap puts the point (drag it to move it);
 * the keyboard path is to move the map with the arrow keys and put the point at the map's centre; a phone may
 * use its location. The form's GeoJSON textarea (#id_place) is the one source of truth: the map writes it, and
 * what is typed in it redraws the map. Every text comes from the "entry-map-config" JSON the page embeds. */
(function () {
  "use strict";

  var configElement = document.getElementById("entry-map-config");
  if (!configElement || !window.L) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var input = document.getElementById("id_place");
  var status = document.getElementById("entry-status");
  var centre = document.getElementById("entry-centre");
  var locate = document.getElementById("entry-locate");
  var clear = document.getElementById("entry-clear");

  function announce(text) {
    status.textContent = text || "";
  }

  var map = L.map("entry-map", {center: config.center, zoom: config.zoom, zoomControl: false});
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

  var marker = null;

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function describe(latlng) {
    return strings.picked.replace("%(lat)s", round(latlng.lat)).replace("%(lng)s", round(latlng.lng));
  }

  function write(latlng) {
    input.value = latlng
      ? JSON.stringify({type: "Point", coordinates: [round(latlng.lng), round(latlng.lat)]})
      : "";
    clear.hidden = !latlng;
    announce(latlng ? describe(latlng) : strings.removed);
  }

  function place(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, {draggable: true, title: strings.marker, alt: strings.marker, keyboard: false});
      marker.on("dragend", function () {
        write(marker.getLatLng());
      });
      marker.addTo(map);
    }
  }

  function remove() {
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
  }

  // The textarea's GeoJSON on the map; false (and the map left as it was) when it is not a point.
  function load() {
    var text = input.value.trim();
    if (!text) {
      remove();
      clear.hidden = true;
      return true;
    }
    try {
      var value = JSON.parse(text);
      var geometry = value && value.type === "Feature" ? value.geometry : value;
      if (!geometry || geometry.type !== "Point") {
        return false;
      }
      place(L.GeoJSON.coordsToLatLng(geometry.coordinates));
      clear.hidden = false;
      return true;
    } catch (error) {
      return false;
    }
  }

  map.on("click", function (event) {
    place(event.latlng);
    write(event.latlng);
  });

  centre.hidden = false;
  centre.addEventListener("click", function () {
    var latlng = map.getCenter();
    place(latlng);
    write(latlng);
  });

  if (navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      announce(strings.locating);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          place(latlng);
          map.setView(latlng, Math.max(map.getZoom(), 16));
          write(latlng);
        },
        function () {
          announce(strings.locateFailed);
        },
        {enableHighAccuracy: true, timeout: 15000}
      );
    });
  }

  clear.addEventListener("click", function () {
    remove();
    write(null);
    centre.focus();
  });

  input.addEventListener("change", function () {
    if (load()) {
      if (marker) {
        map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
        announce(describe(marker.getLatLng()));
      } else {
        announce(strings.removed);
      }
    } else {
      announce(strings.unreadable);
    }
  });

  if (load() && marker) {
    map.setView(marker.getLatLng(), 16);
  } else if (config.bounds) {
    map.fitBounds(config.bounds);
  }
})();
