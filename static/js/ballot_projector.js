/* The projector view of a ballot's results: it asks for the results (participation.voting_views.results_json)
 * every few seconds and updates the figures, the bars (in rank order) and the green of each item's map,
 * without reloading the page. It stops asking while the page is hidden and asks at once when it shows
 * again; once the ballot has closed and its result is published, the final figures stay and it stops.
 * Every number and sentence comes written from the server; this script only puts them in place. */
(function () {
  "use strict";

  var configElement = document.getElementById("projector-config");
  if (!configElement) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var strings = config.strings;
  var maps = window.QalaBallotMaps && window.QalaBallotMaps.config;
  var status = document.getElementById("projector-status");
  var voters = document.getElementById("projector-voters");
  var updated = document.getElementById("projector-updated");
  var bars = document.getElementById("projector-bars");
  var timer = null;
  var finished = false;
  var lastUpdated = updated.textContent;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return values[name] !== undefined ? String(values[name]) : match;
    });
  }

  // The same ramp as the server's (voting_views.shade): the first class whose floor the share reaches.
  function shadeOf(item) {
    if (!maps || item.total <= 0) {
      return maps ? maps.nothingYet : null;
    }
    for (var index = 0; index < maps.ramp.length; index += 1) {
      if (item.share >= maps.ramp[index].floor) {
        return maps.ramp[index].colour;
      }
    }
    return maps.ramp[maps.ramp.length - 1].colour;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function barRow(item, most) {
    var row = element("li", "projector-bar-row");
    row.setAttribute("data-item", item.id);
    var rank = element("span", "projector-rank", String(item.rank));
    if (item.tied) {
      rank.appendChild(document.createTextNode(" "));
      rank.appendChild(element("span", "tied", strings.tied));
    }
    row.appendChild(rank);
    row.appendChild(element("span", "projector-title", item.title));
    var total = element("span", "projector-total", item.total_text + " ");
    total.appendChild(element("span", "projector-share", item.share_text));
    row.appendChild(total);
    var track = element("span", "result-bar-track");
    track.setAttribute("aria-hidden", "true");
    var bar = element("span", "result-bar");
    bar.style.width = (most ? (100 * item.total) / most : 0).toFixed(1) + "%";
    track.appendChild(bar);
    row.appendChild(track);
    return row;
  }

  function render(data) {
    status.textContent = data.status_text;
    voters.textContent = data.voters_text;
    updated.textContent = data.updated_text;
    var most = data.items.reduce(function (top, item) {
      return Math.max(top, item.total);
    }, 0);
    var rows = document.createDocumentFragment();
    data.items.forEach(function (item) {
      rows.appendChild(barRow(item, most));
      var card = document.querySelector('.result-map-card[data-item="' + item.id + '"]');
      if (card) {
        var figures = card.querySelector("[data-figures]");
        if (figures) {
          figures.textContent = fill(strings.figures, {rank: item.rank, total: item.total_text, share: item.share_text});
        }
      }
      if (window.QalaBallotMaps) {
        window.QalaBallotMaps.shade(item.id, shadeOf(item));
      }
    });
    bars.replaceChildren(rows);
    document.body.classList.toggle("projector-final", Boolean(data.closed && data.published));
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!finished && !document.hidden) {
      timer = window.setTimeout(refresh, config.refreshSeconds * 1000);
    }
  }

  function refresh() {
    window.clearTimeout(timer);
    fetch(config.url, {headers: {Accept: "application/json"}, cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        render(data);
        lastUpdated = data.updated_text;
        updated.classList.remove("projector-stale");
        finished = Boolean(data.closed && data.published);
      })
      .catch(function () {
        // The last figures stay on the screen; the line under them says they are not fresh.
        updated.textContent = strings.failed + " " + lastUpdated;
        updated.classList.add("projector-stale");
      })
      .then(schedule);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
    } else if (!finished) {
      refresh();
    }
  });
  finished = document.body.classList.contains("projector-final");
  schedule();
})();
