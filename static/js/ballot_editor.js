/* The ballot form, made easier (it works without this script: checkboxes and position numbers).
 *
 * - The method's numbers: only those the chosen method needs are shown (k for approval; N and m for points).
 * - The picker: a filter box over the records of every kind (title, park, number), each kind saying how many
 *   it shows.
 * - The order: choosing a record adds it at the end of the order list, un-choosing removes it; each entry gets
 *   Up, Down and Remove buttons; the position numbers follow the list, and typing a number moves the entry.
 *   Each change is announced in a status line. Every text comes from the "ballot-editor-strings" JSON. */
(function () {
  "use strict";

  var strings = JSON.parse(document.getElementById("ballot-editor-strings").textContent);
  var form = document.getElementById("ballot-form");
  if (!form) {
    return;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s|%%/g, function (match, key) {
      return key ? String(values[key]) : "%";
    });
  }

  // The method's numbers -----------------------------------------------------------------------------------

  var methodInputs = form.querySelectorAll("input[name='method']");
  var numberBoxes = form.querySelectorAll(".method-numbers[data-method]");

  function showNumbers() {
    var chosen = "";
    methodInputs.forEach(function (input) {
      if (input.checked) {
        chosen = input.value;
      }
    });
    numberBoxes.forEach(function (box) {
      // A box with a problem stays visible, so that the message is seen.
      box.hidden = box.getAttribute("data-method") !== chosen && !box.querySelector(".field-invalid");
    });
  }

  methodInputs.forEach(function (input) {
    input.addEventListener("change", showNumbers);
  });
  showNumbers();

  // The picker's filter ------------------------------------------------------------------------------------

  var filterBox = document.getElementById("item-filter");
  var filterInput = document.getElementById("item-filter-input");
  var filterStatus = document.getElementById("item-filter-status");
  var groups = form.querySelectorAll(".item-group");

  function applyFilter() {
    var words = filterInput.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    var shownAll = 0;
    groups.forEach(function (group) {
      var choices = group.querySelectorAll(".item-choice");
      var shown = 0;
      choices.forEach(function (choice) {
        var haystack = choice.getAttribute("data-search") || "";
        var match = words.every(function (word) {
          return haystack.indexOf(word) !== -1;
        });
        choice.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      shownAll += shown;
      var count = group.querySelector(".item-group-count");
      if (count) {
        count.textContent = words.length
          ? "(" + format(strings.filterCount, {shown: shown, total: choices.length}) + ")"
          : "(" + choices.length + ")";
      }
    });
    if (!words.length) {
      filterStatus.textContent = "";
    } else if (!shownAll) {
      filterStatus.textContent = format(strings.noMatch, {text: filterInput.value.trim()});
    } else {
      filterStatus.textContent = format(strings.filterCount, {shown: shownAll, total: form.querySelectorAll(".item-choice").length});
    }
  }

  if (filterBox && filterInput) {
    filterBox.hidden = false;
    filterInput.addEventListener("input", applyFilter);
    // Enter in the filter box filters; it does not send the form.
    filterInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }

  // The order ----------------------------------------------------------------------------------------------

  var order = document.getElementById("item-order");
  var orderStatus = document.getElementById("item-order-status");
  if (!order) {
    return;
  }

  function checkboxFor(key) {
    var found = null;
    form.querySelectorAll("input[name='items']").forEach(function (input) {
      if (input.value === key) {
        found = input;
      }
    });
    return found;
  }

  function titleOf(entry) {
    var title = entry.querySelector(".item-title");
    return title ? title.textContent : "";
  }

  function entries() {
    return Array.prototype.slice.call(order.querySelectorAll(".item-order-entry"));
  }

  function say(message) {
    orderStatus.textContent = message + " " + format(strings.chosenCount, {count: entries().length});
  }

  function renumber() {
    var all = entries();
    all.forEach(function (entry, index) {
      var input = entry.querySelector(".item-position-input");
      if (input) {
        input.value = String(index + 1);
      }
      var up = entry.querySelector(".item-up");
      var down = entry.querySelector(".item-down");
      if (up) {
        up.disabled = index === 0;
      }
      if (down) {
        down.disabled = index === all.length - 1;
      }
    });
  }

  function button(className, label, text, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button button-secondary item-move " + className;
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.addEventListener("click", onClick);
    return element;
  }

  function position(entry) {
    return entries().indexOf(entry) + 1;
  }

  function move(entry, by) {
    var all = entries();
    var index = all.indexOf(entry);
    var target = index + by;
    if (target < 0 || target >= all.length) {
      return;
    }
    if (by < 0) {
      order.insertBefore(entry, all[target]);
    } else {
      order.insertBefore(entry, all[target].nextSibling);
    }
    renumber();
    var focus = entry.querySelector(by < 0 ? ".item-up" : ".item-down");
    if (focus && focus.disabled) {
      focus = entry.querySelector(by < 0 ? ".item-down" : ".item-up");
    }
    if (focus) {
      focus.focus();
    }
    say(format(strings.moved, {title: titleOf(entry), position: position(entry)}));
  }

  function remove(entry) {
    var checkbox = checkboxFor(entry.getAttribute("data-key"));
    var title = titleOf(entry);
    var next = entry.nextElementSibling || entry.previousElementSibling;
    entry.remove();
    if (checkbox) {
      checkbox.checked = false;
    }
    renumber();
    var focus = next ? next.querySelector(".item-remove") : checkbox;
    if (focus) {
      focus.focus();
    }
    say(format(strings.removed, {title: title}));
  }

  function equip(entry) {
    var title = titleOf(entry);
    var tools = document.createElement("span");
    tools.className = "item-tools";
    tools.appendChild(button("item-up", format(strings.moveUp, {title: title}), strings.up, function () {
      move(entry, -1);
    }));
    tools.appendChild(button("item-down", format(strings.moveDown, {title: title}), strings.down, function () {
      move(entry, 1);
    }));
    tools.appendChild(button("item-remove", format(strings.remove, {title: title}), strings.removeShort, function () {
      remove(entry);
    }));
    entry.appendChild(tools);
    var input = entry.querySelector(".item-position-input");
    if (input) {
      input.addEventListener("change", function () {
        var wanted = parseInt(input.value, 10);
        var all = entries();
        if (isNaN(wanted)) {
          renumber();
          return;
        }
        wanted = Math.min(Math.max(wanted, 1), all.length);
        var others = all.filter(function (other) {
          return other !== entry;
        });
        order.insertBefore(entry, others[wanted - 1] || null);
        renumber();
        say(format(strings.moved, {title: titleOf(entry), position: position(entry)}));
      });
    }
  }

  function entryFor(checkbox) {
    var choice = checkbox.closest(".item-choice");
    var key = checkbox.value;
    var id = "position-" + checkbox.id;
    var entry = document.createElement("li");
    entry.className = "item-order-entry";
    entry.setAttribute("data-key", key);
    var title = document.createElement("span");
    title.className = "item-title";
    title.textContent = choice.querySelector(".item-title").textContent;
    var context = document.createElement("span");
    context.className = "item-context";
    context.textContent = choice.querySelector(".item-context").textContent;
    var label = document.createElement("label");
    label.className = "item-position";
    label.setAttribute("for", id);
    label.textContent = strings.position;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + format(strings.positionOf, {title: title.textContent});
    label.appendChild(hidden);
    var input = document.createElement("input");
    input.type = "number";
    input.min = "1";
    input.inputMode = "numeric";
    input.className = "item-position-input";
    input.name = "position-" + key;
    input.id = id;
    entry.appendChild(title);
    entry.appendChild(document.createTextNode(" "));
    entry.appendChild(context);
    entry.appendChild(document.createTextNode(" "));
    entry.appendChild(label);
    entry.appendChild(input);
    return entry;
  }

  form.querySelectorAll("input[name='items']").forEach(function (checkbox) {
    checkbox.addEventListener("change", function () {
      var existing = entries().filter(function (entry) {
        return entry.getAttribute("data-key") === checkbox.value;
      })[0];
      if (checkbox.checked && !existing) {
        var entry = entryFor(checkbox);
        order.appendChild(entry);
        equip(entry);
        renumber();
        say(format(strings.added, {title: titleOf(entry), position: position(entry)}));
      } else if (!checkbox.checked && existing) {
        var title = titleOf(existing);
        existing.remove();
        renumber();
        say(format(strings.removed, {title: title}));
      }
    });
  });

  entries().forEach(equip);
  renumber();
})();
