/* The map of the proposal form: the resident draws one point, line or polygon with Leaflet-Geoman
 * (a new shape replaces the old one), or uses their location, or puts a point at the map's centre
 * (the keyboard path). The city's reference layers and what exists already (projects, other
 * proposals) are drawn underneath, and after each drawing "Near your place" lists what lies close
 * by, from nearby.json. The form's hidden GeoJSON input (#id_geom) is the one source of truth.
 * Every URL and text comes from the "proposal-editor-config" JSON the page embeds. */
(function () {
  "use strict";

  var configElement = document.getElementById("proposal-editor-config");
  if (!configElement || !window.L) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var input = document.getElementById("id_geom");
  var status = document.getElementById("proposal-status");
  var results = document.getElementById("nearby-results");
  var locate = document.getElementById("proposal-locate");
  var centre = document.getElementById("proposal-centre");
  var form = document.getElementById("proposal-form");
  var submit = document.getElementById("proposal-submit");

  function announce(text) {
    status.textContent = text || "";
  }

  var map = L.map("proposal-map", {center: config.center, zoom: config.zoom, zoomControl: false});
  L.control.zoom({zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut}).addTo(map);
  L.control.scale({imperial: false, metric: true}).addTo(map);
  L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
  if (window.QalaReference) {
    QalaReference.add(map, config.reference);
  }

  // The one shape of the proposal.
  var drawn = L.featureGroup().addTo(map);
  map.pm.setGlobalOptions({layerGroup: drawn, snappable: true, snapDistance: 15});

  function shape() {
    var layers = drawn.getLayers();
    return layers.length ? layers[layers.length - 1] : null;
  }

  function geometry() {
    var layer = shape();
    return layer ? layer.toGeoJSON().geometry : null;
  }

  // Nearby: what lies within a few hundred metres of the drawing, asked for once the drawing settles.
  var nearbyRequest = null;
  var nearbyTimer = null;

  function item(entry) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = entry.url;
    link.textContent = entry.title;  // text, never HTML: a title is what a resident typed
    li.appendChild(link);
    var meta = document.createElement("span");
    meta.className = "nearby-meta";
    meta.textContent = " · " + entry.status + " · " + strings.distance.replace("%(distance)s", entry.distance_m);
    li.appendChild(meta);
    return li;
  }

  function group(title, entries) {
    var section = document.createElement("div");
    var heading = document.createElement("h3");
    heading.textContent = title;
    section.appendChild(heading);
    var list = document.createElement("ul");
    list.className = "nearby-list";
    entries.forEach(function (entry) {
      list.appendChild(item(entry));
    });
    section.appendChild(list);
    return section;
  }

  function say(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  function showNearby(data) {
    results.replaceChildren();
    if (!data.projects.length && !data.proposals.length) {
      results.appendChild(say(strings.nearbyNone));
      return;
    }
    results.appendChild(say(strings.nearbyFound));
    if (data.projects.length) {
      results.appendChild(group(strings.projects, data.projects));
    }
    if (data.proposals.length) {
      results.appendChild(group(strings.proposals, data.proposals));
      results.appendChild(say(strings.supportHint));
    }
  }

  function loadNearby() {
    var value = geometry();
    if (nearbyRequest) {
      nearbyRequest.abort();
      nearbyRequest = null;
    }
    if (!value) {
      results.replaceChildren();
      return;
    }
    var controller = new AbortController();
    nearbyRequest = controller;
    results.replaceChildren(say(strings.nearbyLoading));
    fetch(config.nearby + "?geom=" + encodeURIComponent(JSON.stringify(value)), {
      signal: controller.signal,
      headers: {Accept: "application/json"},
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return {ok: response.ok, data: data};
        });
      })
      .then(function (answer) {
        nearbyRequest = null;
        if (answer.ok) {
          showNearby(answer.data);
        } else {
          results.replaceChildren(say(answer.data.error || strings.nearbyFailed));
        }
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        nearbyRequest = null;
        results.replaceChildren(say(strings.nearbyFailed));
      });
  }

  function changed(message) {
    var value = geometry();
    input.value = value ? JSON.stringify(value) : "";
    announce(message || (value ? strings.drawn[value.type] : strings.emptied));
    window.clearTimeout(nearbyTimer);
    nearbyTimer = window.setTimeout(loadNearby, 300);
  }

  function watch(layer) {
    layer.on("pm:edit pm:dragend", function () {
      changed();
    });
  }

  // A proposal has one place: anything drawn before goes.
  function replaceWith(layer) {
    var replaced = false;
    drawn.getLayers().forEach(function (other) {
      if (other !== layer) {
        drawn.removeLayer(other);
        replaced = true;
      }
    });
    if (!drawn.hasLayer(layer)) {
      drawn.addLayer(layer);
    }
    watch(layer);
    return replaced;
  }

  map.on("pm:create", function (event) {
    var replaced = replaceWith(event.layer);
    var value = geometry();
    changed(replaced ? strings.replaced + " " + strings.drawn[value.type] : null);
  });

  map.on("pm:remove", function (event) {
    drawn.removeLayer(event.layer);
    changed();
  });

  function placePoint(latlng, message) {
    replaceWith(L.marker(latlng));
    changed(message);
  }

  // A geometry the page came back with (a form with errors) is drawn again.
  function layerFor(value) {
    switch (value && value.type) {
      case "Point":
        return L.marker(L.GeoJSON.coordsToLatLng(value.coordinates));
      case "LineString":
        return L.polyline(L.GeoJSON.coordsToLatLngs(value.coordinates, 0));
      case "Polygon":
        return L.polygon(L.GeoJSON.coordsToLatLngs(value.coordinates, 1));
      default:
        return null;
    }
  }

  function restore() {
    var text = input.value.trim();
    if (!text) {
      return false;
    }
    var layer = null;
    try {
      layer = layerFor(JSON.parse(text));
    } catch (error) {
      layer = null;
    }
    if (!layer) {
      return false;
    }
    replaceWith(layer);
    var bounds = drawn.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, {maxZoom: 17, padding: [24, 24]});
    }
    loadNearby();
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

  // "Use my location": the browser's position becomes the place (a point).
  locate.hidden = false;
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) {
      announce(strings.locateUnsupported);
      return;
    }
    announce(strings.locating);
    locate.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        locate.disabled = false;
        var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom(), 16));
        placePoint(latlng, strings.located);
      },
      function (error) {
        locate.disabled = false;
        announce(error && error.code === 1 ? strings.locateDenied : strings.locateUnavailable);
      },
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000}
    );
  });

  // The keyboard path: the arrow keys move the focused map, this button puts the point at its centre.
  centre.hidden = false;
  centre.addEventListener("click", function () {
    placePoint(map.getCenter(), strings.centred);
  });

  // "It is not about this": the link to the blank form works without script; with it, nothing typed is lost.
  var aboutDrop = document.getElementById("proposal-about-drop");
  if (aboutDrop) {
    aboutDrop.addEventListener("click", function (event) {
      event.preventDefault();
      document.getElementById("id_subject").value = "";
      document.getElementById("proposal-about").remove();
      announce(strings.aboutDropped);
    });
  }

  // One click, one proposal: the button is disabled after the first submit (the server's key is the real guard).
  var sent = false;
  var submitText = submit.textContent;
  form.addEventListener("submit", function (event) {
    if (sent) {
      event.preventDefault();
      return;
    }
    sent = true;
    submit.disabled = true;
    submit.textContent = strings.sending;
  });
  window.addEventListener("pageshow", function (event) {
    // Back to a page the browser kept: it may be sent again (the server returns the same proposal).
    if (event.persisted) {
      sent = false;
      submit.disabled = false;
      submit.textContent = submitText;
    }
  });

  restore();
})();
