/* The park access page: the map of districts shaded by their share within the walking distance, the parks,
 * and the what-if panel.
 *
 * The map is QalaParkMap's (static/js/park_map.js), drawn from the page's "access-map-config" JSON. The
 * what-if park is drawn with the vendored Leaflet-Geoman (polygon or rectangle, one at a time), or taken from
 * a chosen concept; the form is posted to parks:what_if (CSRF token in the X-CSRFToken header) and the answer
 * fills the live region (#what-if-result) and the table's last column. Staff who may see the population
 * cells can load those outside the walking distance (parks:outside). The page's table says in numbers what
 * the map shows in colours. */
(function () {
  "use strict";

  var element = document.getElementById("access-map");
  var configElement = document.getElementById("access-map-config");
  if (!element || !configElement || !window.L || !window.QalaParkMap) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var drawn = QalaParkMap.create(element, config);
  var map = drawn.map;
  element.qalaMap = drawn; // as park_map.js does: the browser tests find the map's points through it
  var features = drawn.draw(config.features);
  drawn.fit(features.getLayers().length ? features.getBounds() : null);

  var form = document.getElementById("what-if-form");
  var select = document.getElementById("what-if-concept");
  var result = document.getElementById("what-if-result");
  var errors = document.getElementById("what-if-errors");
  var drawnNote = document.getElementById("what-if-drawn");
  var clearButton = document.getElementById("what-if-clear");
  var whatIfLayer = null; // the concept's footprint as the server returned it
  var drawnLayer = null; // the park drawn by the visitor

  function showWhatIf(featureData) {
    if (whatIfLayer) {
      map.removeLayer(whatIfLayer);
      whatIfLayer = null;
    }
    if (featureData) {
      whatIfLayer = L.geoJSON(featureData, {pmIgnore: true, interactive: false, style: config.whatIfStyle}).addTo(map);
    }
  }

  function forgetDrawn() {
    if (drawnLayer) {
      map.removeLayer(drawnLayer);
      drawnLayer = null;
    }
    drawnNote.hidden = true;
    clearButton.hidden = true;
  }

  if (config.whatIf) {
    showWhatIf(config.whatIf);
  }

  // Drawing: a polygon or a rectangle, one at a time; drawing one sets the concept aside.
  if (map.pm) {
    map.pm.setLang(language, config.geoman, "en");
    map.pm.setGlobalOptions({pathOptions: config.whatIfStyle, templineStyle: config.whatIfStyle});
    map.pm.addControls({
      position: "topleft",
      drawMarker: false,
      drawCircleMarker: false,
      drawPolyline: false,
      drawCircle: false,
      drawText: false,
      cutPolygon: false,
      rotateMode: false,
      dragMode: false,
      editMode: true,
      removalMode: true,
      drawPolygon: true,
      drawRectangle: true
    });
    // Geoman puts the title on the button's container; the button itself needs the name.
    Array.prototype.forEach.call(element.querySelectorAll(".leaflet-pm-toolbar .button-container"), function (item) {
      var button = item.querySelector("a.leaflet-buttons-control-button");
      if (button && item.title) {
        button.setAttribute("aria-label", item.title);
        button.setAttribute("role", "button");
      }
    });
    map.on("pm:create", function (event) {
      forgetDrawn();
      showWhatIf(null);
      drawnLayer = event.layer;
      drawnLayer.on("pm:edit", function () {
        drawnNote.hidden = false;
      });
      select.value = "";
      drawnNote.hidden = false;
      clearButton.hidden = false;
    });
    map.on("pm:remove", function (event) {
      if (event.layer === drawnLayer) {
        drawnLayer = null;
        drawnNote.hidden = true;
        clearButton.hidden = true;
      }
    });
  }

  clearButton.addEventListener("click", function () {
    forgetDrawn();
    select.focus();
  });

  select.addEventListener("change", function () {
    if (select.value) {
      forgetDrawn();
    }
    showWhatIf(null);
  });

  function showErrors(messages) {
    errors.textContent = "";
    var list = document.createElement("ul");
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    errors.appendChild(list);
    errors.hidden = false;
  }

  function clearChanges() {
    Array.prototype.forEach.call(document.querySelectorAll("#access-table .access-change"), function (cell) {
      cell.textContent = "—";
    });
  }

  function showChange(answer) {
    result.textContent = answer.sentence;
    var byDistrict = {};
    answer.districts.forEach(function (row) {
      byDistrict[String(row.id)] = row.change;
    });
    Array.prototype.forEach.call(document.querySelectorAll("#access-table tbody tr[data-district]"), function (row) {
      var cell = row.querySelector(".access-change");
      cell.textContent = byDistrict[row.dataset.district] || "—";
    });
    document.getElementById("access-total-change").textContent = answer.sentence;
    showWhatIf(answer.park);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errors.hidden = true;
    errors.textContent = "";
    var body = new FormData();
    if (select.value) {
      body.append("concept", select.value);
    } else if (drawnLayer) {
      body.append("boundary", JSON.stringify(drawnLayer.toGeoJSON().geometry));
    } else {
      showErrors([strings.drawFirst]);
      return;
    }
    result.textContent = strings.computing;
    clearChanges();
    fetch(form.dataset.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"X-CSRFToken": form.dataset.csrf, Accept: "application/json"}
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          return {ok: response.ok, answer: answer};
        });
      })
      .then(function (reply) {
        if (reply.ok) {
          showChange(reply.answer);
        } else {
          result.textContent = "";
          var messages = [];
          Object.keys(reply.answer.errors || {}).forEach(function (field) {
            messages = messages.concat(reply.answer.errors[field]);
          });
          showErrors(messages.length ? messages : [strings.failed]);
        }
      })
      .catch(function () {
        result.textContent = "";
        showErrors([strings.failed]);
      });
  });

  // Staff: the population cells outside the walking distance, loaded once when first asked for.
  var outside = document.getElementById("access-outside");
  if (outside) {
    var status = document.getElementById("access-outside-status");
    var cells = null;
    outside.disabled = false;
    outside.addEventListener("change", function () {
      if (!outside.checked) {
        if (cells) {
          map.removeLayer(cells);
        }
        return;
      }
      if (cells) {
        cells.addTo(map);
        return;
      }
      status.textContent = strings.loading;
      fetch(outside.dataset.url, {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (collection) {
          cells = L.geoJSON(collection, {
            pmIgnore: true,
            interactive: false,
            className: "access-outside-cell",
            style: config.outsideStyle
          });
          if (outside.checked) {
            cells.addTo(map);
            cells.bringToBack();
          }
          status.textContent = "";
        })
        .catch(function () {
          status.textContent = strings.loadFailed;
          outside.checked = false;
        });
    });
  }

  // The "Data sources" link opens its dialog (gis_data/_data_sources.html).
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
})();
