/* The small maps and the elevation charts of the corridor pages.
 *
 * QalaCorridorMap.create(element, config) draws a map from a page's JSON config (corridors.views.map_base):
 * the base map, the reference layers under everything (static/js/reference_layers.js), the district
 * outlines, and returns {map, draw(features), fit(bounds)}; each feature carries its own Leaflet style
 * (the registry's corridor and segment styles) and a popup with its title, a link and a few details.
 * An element with data-corridor-map="<config id>" (the corridor list, a corridor's page) is drawn at once.
 *
 * QalaCorridorMap.profileChart(canvas, profile, strings) draws an elevation profile with the vendored
 * Chart.js: distance in kilometres against elevation in metres, with null where the elevation model has
 * no data, drawn as a break in the line (spanGaps: false), never as a zero. The canvas is an image
 * labelled by the page's summary sentence, which, with the page's table, is its text alternative. */
(function () {
  "use strict";

  var language = (document.documentElement.lang || "en").slice(0, 2);
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

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

    function draw(features, options) {
      options = options || {};
      return L.geoJSON(features || [], {
        className: options.className || "qala-corridor-feature",
        interactive: options.interactive !== false,
        // A click on a line opens its popup; it does not pick a point of the route planner under it.
        bubblingMouseEvents: false,
        style: function (feature) {
          return Object.assign({lineCap: "round"}, feature.properties.style || {});
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, Object.assign({radius: 7, bubblingMouseEvents: false}, feature.properties.style));
        },
        onEachFeature: function (feature, layer) {
          if (feature.properties.title && options.interactive !== false) {
            layer.bindPopup(function () {
              return popupContent(feature.properties);
            });
          }
        }
      }).addTo(map);
    }

    function fit(bounds) {
      if (bounds && bounds.isValid()) {
        map.fitBounds(bounds, {maxZoom: 16, padding: [24, 24]});
      } else if (outlines.getLayers().length) {
        map.fitBounds(outlines.getBounds(), {padding: [12, 12]});
      }
    }

    return {map: map, draw: draw, fit: fit, outlines: outlines};
  }

  function formatNumber(value, decimals) {
    return Number(value).toLocaleString(language, {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
  }

  function profilePoints(profile) {
    return profile.distances.map(function (distance, index) {
      var elevation = profile.elevations[index];
      return {x: distance, y: elevation === null || elevation === undefined ? null : elevation};
    });
  }

  function profileChart(canvas, profile, strings) {
    var options = {
      locale: language,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      interaction: {mode: "nearest", axis: "x", intersect: false},
      plugins: {
        legend: {display: false},
        tooltip: {
          callbacks: {
            title: function () {
              return "";
            },
            label: function (item) {
              return strings.point
                .replace("{distance}", formatNumber(item.parsed.x, 2))
                .replace("{elevation}", formatNumber(item.parsed.y, 0));
            }
          }
        }
      },
      scales: {
        x: {
          type: "linear",
          min: 0,
          // The axis ends where the line does, not at the next round number.
          max: profile.distances.length ? profile.distances[profile.distances.length - 1] : undefined,
          title: {display: true, text: strings.distance, color: "#1c2421"},
          ticks: {color: "#1c2421"}
        },
        y: {
          title: {display: true, text: strings.elevation, color: "#1c2421"},
          ticks: {color: "#1c2421"}
        }
      }
    };
    if (reduceMotion) {
      options.animation = false;
    }
    return new Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: strings.dataset,
          data: profilePoints(profile),
          // The accent green of the site: 7:1 on white.
          borderColor: "#166534",
          backgroundColor: "rgba(22, 101, 52, 0.12)",
          borderWidth: 2,
          pointRadius: 0,
          pointHitRadius: 6,
          // No elevation data is a break in the line, not a slope down to zero.
          spanGaps: false,
          fill: false,
          tension: 0
        }]
      },
      options: options
    });
  }

  function updateProfileChart(chart, profile) {
    chart.data.datasets[0].data = profilePoints(profile);
    chart.options.scales.x.max = profile.distances.length ? profile.distances[profile.distances.length - 1] : undefined;
    chart.update();
  }

  // The "Data sources" link of a page's map opens its dialog (gis_data/_data_sources.html).
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

  window.QalaCorridorMap = {create: create, profileChart: profileChart, updateProfileChart: updateProfileChart};

  // The maps that only show what their config lists: the corridor list and a corridor's page.
  Array.prototype.forEach.call(document.querySelectorAll("[data-corridor-map]"), function (element) {
    var configElement = document.getElementById(element.dataset.corridorMap);
    if (!configElement || !window.L) {
      return;
    }
    var config = JSON.parse(configElement.textContent);
    var drawn = create(element, config);
    var features = drawn.draw(config.features);
    drawn.fit(features.getLayers().length ? features.getBounds() : null);
  });
})();
