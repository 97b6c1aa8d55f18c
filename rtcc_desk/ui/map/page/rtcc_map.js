/* The RTCC map page: builds the Leaflet map, talks to the desk over QWebChannel (window.rtccMap). */
(function () {
  "use strict";

  const config = window.RTCC_MAP_CONFIG;
  const { CameraStore, CameraLayer, KIND_LAYERS, KIND_STYLE, symbolRadius } = window.RtccCameras;
  const { Graticule, Legend, ContextMenu, CallsLayer, SearchLayer, WedgeLayer, escapeHtml } = window.RtccOverlays;
  const LAYERS = [...KIND_LAYERS, "calls", "search"];
  const started = performance.now();

  let bridge = null;            // the desk's MapBridge, once the web channel is up
  const pendingToDesk = [];     // messages raised before the channel was up

  function toDesk(method, ...args) {
    if (bridge) bridge[method](...args); else pendingToDesk.push([method, args]);
  }

  const map = L.map("map", {
    zoomControl: true, preferCanvas: true, attributionControl: true, worldCopyJump: false,
    minZoom: config.minZoom, maxZoom: config.maxZoom, zoomSnap: 1, boxZoom: true,
  });
  map.attributionControl.setPrefix(false);
  for (const [name, z] of [["rtccWedges", 390], ["rtccSearch", 410], ["rtccCameras", 420], ["rtccHighlight", 430]]) {
    map.createPane(name).style.zIndex = z;
  }
  map.getPane("rtccWedges").style.pointerEvents = "none";
  map.getPane("rtccHighlight").style.pointerEvents = "none";

  // ---- base map ---------------------------------------------------------------------------
  const base = config.base;
  let tilesLoaded = 0, tileErrors = 0;
  if (base.kind === "plain") {
    map.getContainer().classList.add("rtcc-plain");
    new Graticule().addTo(map);
  } else {
    const layer = L.tileLayer(base.url, {
      attribution: base.attribution, minZoom: config.minZoom, maxZoom: config.maxZoom,
      maxNativeZoom: base.maxNativeZoom, minNativeZoom: base.minNativeZoom,
      bounds: base.bounds || undefined, className: config.darkenTiles ? "rtcc-darken" : "",
    });
    layer.on("tileload", () => { tilesLoaded += 1; });
    layer.on("tileerror", () => { tileErrors += 1; });
    layer.addTo(map);
  }
  L.control.scale({ position: "bottomleft", metric: true, imperial: true, maxWidth: 160 }).addTo(map);
  if (config.context) {
    L.geoJSON(config.context, { interactive: false, style: () => ({ color: "#3d4a5a", weight: 3, opacity: 0.9, fillOpacity: 0.04 }) }).addTo(map);
  }
  if (config.outline) {
    L.geoJSON(config.outline, { interactive: false, style: () => ({ color: "#9fb2c8", weight: 2, dashArray: "10 6", opacity: 0.8, fill: false }) }).addTo(map);
  }
  if (config.notice) {
    const notice = L.DomUtil.create("div", "rtcc-notice", map.getContainer());
    notice.textContent = config.notice;
  }
  const readout = L.control({ position: "bottomleft" });
  readout.onAdd = () => L.DomUtil.create("div", "rtcc-readout");
  readout.addTo(map);
  map.on("mousemove", (e) => { readout.getContainer().textContent = `${e.latlng.lat.toFixed(5)}, ${e.latlng.lng.toFixed(5)}`; });

  // ---- layers -----------------------------------------------------------------------------
  const store = new CameraStore();
  const cameras = new CameraLayer(store).addTo(map);
  const wedges = new WedgeLayer(map);
  const search = new SearchLayer(map);
  const calls = new CallsLayer(map, (id) => toDesk("callClicked", id));
  const visible = Object.fromEntries(LAYERS.map((name) => [name, true]));
  const legend = new Legend((name, on) => { setLayerVisible(name, on); toDesk("layerToggled", name, on); }).addTo(map);
  const menu = new ContextMenu(map, (at) => toDesk("findHere", at.lat, at.lng));
  let fitted = Boolean(config.centre);
  if (config.centre) map.setView(config.centre, config.zoom);
  else if (config.outline) map.fitBounds(L.geoJSON(config.outline).getBounds());
  else map.setView([20, 0], 3);

  function radius() { return symbolRadius(map.getZoom()); }

  function updateCounts() {
    const counts = store.counts();
    for (const layer of KIND_LAYERS) legend.setCount(layer, counts[layer]);
    legend.setCount("calls", calls.markers.size);
  }

  function setLayerVisible(name, on) {
    visible[name] = on;
    legend.setChecked(name, on);
    const code = KIND_LAYERS.indexOf(name);
    if (code >= 0) {
      cameras.kindVisible[code] = on;
      cameras.refresh();
      requestWedges();
    } else if (name === "calls") {
      if (on) calls.group.addTo(map); else calls.group.remove();
    } else if (name === "search") {
      search.setVisible(on);
    }
  }

  // ---- camera clicks, hover and the popup for cameras at one spot -----------------------
  const labels = new Map();
  function describe(id, done) {
    if (labels.has(id)) { done(labels.get(id)); return; }
    if (!bridge) { done(null); return; }
    bridge.describe(id, (text) => { const info = text ? JSON.parse(text) : null; labels.set(id, info); done(info); });
  }

  function clickCamera(id) {
    search.select(id, store, radius());
    toDesk("cameraClicked", id);
  }

  function cameraLine(id, info) {
    if (!info) return `<b>${escapeHtml(id)}</b>`;
    return `<b>${escapeHtml(id)}</b> · ${escapeHtml(info.kind)}<br>${escapeHtml(info.name || "")}` +
      `<br><span class="rtcc-dim">${escapeHtml(info.view)}</span>`;
  }

  function hitsAt(latlng) { return cameras.hitsAt(latlng, 4); }

  map.on("click", (e) => {
    const hits = hitsAt(e.latlng);
    if (!hits.length) return;
    // cameras on one pole or one storefront sit within a pixel or two: let the analyst pick
    const together = hits.filter(([d]) => d - hits[0][0] <= 2).map(([, row]) => store.ids[row]);
    if (together.length === 1) { clickCamera(together[0]); return; }
    const list = L.DomUtil.create("div", "rtcc-pick");
    L.DomUtil.create("div", "rtcc-pick-title", list).textContent = `${together.length} cameras here`;
    for (const id of together) {
      const button = L.DomUtil.create("button", "rtcc-pick-item", list);
      button.type = "button";
      button.dataset.cameraId = id;
      button.innerHTML = cameraLine(id, labels.get(id));
      describe(id, (info) => { button.innerHTML = cameraLine(id, info); });
      button.addEventListener("click", () => { map.closePopup(); clickCamera(id); });
      // A pole's cameras go onto the video wall by dragging them from this list: the wall reads
      // the camera id from the drag (its own type, and plain text for anything else).
      button.draggable = true;
      button.title = "Click to select · drag onto a video wall tile";
      button.addEventListener("dragstart", (e) => {
        e.dataTransfer.setData("application/x-rtcc-camera-id", id);
        e.dataTransfer.setData("text/plain", id);
        e.dataTransfer.effectAllowed = "copy";
      });
    }
    const row = store.row(together[0]);
    L.popup({ className: "rtcc-popup", maxWidth: 360, offset: [0, -4] })
      .setLatLng([store.cols.lat[row], store.cols.lon[row]]).setContent(list).openOn(map);
  });

  const hover = L.tooltip({ className: "rtcc-tooltip", direction: "top", offset: [0, -8], opacity: 1 });
  let hoverFrame = 0, hoverId = null;
  map.on("mousemove", (e) => {
    if (hoverFrame) return;
    hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      const hits = hitsAt(e.latlng);
      map.getContainer().classList.toggle("rtcc-over-camera", hits.length > 0);
      if (!hits.length) { hoverId = null; map.closeTooltip(hover); return; }
      const row = hits[0][1], id = store.ids[row];
      if (id === hoverId) return;
      hoverId = id;
      const extra = hits.length > 1 ? `<br><span class="rtcc-dim">+${hits.length - 1} more here: click to choose</span>` : "";
      hover.setLatLng([store.cols.lat[row], store.cols.lon[row]]).setContent(cameraLine(id, labels.get(id)) + extra);
      map.openTooltip(hover);
      describe(id, (info) => { if (hoverId === id) hover.setContent(cameraLine(id, info) + extra); });
    });
  });
  map.on("mouseout", () => { hoverId = null; map.closeTooltip(hover); });

  map.on("contextmenu", (e) => menu.show(e.containerPoint, e.latlng));

  // ---- wedges at street zoom, asked of the desk for the area in view --------------------
  let wedgeTimer = 0, wedgeToken = 0;
  function requestWedges() {
    clearTimeout(wedgeTimer);
    wedgeTimer = setTimeout(() => {
      const token = ++wedgeToken;
      // city and edge cameras see a street's length; registered ones a yard: one zoom later
      const zoom = map.getZoom();
      const shown = KIND_LAYERS.filter((name) => visible[name] &&
        zoom >= config.wedgeMinZoom + (name === "business" || name === "residential" ? 1 : 0));
      if (!bridge || !shown.length || !store.count) { wedges.clear(); return; }
      const b = map.getBounds().pad(0.25);
      const ask = { south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(), layers: shown };
      bridge.wedgesWanted(token, JSON.stringify(ask));
    }, 60);
  }
  map.on("moveend", () => {
    requestWedges();
    const c = map.getCenter();
    toDesk("viewChanged", c.lat, c.lng, map.getZoom());
  });
  map.on("zoomend", () => { search.select(search.selected, store, radius()); redrawRings(); });

  function candidates() { return new Set(search.request ? search.request.ids : []); }

  function redrawRings() {
    if (search.request) search.show(search.request, store, radius());
  }

  // ---- the API the desk calls with runJavaScript ----------------------------------------
  function afterPaint(fn) { requestAnimationFrame(() => setTimeout(fn, 0)); }

  // Acks go back in order; a change that moves the map acks once the map has arrived.
  let ackChain = Promise.resolve();
  let lastLoad = null;  // how long the last bulk load took, for diagnostics
  let arrivals = [];

  /** Centre the map; resolves when it has arrived (a move asked mid-zoom waits its turn). */
  function moveTo(lat, lon, zoom) {
    return new Promise((resolve) => {
      const go = () => {
        const target = zoom === null ? map.getZoom() : zoom;
        const done = setTimeout(resolve, 3000);  // never hold the acks hostage
        map.once("moveend", () => { clearTimeout(done); resolve(); });
        map.setView([lat, lon], target);
      };
      // Leaflet drops a setView asked while a zoom animation runs (1.9: _animatingZoom)
      if (map._animatingZoom) map.once("zoomend", () => setTimeout(go, 0)); else go();
    });
  }

  const api = {
    pageId: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
    apply(seq, change) {
      arrivals = [];
      try { change(api); } catch (error) { toDesk("log", "error", `update ${seq}: ${error && error.stack || error}`); }
      const waits = arrivals;
      ackChain = ackChain.then(() => Promise.all(waits))
        .then(() => new Promise((resolve) => afterPaint(resolve)))
        .then(() => toDesk("applied", seq));
    },
    loadCameras(payload) {
      const t0 = performance.now();
      store.load(payload);
      const t1 = performance.now();
      cameras.refresh();
      lastLoad = { unpackMs: t1 - t0, drawMs: performance.now() - t1, sinceStartMs: t0 - started };
      if (!fitted && store.count) { const b = store.bounds(); if (b) map.fitBounds(b, { padding: [20, 20] }); fitted = true; }
      updateCounts();
      requestWedges();
      redrawRings();
      afterPaint(() => { lastLoad.paintedMs = performance.now() - t0; toDesk("camerasDrawn", store.count, lastLoad.paintedMs); });
    },
    putCameras(payload) { store.put(payload); labels.clear(); cameras.refresh(); updateCounts(); requestWedges(); },
    removeCameras(ids) {
      store.remove(ids);
      if (search.selected !== null && store.row(search.selected) < 0) search.select(null, store, radius());
      cameras.refresh(); updateCounts(); requestWedges(); redrawRings();
    },
    setCalls(list) { calls.clear(); for (const call of list) calls.put(call); updateCounts(); },
    putCall(call) { calls.put(call); updateCounts(); },
    removeCall(id) { calls.remove(id); updateCounts(); },
    showSearch(s) { search.show(s, store, radius()); wedges.restyle(candidates()); },
    clearSearch() { search.clear(); wedges.restyle(candidates()); },
    selectCamera(id) { search.select(id, store, radius()); },
    focus(lat, lon, zoom) { fitted = true; arrivals.push(moveTo(lat, lon, zoom)); },
    setLayerVisible,
    clickCamera,
    showWedges(token, data) { if (token === wedgeToken) wedges.show(data, candidates()); },
    /** What the page holds, for tests and diagnostics. */
    state() {
      const c = map.getCenter();
      return {
        ready: Boolean(bridge), pageId: api.pageId, base: base.kind, cameras: store.counts(), total: store.count,
        calls: calls.ids, search: search.search, highlighted: search.highlighted.slice(),
        uncertain: search.uncertain.slice(), selected: search.selected, layers: { ...visible },
        zoom: map.getZoom(), center: [c.lat, c.lng], wedges: wedges.count, animating: Boolean(map._animatingZoom),
        inView: cameras.countInView(), lastLoad, tilesLoaded, tileErrors, contextMenuOpen: menu.open,
        styles: KIND_LAYERS.map((layer, code) => ({ layer, ...KIND_STYLE[code] })),
      };
    },
    /** Container pixel of a camera (tests click there). */
    pixelOf(id) {
      const row = store.row(id);
      if (row < 0) return null;
      const p = map.latLngToContainerPoint([store.cols.lat[row], store.cols.lon[row]]);
      return [p.x, p.y];
    },
    lastMenuAt() { return menu.latlng || null; },
  };
  window.rtccMap = api;

  window.addEventListener("error", (e) => toDesk("log", "error", `${e.message} (${e.filename}:${e.lineno})`));

  if (window.qt && window.qt.webChannelTransport) {
    new QWebChannel(window.qt.webChannelTransport, (channel) => {
      bridge = channel.objects.rtccBridge;
      for (const [method, args] of pendingToDesk.splice(0)) bridge[method](...args);
      bridge.pageReady(JSON.stringify({ pageId: api.pageId, startedMs: performance.now() - started }));
    });
  }
})();
