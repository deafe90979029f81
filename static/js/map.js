// The directory map (templates/organisations/map.html): Leaflet with clustered markers loaded from
// map/markers.json with the current filters. Everything it needs comes from data- attributes (CSP:
// no inline script). Markers do not depend on the tiles: without tiles (offline, blocked tile host)
// the map is blank but the markers and their popups still show.
(function () {
  "use strict";
  var element = document.getElementById("organisation-map");
  if (!element || typeof L === "undefined") { return; }

  var form = document.getElementById("map-filters");
  var status = document.getElementById("map-status");
  var listLink = document.getElementById("map-list-link");

  // Leaflet guesses its marker images' address from its stylesheet, which fails once the file names
  // carry a hash (whitenoise's manifest): give it the real addresses.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: element.dataset.iconUrl,
    iconRetinaUrl: element.dataset.iconRetinaUrl,
    shadowUrl: element.dataset.shadowUrl,
  });
  var map = L.map(element, { scrollWheelZoom: false, worldCopyJump: true }).setView([46.5, 8], 4);
  L.tileLayer(element.dataset.tileUrl, {
    attribution: element.dataset.attribution,
    maxZoom: 18
  }).addTo(map);
  var cluster = L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true });
  map.addLayer(cluster);

  // The current filters as "?a=b&…", leaving out the unset ones.
  function query() {
    var params = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (value, key) {
        if (value !== "") { params.append(key, value); }
      });
    }
    var text = params.toString();
    return text ? "?" + text : "";
  }

  // Popups are built as DOM nodes, never from HTML strings: names are typed by users.
  function popup(marker) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.name;
    title.appendChild(link);
    box.appendChild(title);
    var details = document.createElement("div");
    details.className = "small";
    details.textContent = [marker.kind, marker.city].filter(Boolean).join(" · ");
    box.appendChild(details);
    return box;
  }

  function say(count) {
    var template = count === 1 ? status.dataset.countOne : status.dataset.countOther;
    status.textContent = template.replace("{count}", count.toLocaleString(document.documentElement.lang || undefined));
  }

  var pending = null;
  function load() {
    var search = query();
    if (listLink) { listLink.href = listLink.dataset.base + search; }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(element.dataset.markersUrl + search, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: pending.signal
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (markers) {
        cluster.clearLayers();
        var layers = markers.map(function (marker) {
          return L.marker([marker.lat, marker.lng], { title: marker.name, alt: marker.name })
            .bindPopup(function () { return popup(marker); });
        });
        cluster.addLayers(layers);
        if (layers.length) {
          map.fitBounds(cluster.getBounds(), { padding: [24, 24], maxZoom: 12 });
        }
        element.dataset.markers = String(markers.length);
        say(markers.length);
      })
      .catch(function (error) {
        if (error.name === "AbortError") { return; }
        status.textContent = status.dataset.failed;
      });
  }

  if (form) {
    var timer = null;
    var update = function () {
      history.replaceState(null, "", window.location.pathname + query());
      load();
    };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update();
    });
    form.addEventListener("change", update);
    form.addEventListener("input", function (event) {
      if (event.target.name !== "q") { return; }
      clearTimeout(timer);
      timer = setTimeout(update, 400);
    });
  }
  load();
})();
