/* The route planner: pick a start and an end on the map (a click each, a drag to move them, or, with a
 * keyboard, the buttons that put them at the map's centre), then ask corridors:route_json for the
 * shortest and the gentlest route. Both are drawn, compared in a table (length, climb, descent, share on
 * green corridors) and the chosen one's elevation profile is charted. Points the network does not join
 * get the server's message and the nearest point the start reaches. Every word and number shown comes
 * from the page's "route-map-config" JSON or from the server's answer, in the page's language. */
(function () {
  "use strict";

  var element = document.getElementById("route-map");
  var configElement = document.getElementById("route-map-config");
  if (!element || !configElement || !window.L || !window.QalaCorridorMap) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var drawn = QalaCorridorMap.create(element, config);
  var map = drawn.map;
  // The published corridors, as a backdrop: a click on one still picks a point.
  drawn.draw(config.corridors, {interactive: false, className: "qala-corridor-context"});

  var status = document.getElementById("route-status");
  var results = document.getElementById("route-results");
  var message = document.getElementById("route-message");
  var found = document.getElementById("route-found");
  var body = document.getElementById("routes-body");
  var canvas = document.getElementById("route-chart");
  var summary = document.getElementById("route-profile-summary");
  var gap = document.getElementById("route-profile-gap");
  var centreStart = document.getElementById("route-centre-start");
  var centreEnd = document.getElementById("route-centre-end");
  var clear = document.getElementById("route-clear");
  var choices = document.querySelectorAll("input[name=route-profile]");

  var points = {start: null, end: null};
  var drawnRoutes = L.featureGroup().addTo(map);
  var routes = [];
  var chart = null;
  var request = null;

  function announce(text) {
    status.textContent = text;
  }

  function pin(which) {
    var label = which === "start" ? strings.start : strings.end;
    var text = document.createElement("span");
    text.className = "route-pin-label";
    text.textContent = label;
    return L.divIcon({
      className: "route-pin route-pin-" + which,
      html: text,
      iconSize: [0, 0],
      iconAnchor: [0, 0]
    });
  }

  function clearRoutes() {
    if (request) {
      request.abort();
      request = null;
    }
    drawnRoutes.clearLayers();
    routes = [];
    results.hidden = true;
    message.hidden = true;
    found.hidden = true;
  }

  function setPoint(which, latlng) {
    if (points[which]) {
      points[which].setLatLng(latlng);
    } else {
      points[which] = L.marker(latlng, {
        icon: pin(which),
        draggable: true,
        title: which === "start" ? strings.start : strings.end,
        keyboard: false
      }).addTo(map);
      points[which].on("dragend", function () {
        if (points.start && points.end) {
          search();
        }
      });
    }
    clear.hidden = false;
  }

  function removePoint(which) {
    if (points[which]) {
      map.removeLayer(points[which]);
      points[which] = null;
    }
  }

  function coordinates(marker) {
    var latlng = marker.getLatLng();
    return latlng.lng.toFixed(6) + "," + latlng.lat.toFixed(6);
  }

  function cell(row, text, header) {
    var item = document.createElement(header ? "th" : "td");
    if (header) {
      item.scope = "row";
    }
    item.textContent = text;
    row.appendChild(item);
  }

  function chosenRoute() {
    var value = "shortest";
    Array.prototype.forEach.call(choices, function (choice) {
      if (choice.checked) {
        value = choice.value;
      }
    });
    return routes.filter(function (route) {
      return route.key === value;
    })[0] || routes[0];
  }

  function showProfile() {
    var route = chosenRoute();
    if (!route) {
      return;
    }
    summary.textContent = route.profile.summary;
    gap.textContent = route.profile.gap || "";
    gap.hidden = !route.profile.gap;
    if (!window.Chart) {
      return;
    }
    if (chart) {
      QalaCorridorMap.updateProfileChart(chart, route.profile);
    } else {
      chart = QalaCorridorMap.profileChart(canvas, route.profile, config.chart);
    }
    canvas.dataset.route = route.key;
    canvas.dataset.points = String(route.profile.distances.length);
  }

  function showRoutes(data) {
    routes = data.routes;
    body.textContent = "";
    routes.forEach(function (route) {
      var row = document.createElement("tr");
      row.dataset.route = route.key;
      cell(row, route.title, true);
      cell(row, route.texts.length);
      cell(row, route.texts.climb);
      cell(row, route.texts.descent);
      cell(row, route.texts.green);
      body.appendChild(row);
      L.geoJSON(route.geometry, {
        className: "route-line route-line-" + route.key,
        interactive: false,
        style: config.styles[route.key]
      }).addTo(drawnRoutes);
    });
    results.hidden = false;
    message.hidden = true;
    found.hidden = false;
    showProfile();
    map.fitBounds(drawnRoutes.getBounds().extend(points.start.getLatLng()).extend(points.end.getLatLng()), {
      padding: [24, 24],
      maxZoom: 17
    });
    announce(strings.found);
  }

  function showUnconnected(data) {
    results.hidden = false;
    found.hidden = true;
    message.hidden = false;
    message.textContent = data.message;
    if (data.nearest) {
      var coordinates = data.nearest.coordinates;
      L.circleMarker([coordinates[1], coordinates[0]], Object.assign({className: "route-nearest", interactive: false},
        config.styles.nearest))
        .bindTooltip(strings.nearest, {permanent: true, direction: "top", className: "route-nearest-label"})
        .addTo(drawnRoutes);
    }
    announce(strings.notFound);
  }

  function showError(text) {
    results.hidden = false;
    found.hidden = true;
    message.hidden = false;
    message.textContent = text;
    announce(text);
  }

  function search() {
    clearRoutes();
    announce(strings.searching);
    var controller = new AbortController();
    request = controller;
    var url = config.routeUrl + "?from=" + encodeURIComponent(coordinates(points.start)) +
      "&to=" + encodeURIComponent(coordinates(points.end));
    fetch(url, {signal: controller.signal, headers: {Accept: "application/json"}})
      .then(function (response) {
        return response.json().then(function (data) {
          return {ok: response.ok, data: data};
        });
      })
      .then(function (answer) {
        request = null;
        if (!answer.ok) {
          showError(answer.data.error || strings.failed);
        } else if (answer.data.found) {
          showRoutes(answer.data);
        } else {
          showUnconnected(answer.data);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          request = null;
          showError(strings.failed);
        }
      });
  }

  function pick(which, latlng) {
    setPoint(which, latlng);
    if (points.start && points.end) {
      announce(strings.endSet);
      search();
    } else {
      clearRoutes();
      announce(which === "start" ? strings.startSet : strings.pickStart);
    }
  }

  map.on("click", function (event) {
    if (!points.start) {
      pick("start", event.latlng);
    } else if (!points.end) {
      pick("end", event.latlng);
    } else {
      // Both are set: a new click starts a new route from there.
      removePoint("end");
      pick("start", event.latlng);
    }
  });

  centreStart.addEventListener("click", function () {
    pick("start", map.getCenter());
  });
  centreEnd.addEventListener("click", function () {
    pick("end", map.getCenter());
  });
  clear.addEventListener("click", function () {
    removePoint("start");
    removePoint("end");
    clearRoutes();
    clear.hidden = true;
    announce(strings.cleared);
    centreStart.focus();
  });
  Array.prototype.forEach.call(choices, function (choice) {
    choice.addEventListener("change", showProfile);
  });

  centreStart.hidden = false;
  centreEnd.hidden = false;
})();
