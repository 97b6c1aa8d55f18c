/* Pin picking for camera registration: the map fills in latitude and longitude, and back. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Without Leaflet the page still works: the latitude/longitude boxes stay as they are.
  if (!window.L) { return; }

  var FOV = 90, RANGE_M = 30, M_PER_DEG = 111320;

  function number(input) {
    var value = parseFloat((input.value || "").trim());
    return isFinite(value) ? value : null;
  }

  function viewShape(lat, lon, bearing) {
    // A local flat-earth approximation is plenty for a 30 m drawing.
    var points = [[lat, lon]], cos = Math.cos(lat * Math.PI / 180);
    for (var a = bearing - FOV / 2; a <= bearing + FOV / 2; a += 5) {
      var r = a * Math.PI / 180;
      points.push([lat + RANGE_M * Math.cos(r) / M_PER_DEG,
                   lon + RANGE_M * Math.sin(r) / (M_PER_DEG * cos)]);
    }
    return points;
  }

  function setUp(el) {
    if (el.dataset.ready) { return; }
    el.dataset.ready = "1";
    var config = el.closest("form").dataset, prefix = el.dataset.inputs;
    var latInput = document.getElementById(prefix + "lat");
    var lonInput = document.getElementById(prefix + "lon");
    var bearingInput = document.getElementById(prefix + "bearing");
    var help = el.nextElementSibling;
    el.hidden = false;
    if (help && help.hasAttribute("data-map-help")) { help.hidden = false; }

    var map = L.map(el, { scrollWheelZoom: false });
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    var marker = null, view = null;

    function drawView() {
      if (view) { map.removeLayer(view); view = null; }
      if (!marker) { return; }
      var at = marker.getLatLng(), bearing = parseFloat(bearingInput.value);
      view = isFinite(bearing)
        ? L.polygon(viewShape(at.lat, at.lng, bearing), { weight: 1 })
        : L.circle(at, { radius: RANGE_M, weight: 1, dashArray: "4" });
      view.addTo(map);
    }

    function place(latlng, writeInputs) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), true); });
      } else {
        marker.setLatLng(latlng);
      }
      if (writeInputs) {
        latInput.value = latlng.lat.toFixed(6);
        lonInput.value = latlng.lng.toFixed(6);
      }
      drawView();
    }

    function fromInputs() {
      var lat = number(latInput), lon = number(lonInput);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return false; }
      place(L.latLng(lat, lon), false);
      map.setView([lat, lon], Math.max(map.getZoom() || 0, 17));
      return true;
    }

    if (!fromInputs()) {
      var center = (config.center || "0,0").split(",").map(parseFloat);
      map.setView(center, 13);
    }
    map.on("click", function (event) { place(event.latlng, true); });
    latInput.addEventListener("change", fromInputs);
    lonInput.addEventListener("change", fromInputs);
    bearingInput.addEventListener("change", drawView);
  }

  function isBlank(fieldset) {
    var boxes = fieldset.querySelectorAll("input:not([type=hidden]), textarea, select:not([name$=bearing])");
    for (var i = 0; i < boxes.length; i++) { if (boxes[i].value.trim()) { return false; } }
    return !fieldset.querySelector(".field-error");
  }

  function setUpVisibleMaps(root) {
    root.querySelectorAll("[data-camera-map]").forEach(function (el) {
      var closed = el.closest("details:not([open])"), hiddenBlock = el.closest("[data-camera][hidden]");
      if (!closed && !hiddenBlock) { setUp(el); }
    });
  }

  // Extra camera blocks stay folded away until asked for; ones already filled in stay open.
  var addButton = document.querySelector("[data-add-camera]");
  var extras = Array.prototype.slice.call(document.querySelectorAll("[data-camera][data-extra]"));
  extras.forEach(function (block) { if (isBlank(block)) { block.hidden = true; } });
  if (addButton) {
    var refresh = function () { addButton.hidden = !extras.some(function (b) { return b.hidden; }); };
    addButton.addEventListener("click", function () {
      var next = extras.filter(function (b) { return b.hidden; })[0];
      if (next) { next.hidden = false; setUpVisibleMaps(next); }
      refresh();
    });
    refresh();
  }

  // A map drawn inside a closed <details> would have no size: draw it on first opening.
  document.querySelectorAll("details").forEach(function (details) {
    details.addEventListener("toggle", function () { if (details.open) { setUpVisibleMaps(details); } });
  });
  setUpVisibleMaps(document);
}());
