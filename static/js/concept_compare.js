/* Two concepts of one park side by side: two maps (static/js/park_map.js) that move together.
 *
 * The page's "compare-maps-config" JSON holds one map config per side (parks.views.concept_compare), in the
 * order of the elements marked data-compare-map. Both maps open on the park; from then on, panning or
 * zooming either one (mouse, touch or the arrow and +/- keys of a focused map) moves the other to the
 * same centre and zoom, so the two plans are always seen over the same ground. The tables under the maps
 * say in words what they show. */
(function () {
  "use strict";

  var configElement = document.getElementById("compare-maps-config");
  var elements = document.querySelectorAll("[data-compare-map]");
  if (!configElement || !window.L || !window.QalaParkMap || elements.length !== 2) {
    return;
  }
  var configs = JSON.parse(configElement.textContent).maps;
  var drawn = Array.prototype.map.call(elements, function (element, index) {
    var shown = QalaParkMap.show(element, configs[index]);
    element.qalaMap = shown;
    return shown;
  });

  // While one map is being followed, the other's own moves are not sent back to it.
  var following = false;

  function follow(source, target) {
    source.on("move zoomend", function () {
      if (following) {
        return;
      }
      following = true;
      target.setView(source.getCenter(), source.getZoom(), {animate: false});
      following = false;
    });
  }

  follow(drawn[0].map, drawn[1].map);
  follow(drawn[1].map, drawn[0].map);
  // Both start on the same view, the first map's: stacked on a phone, the maps may differ in size.
  drawn[1].map.setView(drawn[0].map.getCenter(), drawn[0].map.getZoom(), {animate: false});
})();
