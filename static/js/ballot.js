/* A ballot's pages: the small map of each item, and the counters of the voting form.
 *
 * Small maps: every element marked data-item-map="<item id>" gets a Leaflet map of that item's drawing from
 * the page's "ballot-maps-config" JSON (participation.voting_views.small_maps_config): the park's or place's
 * outline thin, the shapes filled with their own colour, or, on the results pages (config.shades), every
 * shape in the green of the item's share. A ballot may list 25 items, so a map is made only when its card
 * comes near the screen. The maps are pictures: they take no focus, no scroll and no touch (the page scrolls
 * over them), and they are hidden from screen readers because the text under each says what it shows.
 * QalaBallotMaps.shade(id, colour) recolours one item's map (the projector does it on every update).
 *
 * The form (when "ballot-form-config" is on the page): approval counts the items chosen against the most
 * allowed; points shows the − and + buttons (the number fields work without them, and without JavaScript)
 * and counts the points left in a live region. The server checks everything again; nothing here refuses. */
(function () {
  "use strict";

  var CASING = "#1c2421";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return values[name] !== undefined ? String(values[name]) : match;
    });
  }

  function isLine(feature) {
    return feature.geometry && feature.geometry.type.indexOf("LineString") !== -1;
  }

  function isOutline(feature) {
    return (feature.properties || {}).role === "outline";
  }

  // The drawing's own colours on the ballot; the share's green on the results (``shade`` set).
  function styleOf(feature, shade) {
    var colour = shade || (feature.properties || {}).colour || "#166534";
    if (isOutline(feature)) {
      return shade
        ? {color: CASING, weight: 1, opacity: 0.8, fillColor: shade, fillOpacity: 0.35}
        : {color: colour, weight: 1.5, opacity: 0.9, fillColor: colour, fillOpacity: 0.04};
    }
    if (isLine(feature)) {
      return {color: colour, weight: shade ? 5 : 4, opacity: 1, lineCap: "round"};
    }
    return {color: shade ? CASING : colour, weight: 1, opacity: 0.9, fillColor: colour, fillOpacity: shade ? 0.9 : 0.6};
  }

  // Links of the attribution must not take focus inside a map hidden from screen readers.
  function untab(element) {
    Array.prototype.forEach.call(element.querySelectorAll("a, button"), function (control) {
      control.setAttribute("tabindex", "-1");
    });
  }

  var configElement = document.getElementById("ballot-maps-config");
  var config = configElement ? JSON.parse(configElement.textContent) : null;
  var drawn = {};

  function drawMap(element) {
    var id = element.getAttribute("data-item-map");
    var features = (config.items || {})[id];
    if (!features || drawn[id]) {
      return;
    }
    var map = L.map(element, {
      center: config.center || [0, 0],
      zoom: config.zoom || 12,
      zoomControl: false,
      dragging: false,
      touchZoom: false,
      doubleClickZoom: false,
      scrollWheelZoom: false,
      boxZoom: false,
      keyboard: false,
      tap: false,
      zoomSnap: 0.25
    });
    map.on("layeradd", function () {
      untab(element);
    });
    L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 19}).addTo(map);
    var shade = config.shades ? config.shades[id] : null;
    // Under the lines of a shaded map, a dark casing: a pale green line still reads on the light base map.
    var casing = L.geoJSON(shade ? features.filter(isLine) : [], {
      interactive: false,
      style: function () {
        return {color: CASING, weight: 8, opacity: 0.7, lineCap: "round"};
      }
    }).addTo(map);
    var group = L.geoJSON(features, {
      interactive: false,
      style: function (feature) {
        return styleOf(feature, shade);
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, Object.assign({radius: 6, interactive: false}, styleOf(feature, shade)));
      }
    }).addTo(map);
    var bounds = group.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, {maxZoom: 17, padding: [10, 10], animate: false});
    }
    untab(element);
    element.classList.add("ballot-item-map-drawn");
    drawn[id] = {map: map, group: group, casing: casing};
    element.qalaMap = drawn[id];
  }

  function shadeItem(id, colour) {
    id = String(id);
    if (config && config.shades) {
      config.shades[id] = colour;
    }
    var entry = drawn[id];
    if (!entry) {
      return;
    }
    entry.group.setStyle(function (feature) {
      return styleOf(feature, colour);
    });
    var element = entry.map.getContainer();
    element.setAttribute("data-shade", colour);
  }

  var mapElements = document.querySelectorAll("[data-item-map]");
  if (config && window.L && mapElements.length) {
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            drawMap(entry.target);
          }
        });
      }, {rootMargin: "300px 0px"});
      Array.prototype.forEach.call(mapElements, function (element) {
        observer.observe(element);
      });
    } else {
      Array.prototype.forEach.call(mapElements, drawMap);
    }
  }

  window.QalaBallotMaps = {shade: shadeItem, drawn: drawn, config: config};

  // The error summary, when the vote was refused, is where a keyboard user starts.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // The voting form.
  var form = document.getElementById("ballot-form");
  var formConfigElement = document.getElementById("ballot-form-config");
  if (!form || !formConfigElement) {
    return;
  }
  var settings = JSON.parse(formConfigElement.textContent);
  var strings = settings.strings;
  var counter = document.getElementById("ballot-counter");

  function markCard(input, marked) {
    var card = input.closest(".ballot-item");
    if (card) {
      card.classList.toggle("ballot-item-marked", marked);
    }
  }

  if (settings.method === "single") {
    form.addEventListener("change", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input[name=choice]"), function (radio) {
        markCard(radio, radio.checked);
      });
    });
    return;
  }

  if (settings.method === "approval") {
    var boxes = form.querySelectorAll("input[name=item]");
    var countChosen = function () {
      var chosen = 0;
      Array.prototype.forEach.call(boxes, function (box) {
        markCard(box, box.checked);
        chosen += box.checked ? 1 : 0;
      });
      var most = settings.maxChoices;
      var over = chosen > most;
      counter.textContent = over
        ? fill(strings.tooMany, {count: chosen, most: most, over: chosen - most})
        : fill(strings.chosen, {count: chosen, most: most});
      counter.classList.toggle("ballot-counter-over", over);
    };
    form.addEventListener("change", countChosen);
    countChosen();
    return;
  }

  // Points.
  var inputs = form.querySelectorAll("input[type=number]");
  var total = settings.pointsTotal;
  var most = settings.pointsPerItem;

  function valueOf(input) {
    var value = parseInt(input.value, 10);
    return isNaN(value) || value < 0 ? 0 : value;
  }

  function pointsLeft() {
    var spent = 0;
    Array.prototype.forEach.call(inputs, function (input) {
      spent += valueOf(input);
    });
    return total - spent;
  }

  function update() {
    var left = pointsLeft();
    Array.prototype.forEach.call(inputs, function (input) {
      var value = valueOf(input);
      markCard(input, value > 0);
      var buttons = form.querySelectorAll('[data-for="' + input.id + '"]');
      Array.prototype.forEach.call(buttons, function (button) {
        var step = parseInt(button.getAttribute("data-step"), 10);
        var blocked = step < 0 ? value <= 0 : value >= most || left <= 0;
        button.setAttribute("aria-disabled", blocked ? "true" : "false");
      });
    });
    counter.textContent = left >= 0
      ? fill(strings.pointsLeft, {left: left, total: total})
      : fill(strings.pointsOver, {over: -left});
    counter.classList.toggle("ballot-counter-over", left < 0);
  }

  Array.prototype.forEach.call(form.querySelectorAll(".stepper-button"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-for"));
      var value = valueOf(input);
      if (parseInt(button.getAttribute("data-step"), 10) < 0) {
        input.value = String(Math.max(0, value - 1));
        update();
        return;
      }
      if (value >= most) {
        counter.textContent = fill(strings.itemFull, {title: input.getAttribute("data-title"), most: most});
        return;
      }
      if (pointsLeft() <= 0) {
        counter.textContent = strings.noneLeft;
        return;
      }
      input.value = String(value + 1);
      update();
    });
  });
  form.addEventListener("input", update);
  update();
})();
