/* Before/after pairs (templates/photos/_pairs.html): the vendored img-comparison-slider made an ARIA slider.
 *
 * The component follows the mouse and a sideways swipe by itself. Its own keyboard control slides while an
 * arrow key is held, by animation frames, so a single press may not move it at all and only the left and
 * right arrows work; it also says nothing to a screen reader. Here the divider gets a role (in the template),
 * a value and a value text, and moves by steps: arrows 5 %, Page Up/Down 20 %, Home and End to either side.
 * The words ("Before", "After") come from the page, in its language.
 */
(function () {
  "use strict";

  var STEP = 5;
  var PAGE_STEP = 20;
  var percent;
  try {
    percent = new Intl.NumberFormat(document.documentElement.lang || undefined, {style: "percent"});
  } catch (error) {  // a language tag the browser does not know
    percent = new Intl.NumberFormat(undefined, {style: "percent"});
  }

  function clamp(value) {
    return Math.min(100, Math.max(0, value));
  }

  // What a screen reader says: how much of each photo shows ("Before 70%, After 30%").
  function describe(slider) {
    var value = Math.round(clamp(Number(slider.value)));
    slider.setAttribute("aria-valuenow", String(value));
    slider.setAttribute(
      "aria-valuetext",
      (slider.dataset.beforeLabel || "") + " " + percent.format(value / 100) + ", " +
        (slider.dataset.afterLabel || "") + " " + percent.format((100 - value) / 100)
    );
  }

  function keyTarget(key, value) {
    switch (key) {
      case "ArrowLeft":
      case "ArrowDown":
        return value - STEP;
      case "ArrowRight":
      case "ArrowUp":
        return value + STEP;
      case "PageDown":
        return value - PAGE_STEP;
      case "PageUp":
        return value + PAGE_STEP;
      case "Home":
        return 0;
      case "End":
        return 100;
      default:
        return null;
    }
  }

  function enhance(slider) {
    // The component's own keyboard handling is replaced by the steps below.
    slider.keyboard = "disabled";
    slider.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var target = keyTarget(event.key, Number(slider.value));
      if (target === null) {
        return;
      }
      event.preventDefault(); // the keys move the divider, not the page
      slider.value = clamp(Math.round(target));
      describe(slider);
    });
    slider.addEventListener("slide", function () {
      describe(slider);
    });
    describe(slider);
  }

  if (!window.customElements) {
    return; // the side-by-side photos stay (photos.css)
  }
  window.customElements.whenDefined("img-comparison-slider").then(function () {
    document.querySelectorAll("img-comparison-slider.photo-pair-slider").forEach(enhance);
  });
})();
