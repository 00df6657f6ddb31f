/* The small maps of the project pages. On a project's page: the project, the places its photos were
 * taken from with the direction they look, and its districts. On "works near me": the chosen point,
 * the distance around it and the works found; a click on the map, the typed coordinates or the
 * browser's location choose the point. Everything the map draws, and every word it says, comes from
 * the page's "project-map-config" JSON. The district outlines are drawn under the rest, so that the
 * map still reads when the base-map tiles cannot be loaded. */
(function () {
  "use strict";

  var element = document.getElementById("project-map") || document.getElementById("near-map");
  var configElement = document.getElementById("project-map-config");
  if (!element || !configElement || !window.L) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings || {};
  var SVG = "http://www.w3.org/2000/svg";  // the SVG namespace, not a request

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
    style: {color: "#5b4a9e", weight: 2, opacity: 0.9, fillColor: "#8c7bd1", fillOpacity: 0.08, dashArray: "6 4"}
  }).addTo(map);

  function featureStyle(properties) {
    return {color: properties.color || "#6d4c41", weight: 5, opacity: 0.95, fillOpacity: 0.35};
  }

  function popupContent(properties) {
    var content = document.createElement("div");
    if (properties.url) {
      var link = document.createElement("a");
      link.href = properties.url;
      link.textContent = properties.title;
      content.appendChild(link);
    } else {
      var title = document.createElement("strong");
      title.textContent = properties.title;
      content.appendChild(title);
    }
    return content;
  }

  var features = L.geoJSON(config.features || [], {
    className: "qala-project-feature",
    // A click on a work opens its popup; it does not move the chosen point under it.
    bubblingMouseEvents: false,
    style: function (feature) {
      return featureStyle(feature.properties);
    },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, Object.assign(
        {radius: 8, className: "qala-project-feature", bubblingMouseEvents: false}, featureStyle(feature.properties)
      ));
    },
    onEachFeature: function (feature, layer) {
      layer.bindPopup(function () {
        return popupContent(feature.properties);
      });
    }
  }).addTo(map);

  // A photo's viewpoint: a dot where it was taken and, when the direction is known, a wedge looking that way.
  function photoIcon(photo) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 32 32");
    svg.setAttribute("width", "32");
    svg.setAttribute("height", "32");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    if (photo.bearing !== null && photo.bearing !== undefined) {
      var wedge = document.createElementNS(SVG, "path");
      wedge.setAttribute("d", "M16 16 L9 2 A15 15 0 0 1 23 2 Z");
      wedge.setAttribute("class", "qala-photo-wedge");
      wedge.setAttribute("transform", "rotate(" + Number(photo.bearing) + " 16 16)");
      svg.appendChild(wedge);
    }
    var dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", "16");
    dot.setAttribute("cy", "16");
    dot.setAttribute("r", "5");
    dot.setAttribute("class", "qala-photo-dot");
    svg.appendChild(dot);
    var holder = document.createElement("div");
    holder.appendChild(svg);
    return L.divIcon({
      className: "qala-photo-marker" + (photo.phase ? " qala-photo-" + photo.phase : ""),
      html: holder.innerHTML,
      iconSize: [32, 32],
      iconAnchor: [16, 16],
      popupAnchor: [0, -12]
    });
  }

  function photoPopup(photo) {
    var content = document.createElement("figure");
    content.className = "qala-photo-popup";
    if (photo.thumbnail) {
      var image = document.createElement("img");
      image.src = photo.thumbnail;
      image.alt = "";
      content.appendChild(image);
    }
    var caption = document.createElement("figcaption");
    caption.textContent = photo.label;
    content.appendChild(caption);
    return content;
  }

  var photos = L.featureGroup();
  (config.photos || []).forEach(function (photo) {
    var marker = L.marker([photo.lat, photo.lng], {icon: photoIcon(photo), title: photo.label, keyboard: true});
    marker.bindPopup(function () {
      return photoPopup(photo);
    });
    photos.addLayer(marker);
  });
  photos.addTo(map);
  // Leaflet names a marker only by its title; a label makes the focusable viewpoint read as what it is.
  photos.eachLayer(function (marker) {
    var icon = marker.getElement();
    if (icon) {
      icon.setAttribute("aria-label", marker.options.title);
    }
  });

  function fit(bounds) {
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, {maxZoom: 17, padding: [24, 24]});
    }
  }

  var drawn = L.latLngBounds([]);
  [features, photos].forEach(function (group) {
    if (group.getLayers().length) {
      drawn.extend(group.getBounds());
    }
  });

  if (!config.picker) {
    fit(drawn.isValid() ? drawn : outlines.getBounds());
    return;
  }

  // "Works near me": the point and the distance around it follow the form's fields, and the fields the map.
  var picker = config.picker;
  var latitude = document.getElementById(picker.latitude);
  var longitude = document.getElementById(picker.longitude);
  var distance = document.getElementById(picker.distance);
  var locate = document.getElementById(picker.locate);
  var status = document.getElementById(picker.status);
  var point = null;
  var circle = null;

  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function radius() {
    return Number(distance && distance.value) || picker.radius || 500;
  }

  function show(latlng) {
    if (!point) {
      circle = L.circle(latlng, {
        radius: radius(), color: picker.color, weight: 2, fillOpacity: 0.08, interactive: false,
        className: "qala-near-circle"
      }).addTo(map);
      point = L.circleMarker(latlng, {
        radius: 7, color: "#ffffff", weight: 3, fillColor: picker.color, fillOpacity: 1, interactive: false,
        className: "qala-near-point"
      }).addTo(map);
    } else {
      point.setLatLng(latlng);
      circle.setLatLng(latlng);
      circle.setRadius(radius());
    }
  }

  function fill(lat, lng) {
    latitude.value = lat.toFixed(6);
    longitude.value = lng.toFixed(6);
  }

  function fromFields() {
    var lat = parseFloat(String(latitude.value).replace(",", "."));
    var lng = parseFloat(String(longitude.value).replace(",", "."));
    if (isFinite(lat) && isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
      show([lat, lng]);
      return true;
    }
    return false;
  }

  map.on("click", function (event) {
    fill(event.latlng.lat, event.latlng.lng);
    show(event.latlng);
    announce(strings.picked);
  });
  latitude.addEventListener("input", fromFields);
  longitude.addEventListener("input", fromFields);
  if (distance) {
    distance.addEventListener("change", function () {
      if (circle) {
        circle.setRadius(radius());
      }
    });
  }

  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      announce(strings.locating);
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          locate.disabled = false;
          fill(position.coords.latitude, position.coords.longitude);
          show([position.coords.latitude, position.coords.longitude]);
          map.setView([position.coords.latitude, position.coords.longitude], Math.max(map.getZoom(), 15));
          announce(strings.located);
        },
        function () {
          locate.disabled = false;
          announce(strings.locateFailed);
        },
        {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
      );
    });
  }

  if (picker.point) {
    show(picker.point);
    fit(circle.getBounds().extend(drawn.isValid() ? drawn : circle.getBounds()));
  } else if (fromFields()) {
    fit(circle.getBounds());
  }
})();
